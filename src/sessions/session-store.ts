import type session from 'express-session';
import type { Logger } from 'pino';
import { RedisConnection } from '../redis/connection';
import type { Telemetry } from '../telemetry/telemetry';
import { credentialKeyNamer, MemoryCredentialStore, RedisCredentialStore, type CredentialStore } from './credential-store';
import { EmbeddedSessionStore } from './embedded-store';
import { withinDeadline } from './deadline';
import { credentialDeadlineOf } from './lifetime';
import { EndingRedisStore, type SessionRenewed } from './redis-session-store';

/**
 * Where sessions live. With REDIS_URL: Redis through connect-redis, shared by every instance.
 * Without: the embedded store, for one machine. Either way the app gets the same interface.
 */

export interface SessionBackend {
  store: session.Store;
  /** Each session's Dropbox credentials, kept beside the session (see credential-store.ts). */
  credentials: CredentialStore;
  /** Said once in the log at start-up; never carries a password. */
  description: string;
  /** The Redis connection, when sessions live in Redis. */
  redis?: RedisConnection;
  /** Prefix of every key Dropview writes to Redis. */
  namespace: string;
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** Every Dropview key in Redis starts with this: `sess:`, `cred:` and `lock:` follow. */
export const DEFAULT_NAMESPACE = 'dropview:';

/** What the stores need to know of the configuration, on Redis or embedded. */
export interface StoreSettings {
  /** Keys the names of credential entries (the oldest token key: it stays while keys rotate). */
  credentialKeySecret: string;
  /** SESSION_MAX_AGE: credentials never outlive it. */
  sessionMaxAgeMs: number;
}

/** A connected session's credentials lapse with it: each renewal of the session renews them. */
function followSessions(credentials: CredentialStore, settings: StoreSettings): SessionRenewed {
  return async (sid, session) => {
    if (session.connectedAt !== undefined) await credentials.extend(sid, credentialDeadlineOf(session, settings.sessionMaxAgeMs, Date.now()));
  };
}

export interface RedisBackendOptions extends StoreSettings {
  /** A single Redis (REDIS_URL)... */
  url?: string;
  /** ...or the `host:port` nodes of a Redis Cluster (REDIS_CLUSTER_NODES). */
  clusterNodes?: string[];
  logger: Logger;
  /** Connection attempts at start-up before giving up. */
  startupAttempts?: number;
  /** Key namespace, so that several apps (or tests) can share one Redis. */
  namespace?: string;
  /** Told of failed commands and missed deadlines on the connection. */
  telemetry?: Telemetry;
}

const HEALTH_CHECK_TIMEOUT_MS = 1000;

/** redis://user:secret@host:6379/0 -> redis://host:6379/0, for log lines. */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export class StartupError extends Error {
  override name = 'StartupError';
}

async function answersPing(client: RedisConnection): Promise<boolean> {
  if (!client.isReady) return false;
  // A cluster is healthy when every master answers: a lost master means lost slots.
  const replies = await withinDeadline(client.pingEveryNode(), HEALTH_CHECK_TIMEOUT_MS, client).catch(() => []);
  return replies.length > 0 && replies.every((reply) => reply === 'PONG');
}

export async function connectRedisBackend(options: RedisBackendOptions): Promise<SessionBackend> {
  const { logger } = options;
  const startupAttempts = options.startupAttempts ?? 5;
  const target = options.clusterNodes ? `Redis Cluster at ${options.clusterNodes.join(',')}` : `Redis at ${withoutCredentials(options.url as string)}`;
  let connectedOnce = false;
  const socket = {
    connectTimeout: 2000,
    reconnectStrategy: (retries: number, cause: Error) => {
      if (!connectedOnce && retries >= startupAttempts - 1) return new StartupError(`${target} is unreachable (${cause.message})`);
      return Math.min(100 * 2 ** retries, 2000);
    },
  };
  // Without disableOfflineQueue, commands queue up while Redis is away and every request hangs;
  // with it they fail at once and the user gets a 503 page.
  const client = options.clusterNodes
    ? RedisConnection.cluster(
        {
          rootNodes: options.clusterNodes.map((node) => ({ url: `redis://${node}` })),
          defaults: { disableOfflineQueue: true, socket },
          // Re-read the topology 1 s after a node starts reconnecting, so a failover is noticed fast.
          topologyRefreshOnReconnectionAttemptStrategy: 1000,
        },
        options.telemetry,
      )
    : RedisConnection.single({ url: options.url, disableOfflineQueue: true, socket }, options.telemetry);
  let lastErrorLoggedAt = 0;
  // An 'error' listener is required: without one a dropped connection crashes the process.
  client.onError((error: Error) => {
    if (Date.now() - lastErrorLoggedAt < 5000) return;
    lastErrorLoggedAt = Date.now();
    logger.warn({ redis: target, reason: error.message }, 'session store connection problem');
  });
  try {
    await client.connect();
    connectedOnce = true;
  } catch (error) {
    client.destroy();
    throw error instanceof StartupError ? error : new StartupError(`${target} is unreachable (${(error as Error).message})`);
  }
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const credentials = new RedisCredentialStore(client, namespace, credentialKeyNamer(options.credentialKeySecret, namespace));
  return {
    store: new EndingRedisStore(client, `${namespace}sess:`, followSessions(credentials, options)),
    credentials,
    description: `${target} (shared by every instance)`,
    redis: client,
    namespace,
    isHealthy: () => answersPing(client),
    close: () => client.close(),
  };
}

export function embeddedBackend(settings: StoreSettings & { maxSessions?: number; maxPending?: number }): SessionBackend {
  const credentials = new MemoryCredentialStore();
  const store = new EmbeddedSessionStore({ maxSessions: settings.maxSessions, maxPending: settings.maxPending, renewed: followSessions(credentials, settings) });
  return {
    store,
    credentials,
    namespace: DEFAULT_NAMESPACE,
    description: 'embedded store (single instance: sessions live in this process and end when it stops)',
    isHealthy: async () => true,
    close: async () => store.close(),
  };
}
