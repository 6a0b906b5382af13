import type session from 'express-session';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from 'pino';
import { MemoryCredentialStore, RedisCredentialStore, type CredentialStore } from './credential-store';
import { EmbeddedSessionStore } from './embedded-store';
import { withinDeadline } from './deadline';
import { EndingRedisStore } from './redis-session-store';

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
  /** The Redis client, when sessions live in Redis. */
  redis?: RedisClientType;
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** Every Dropview key in Redis starts with this: `sess:`, `cred:` and `lock:` follow. */
export const DEFAULT_NAMESPACE = 'dropview:';

export interface RedisBackendOptions {
  url: string;
  logger: Logger;
  /** Connection attempts at start-up before giving up. */
  startupAttempts?: number;
  /** Key namespace, so that several apps (or tests) can share one Redis. */
  namespace?: string;
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

export async function connectRedisBackend(options: RedisBackendOptions): Promise<SessionBackend> {
  const { url, logger } = options;
  const startupAttempts = options.startupAttempts ?? 5;
  const safeUrl = withoutCredentials(url);
  let connectedOnce = false;
  const client: RedisClientType = createClient({
    url,
    // Without this, commands queue up while Redis is away and every request hangs; with it
    // they fail at once and the user gets a 503 page.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries, cause) => {
        if (!connectedOnce && retries >= startupAttempts - 1) return new StartupError(`Redis at ${safeUrl} is unreachable (${cause.message})`);
        return Math.min(100 * 2 ** retries, 2000);
      },
    },
  });
  let lastErrorLoggedAt = 0;
  // An 'error' listener is required: without one a dropped connection crashes the process.
  client.on('error', (error: Error) => {
    if (Date.now() - lastErrorLoggedAt < 5000) return;
    lastErrorLoggedAt = Date.now();
    logger.warn({ redis: safeUrl, reason: error.message }, 'session store connection problem');
  });
  client.on('ready', () => {
    if (connectedOnce) logger.info({ redis: safeUrl }, 'session store reconnected');
    connectedOnce = true;
  });
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw error instanceof StartupError ? error : new StartupError(`Redis at ${safeUrl} is unreachable (${(error as Error).message})`);
  }
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  return {
    store: new EndingRedisStore(client, `${namespace}sess:`),
    credentials: new RedisCredentialStore(client, namespace),
    description: `Redis at ${safeUrl} (shared by every instance)`,
    redis: client,
    async isHealthy() {
      if (!client.isReady) return false;
      return withinDeadline(client.ping(), HEALTH_CHECK_TIMEOUT_MS).then((reply) => reply === 'PONG', () => false);
    },
    async close() {
      if (client.isOpen) await client.close().catch(() => client.destroy());
    },
  };
}

export function embeddedBackend(maxSessions?: number): SessionBackend {
  const store = new EmbeddedSessionStore({ maxSessions });
  return {
    store,
    credentials: new MemoryCredentialStore(),
    description: 'embedded store (single instance: sessions live in this process and end when it stops)',
    isHealthy: async () => true,
    close: async () => store.close(),
  };
}
