import path from 'node:path';
import type express from 'express';
import type { Logger } from 'pino';
import { GrantSweeper } from './auth/grant-sweeper';
import { TokenKeeper } from './auth/token-keeper';
import { redirectUriOf, type Config } from './config';
import { Sealer } from './crypto/sealer';
import { DropboxApiClient, LONGPOLL_SOCKETS, QUIET_LONGPOLL_SOCKETS } from './dropbox/api-client';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './dropbox/http';
import { DropboxOAuthClient } from './dropbox/oauth-client';
import { ThumbnailBatcher } from './dropbox/thumbnail-batcher';
import { FolderIndex } from './folders/folder-index';
import { FolderWatcher } from './folders/folder-watcher';
import { MemoryFolderIndexStore, RedisFolderIndexStore, type FolderIndexStore } from './folders/index-store';
import { QuietFolders } from './folders/quiet-folders';
import { createHttpApp } from './http/app';
import { authRateLimit } from './http/middleware/rate-limit';
import { credentialDeadlineOf } from './sessions/lifetime';
import { sessionCookieName } from './sessions/session-middleware';
import { connectRedisBackend, embeddedBackend, type SessionBackend } from './sessions/session-store';
import { PrometheusTelemetry } from './telemetry/prometheus';
import { NO_TELEMETRY, type Telemetry } from './telemetry/telemetry';
import { EntryRows } from './views/entry-rows';
import { Templates } from './views/templates';

/**
 * The composition root: the one place that builds Dropview from its parts (the session
 * stores, the Dropbox clients, the token keeper, the folder index and watcher, the HTTP app)
 * and hands each part what it needs. server.ts calls it and listens; tests call it with the
 * same real parts on free ports, changing only what StartOptions names.
 */

export interface StartOptions {
  /** Redis key prefix, so that tests (or several apps) share one Redis; instances of one deployment share one. */
  namespace?: string;
  /** Bounds of the embedded session store. */
  embeddedLimits?: { maxSessions: number; maxPending: number };
  /** Changes to the Dropbox HTTP clients' timeouts and retries. */
  http?: Partial<HttpOptions>;
  /** Entries per folder page. */
  listPageSize?: number;
  /** How often an event stream checks that its session still exists. */
  streamSessionCheckMs?: number;
  now?: () => number;
}

/** The app and the background work that comes with it, stopped together. */
export interface Dropview {
  app: express.Express;
  sessions: SessionBackend;
  /** Starts background work (the grant sweeper). */
  start(): void;
  /** One sweep of lapsed grants now (what start() does every minute); the number revoked. */
  sweepGrants(): Promise<number>;
  /** Event streams open on this instance, and the distinct folders they watch. */
  liveStreams(): { streams: number; folders: number; longpolls: number };
  /**
   * Turns /readyz to 503 at once, then ends open event streams and background work (once,
   * however often called); the caller stops taking requests and lets those in flight finish.
   */
  stop(): Promise<void>;
  /** stop(), then the session stores' connections. */
  close(): Promise<void>;
}

const ROOT = path.join(__dirname, '..');
export const DEFAULT_LIST_PAGE_SIZE = 200;
const AUTH_RATE_WINDOW_MS = 15 * 60 * 1000;
/** Folder indexes kept without Redis: sealed and compressed, about 40 bytes an entry. */
const EMBEDDED_INDEX_BYTES = 64 * 1024 * 1024;
const FOLDER_READ_LEASE_MS = 15_000;

function openSessions(config: Config, logger: Logger, options: StartOptions, telemetry: Telemetry): Promise<SessionBackend> {
  const settings = {
    // The oldest key: credential entries keep their names while a new key is rotated in.
    credentialKeySecret: config.tokenEncryptionKeys[config.tokenEncryptionKeys.length - 1],
    sessionMaxAgeMs: config.session.maxAgeMs,
  };
  if (config.redisClusterNodes || config.redisUrl) {
    return connectRedisBackend({ url: config.redisUrl, clusterNodes: config.redisClusterNodes, logger, namespace: options.namespace, telemetry, ...settings });
  }
  return Promise.resolve(embeddedBackend({ ...settings, ...options.embeddedLimits }));
}

function folderIndexOf(config: Config, sessions: SessionBackend, logger: Logger, listPageSize: number, now: () => number, telemetry: Telemetry, quiet: QuietFolders): FolderIndex {
  const limits = { ttlMs: config.folderIndex.ttlMs, leaseMs: FOLDER_READ_LEASE_MS };
  const store: FolderIndexStore = sessions.redis
    ? new RedisFolderIndexStore(sessions.redis, sessions.namespace, limits, now)
    : new MemoryFolderIndexStore({ ...limits, maxBytes: EMBEDDED_INDEX_BYTES }, now);
  return new FolderIndex(
    store,
    new Sealer(config.tokenEncryptionKeys, 'folder-index-v1'),
    // The oldest key: index ids stay the same while a new key is rotated in.
    config.tokenEncryptionKeys[config.tokenEncryptionKeys.length - 1],
    {
      ttlMs: config.folderIndex.ttlMs,
      maxEntries: config.folderIndex.maxEntries,
      memoryEntries: config.folderIndex.memoryEntries,
      firstPageRows: listPageSize,
      now,
      telemetry,
      quiet,
      onBackgroundError: (event, error) => logger.warn({ event, errorName: (error as Error).name, tag: (error as { logTag?: string }).logTag }, 'folder index work failed in the background'),
    },
  );
}

/** Builds a Dropview for `config` (whose baseUrl is set: the OAuth redirect URI is made from it). */
export async function composeDropview(config: Config, logger: Logger, options: StartOptions = {}): Promise<Dropview> {
  if (!config.baseUrl) throw new Error('composeDropview needs config.baseUrl');
  const now = options.now ?? Date.now;
  const listPageSize = options.listPageSize ?? DEFAULT_LIST_PAGE_SIZE;
  // Metrics only when someone can read them: without METRICS_TOKEN every part gets the no-op.
  const telemetry: Telemetry = config.metricsToken ? new PrometheusTelemetry() : NO_TELEMETRY;
  const sessions = await openSessions(config, logger, options, telemetry);

  const httpOptions: HttpOptions = { ...DEFAULT_HTTP_OPTIONS, maxRetryWaitSeconds: config.dropboxRetryMaxWaitSeconds, ...options.http, telemetry };
  const oauth = new DropboxOAuthClient({ ...config.dropbox, redirectUri: redirectUriOf(config.baseUrl) }, httpOptions);
  const api = new DropboxApiClient({ apiUrl: config.dropbox.apiUrl, contentUrl: config.dropbox.contentUrl, notifyUrl: config.dropbox.notifyUrl }, httpOptions);

  const keeper = new TokenKeeper(oauth, api, new Sealer(config.tokenEncryptionKeys, 'token-encryption-v1'), sessions.credentials, { now, telemetry });
  // A longpoll vouches once it has had twice the time Dropbox's answers take to reach Dropbox.
  const quiet = new QuietFolders(api, { trustMs: config.folderIndex.quietTrustMs, folders: QUIET_LONGPOLL_SOCKETS, settleMs: () => 2 * api.recentAnswerMs(), now });
  const folders = folderIndexOf(config, sessions, logger, listPageSize, now, telemetry, quiet);
  const watcher = new FolderWatcher(
    {
      folders,
      longpoller: api,
      sessionIsLive: (sid) =>
        new Promise((resolve, reject) =>
          sessions.store.get(sid, (error: unknown, data) =>
            error ? reject(error instanceof Error ? error : new Error('the session store failed', { cause: error })) : resolve(data?.connectedAt !== undefined),
          ),
        ),
      onError: (event, error) => logger.warn({ event, errorName: (error as Error).name, tag: (error as { logTag?: string }).logTag }, 'live folder updates paused'),
    },
    { ...config.eventStreams, folders: LONGPOLL_SOCKETS, sessionCheckMs: options.streamSessionCheckMs ?? 30_000 },
  );
  const grantSweeper = new GrantSweeper(sessions.credentials, keeper, logger, { now });
  telemetry.watch({
    eventStreams: () => ({ open: watcher.size.streams, limit: config.eventStreams.perInstance }),
    longpollsHeld: () => watcher.size.longpolls + quiet.size,
    folderIndex: () => folders.heldSize(),
  });
  let stopping = false;

  // Development recompiles views on every render, so edits show on reload.
  const templates = new Templates(path.join(ROOT, 'views'), config.isProduction || config.nodeEnv === 'test');
  const app = createHttpApp({
    config,
    logger,
    root: ROOT,
    templates,
    sessionStore: sessions.store,
    readiness: { stopping: () => stopping, storeAnswers: () => sessions.isHealthy() },
    sessionCookie: { name: sessionCookieName(config.isProduction), secure: config.isProduction },
    authLimiter: authRateLimit({ limit: config.authRateLimit, windowMs: AUTH_RATE_WINDOW_MS, redis: sessions.redis, namespace: sessions.namespace }),
    oauth,
    api,
    keeper,
    folders,
    watcher,
    thumbnails: new ThumbnailBatcher(api),
    entryRows: new EntryRows(templates, now),
    listPageSize,
    deadlineOf: (session) => credentialDeadlineOf(session, config.session.maxAgeMs, now()),
    now,
    telemetry,
  });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      // Open pages' streams end at once: nothing waits for their longpolls.
      watcher.closeAll();
      await folders.close();
      await grantSweeper.stop();
    })());
  return {
    app,
    sessions,
    start: () => grantSweeper.start(),
    sweepGrants: () => grantSweeper.sweep(),
    liveStreams: () => watcher.size,
    stop,
    async close() {
      await stop();
      await sessions.close();
    },
  };
}
