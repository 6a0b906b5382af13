import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { GrantSweeper } from './auth/grant-sweeper';
import { TokenKeeper } from './auth/token-keeper';
import type { Config } from './config';
import type { DropboxApiClient } from './dropbox/api-client';
import type { DropboxOAuthClient } from './dropbox/oauth-client';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthHandler } from './http/handlers/health';
import { csrfTokenOf } from './http/middleware/csrf';
import { plainHttpAlarm } from './http/middleware/plain-http-alarm';
import { authRateLimit } from './http/middleware/rate-limit';
import { routes } from './http/routes';
import type { Services } from './http/services';
import { hasDropboxTag } from './dropbox/errors';
import { ThumbnailBatcher } from './dropbox/thumbnail-batcher';
import { LONGPOLL_SOCKETS } from './dropbox/api-client';
import { FolderWatcher } from './folders/folder-watcher';
import { AppError } from './errors';
import { FolderIndex } from './folders/folder-index';
import { MemoryFolderIndexStore, RedisFolderIndexStore, type FolderIndexStore } from './folders/index-store';
import { createHttpLogger } from './logging/logger';
import { createSessionMiddleware, sessionCookieName } from './sessions/session-middleware';
import type { SessionBackend } from './sessions/session-store';
import { Sealer } from './crypto/sealer';
import { EntryRows } from './views/entry-rows';
import { Templates } from './views/templates';

/**
 * Builds the Dropview web app from its parts. Nothing here listens or connects: server.ts
 * does that, and tests build the same app with real parts on free ports.
 */

export interface AppDeps {
  config: Config;
  sessions: SessionBackend;
  oauth: DropboxOAuthClient;
  api: DropboxApiClient;
  logger: Logger;
  /** Entries per folder page. */
  listPageSize?: number;
  /** How often an event stream checks that its session still exists (tests shorten it). */
  streamSessionCheckMs?: number;
  now?: () => number;
}

const ROOT = path.join(__dirname, '..');
export const DEFAULT_LIST_PAGE_SIZE = 200;
const AUTH_RATE_WINDOW_MS = 15 * 60 * 1000;
/** Folder indexes kept without Redis: sealed and compressed, about 40 bytes an entry. */
const EMBEDDED_INDEX_BYTES = 64 * 1024 * 1024;

/** The app and the background work that comes with it, stopped together. */
export interface Dropview {
  app: express.Express;
  /** Starts background work (the grant sweeper). */
  start(): void;
  /** One sweep of lapsed grants now (what start() does every minute); the number revoked. */
  sweepGrants(): Promise<number>;
  /** Event streams open on this instance, and the distinct folders they watch. */
  liveStreams(): { streams: number; folders: number };
  /** Stops background work and reads in progress; the caller closes the HTTP server and stores. */
  stop(): Promise<void>;
}

export function createApp(deps: AppDeps): Dropview {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const secureCookies = config.isProduction;
  // Development recompiles views on every render, so edits show on reload.
  const cacheViews = config.isProduction || config.nodeEnv === 'test';
  const templates = new Templates(path.join(ROOT, 'views'), cacheViews);
  const folderIndexLimits = { ttlMs: config.folderIndex.ttlMs, leaseMs: 15_000 };
  const folderIndexStore: FolderIndexStore = deps.sessions.redis
    ? new RedisFolderIndexStore(deps.sessions.redis, deps.sessions.namespace, folderIndexLimits, now)
    : new MemoryFolderIndexStore({ ...folderIndexLimits, maxBytes: EMBEDDED_INDEX_BYTES }, now);
  const folders = new FolderIndex(
    folderIndexStore,
    new Sealer(config.tokenEncryptionKeys, 'folder-index-v1'),
    // The oldest key: ids stay the same while a new key is rotated in.
    config.tokenEncryptionKeys[config.tokenEncryptionKeys.length - 1],
    {
      isReset: (error) => hasDropboxTag(error, 'reset'),
      isRateLimited: (error) => error instanceof AppError && error.code === 'dropbox_rate_limited',
      isUnavailable: (error) => error instanceof AppError && ['dropbox_unavailable', 'dropbox_timeout', 'dropbox_unreachable'].includes(error.code),
    },
    {
      ttlMs: config.folderIndex.ttlMs,
      maxEntries: config.folderIndex.maxEntries,
      memoryEntries: config.folderIndex.memoryEntries,
      firstPageRows: deps.listPageSize ?? DEFAULT_LIST_PAGE_SIZE,
      now,
      onBackgroundError: (event, error) => logger.warn({ event, code: (error as AppError).code, errorName: (error as Error).name }, 'folder index work failed in the background'),
    },
  );
  const watcher = new FolderWatcher(
    {
      folders,
      longpoller: deps.api,
      sessionIsLive: (sid) => new Promise((resolve, reject) => deps.sessions.store.get(sid, (error, data) => (error ? reject(error) : resolve(data?.connectedAt !== undefined)))),
      isDisconnected: (error) => error instanceof AppError && error.status === 401,
      isFolderGone: (error) => error instanceof AppError && (error.status === 404 || hasDropboxTag(error, 'not_folder')),
      onError: (event, error) => logger.warn({ event, code: (error as AppError).code }, 'live folder updates paused'),
    },
    { ...config.eventStreams, folders: LONGPOLL_SOCKETS, sessionCheckMs: deps.streamSessionCheckMs ?? 30_000 },
  );
  const tokens = new TokenKeeper(deps.oauth, deps.api, new Sealer(config.tokenEncryptionKeys, 'token-encryption-v1'), deps.sessions.credentials, { now, maxAgeMs: config.session.maxAgeMs });
  const services: Services = {
    oauth: deps.oauth,
    api: deps.api,
    tokens,
    sessions: deps.sessions,
    logger,
    sessionCookie: { name: sessionCookieName(secureCookies), secure: secureCookies },
    sessionMaxAgeMs: config.session.maxAgeMs,
    folders,
    watcher,
    listPageSize: deps.listPageSize ?? DEFAULT_LIST_PAGE_SIZE,
    thumbnails: new ThumbnailBatcher(deps.api),
    entryRows: new EntryRows(templates, now),
  };

  const app = express();
  app.disable('x-powered-by');
  // Pages and JSON are no-store, so no client revalidates them, and hashing each body for an
  // ETag cost a fifth of a folder page's CPU (npm run bench). Thumbnails and /public set their own.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(ROOT, 'views'));
  app.engine('ejs', templates.engine);
  app.set('view engine', 'ejs');
  app.set('view cache', cacheViews);
  app.locals.demoMode = config.demoMode;

  app.use(createHttpLogger(logger, { logPaths: config.logRequestPaths, trustProxy: config.trustProxy > 0 }));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      // Matches frame-ancestors 'none' for browsers that only know the older header.
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: config.isProduction,
    }),
  );
  app.use('/public', express.static(path.join(ROOT, 'public'), { index: false, maxAge: '1h' }));
  app.get('/healthz', healthHandler(services));
  // After the probes: an orchestrator's health checks reach the process directly, over plain HTTP.
  if (config.isProduction) app.use(plainHttpAlarm(logger, now));

  app.use(
    createSessionMiddleware({
      store: deps.sessions.store,
      secrets: config.session.secrets,
      idleTimeoutMs: config.session.idleTimeoutMs,
      maxAgeMs: config.session.maxAgeMs,
      secureCookies,
      now,
    }),
  );
  app.use((req, res, next) => {
    // Pages here show account data: no browser or proxy may keep a copy.
    res.setHeader('Cache-Control', 'no-store');
    res.locals.connected = req.session.connectedAt !== undefined;
    if (res.locals.connected) res.locals.csrfToken = csrfTokenOf(req);
    next();
  });
  app.use(routes(services, authRateLimit({ limit: config.authRateLimit, windowMs: AUTH_RATE_WINDOW_MS, redis: deps.sessions.redis, namespace: deps.sessions.namespace })));
  app.use(notFoundHandler);
  app.use(errorHandler(logger, config.logRequestPaths));
  const grantSweeper = new GrantSweeper(deps.sessions.credentials, tokens, logger, { now });
  return {
    app,
    start: () => grantSweeper.start(),
    sweepGrants: () => grantSweeper.sweep(),
    liveStreams: () => watcher.size,
    async stop() {
      // Open pages' streams end at once: nothing waits for their longpolls.
      watcher.closeAll();
      await folders.close();
      await grantSweeper.stop();
    },
  };
}
