import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { composeDropview, type Dropview } from '../../src/composition-root';
import { loadConfig, redirectUriOf, type Config } from '../../src/config';
import { addSampleFiles, DropboxEmulator } from '@dropview/dropbox-emulator';
import { createLogger } from '../../src/logging/logger';
import { connect, sessionCookieOf } from './oauth-dance';
import { RedisConnection } from '../../src/redis/connection';
import type { SessionBackend } from '../../src/sessions/session-store';

/**
 * A whole Dropview for one test file: the Dropbox emulator and the app, each on a free port,
 * sessions in the suite's real Redis (under a key prefix of their own) or in the embedded store.
 */

export const TEST_SESSION_SECRET = 'test-session-secret-0123456789-abcdefghijklmnop';
export const TEST_TOKEN_KEY = 'test-token-key-9876543210-ponmlkjihgfedcba-XYZ';

/** Names that a shared folder could hand us: markup, quotes, URL syntax. */
/**
 * The app's environment for tests about what a view's own Dropbox call does (a refresh, a 401,
 * a fault, a new team root): no folder is trusted quiet, so every view of a folder the app
 * knows makes its freshness check (src/folders/quiet-folders.ts).
 */
export const EVERY_VIEW_CHECKS = { FOLDER_INDEX_QUIET_TRUST: '0' };
export const HOSTILE_NAMES = ['<img src=x onerror=alert(1)>.txt', '"quote\'.txt', 'a?b#c&d=e.txt', '100% real.txt'];

export interface StackOptions {
  sessions?: 'redis' | 'embedded';
  /** Bounds of the embedded store (sessions: 'embedded'). */
  embeddedLimits?: { maxSessions: number; maxPending: number };
  /** How often an event stream checks its session (the app's default is 30 s). */
  streamSessionCheckMs?: number;
  /** Reuse a running emulator, e.g. for two app instances in front of one Dropbox. */
  emulator?: DropboxEmulator;
  /** Share one Redis key namespace between instances, as a real deployment does. */
  namespace?: string;
  listPageSize?: number;
  dropboxTimeoutMs?: number;
  env?: Record<string, string>;
  now?: () => number;
}

export interface Stack {
  emulator: DropboxEmulator;
  url: string;
  config: Config;
  sessions: SessionBackend;
  namespace: string;
  logLines: string[];
  dropview: Dropview;
  agent(): ReturnType<typeof request.agent>;
  close(): Promise<void>;
}

export function addTestFiles(emulator: DropboxEmulator): void {
  addSampleFiles(emulator.tree);
  for (const name of HOSTILE_NAMES) emulator.tree.addFile(`/Hostile/${name}`, { content: 'harmless' });
  emulator.tree.addFolder('/Hostile/<b>bold folder');
}

export async function startEmulator(): Promise<DropboxEmulator> {
  const emulator = new DropboxEmulator({ autoApprove: true, redirectUris: [] });
  addTestFiles(emulator);
  await emulator.listen();
  return emulator;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ownEmulator = !options.emulator;
  const emulator = options.emulator ?? (await startEmulator());
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { config } = loadConfig(
    {
      NODE_ENV: 'test',
      PORT: '0',
      BASE_URL: url,
      SESSION_SECRET: TEST_SESSION_SECRET,
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
      DROPBOX_APP_KEY: emulator.app.key,
      DROPBOX_APP_SECRET: emulator.app.secret,
      DROPBOX_AUTHORIZE_URL: `${emulator.url}/oauth2/authorize`,
      DROPBOX_API_URL: emulator.url,
      DROPBOX_CONTENT_URL: emulator.url,
      DROPBOX_NOTIFY_URL: emulator.url,
      // Test files sign in far more often than people do; test/security/rate-limit sets its own.
      AUTH_RATE_LIMIT: '100000',
      ...(options.sessions === 'embedded' ? {} : { REDIS_URL: process.env.REDIS_URL }),
      ...options.env,
    },
    () => 'unused-because-SESSION_SECRET-is-set',
  );
  const redirectUri = redirectUriOf(config.baseUrl as string);
  emulator.registerRedirectUri(redirectUri);

  const logLines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const namespace = options.namespace ?? `test:${randomBytes(6).toString('hex')}:`;
  const dropview = await composeDropview(config, logger, {
    namespace,
    embeddedLimits: options.embeddedLimits,
    http: { timeoutMs: options.dropboxTimeoutMs ?? 5000, backoffMs: 20 },
    listPageSize: options.listPageSize,
    streamSessionCheckMs: options.streamSessionCheckMs,
    now: options.now,
  });
  const { sessions } = dropview;
  server.on('request', dropview.app);

  return {
    emulator,
    url,
    config,
    sessions,
    namespace,
    logLines,
    dropview,
    agent: () => request.agent(url),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await dropview.close();
      if (ownEmulator) await emulator.close();
    },
  };
}

/** The session id inside a signed `dropview.sid=s%3A<id>.<signature>` cookie. */
export function sessionIdOf(cookie: string): string {
  return decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];
}

async function withRedis<T>(stack: Stack, use: (redis: RedisConnection) => Promise<T>): Promise<T> {
  const redis = RedisConnection.single({ url: stack.config.redisUrl });
  await redis.connect();
  try {
    return await use(redis);
  } finally {
    await redis.close();
  }
}

/** The session as the store holds it in Redis, or null when there is none. */
export async function storedSession(stack: Stack, cookie: string): Promise<Record<string, any> | null> {
  const raw = await withRedis(stack, (redis) => redis.get(`${stack.namespace}sess:${sessionIdOf(cookie)}`));
  return raw === null ? null : JSON.parse(raw);
}

/** The session's credential hash in Redis (empty when there is none). */
export async function storedCredentials(stack: Stack, cookie: string): Promise<Record<string, string>> {
  return withRedis(stack, (redis) => redis.hGetAll(stack.sessions.credentials.keyOf(sessionIdOf(cookie))));
}

/** Seconds left on a key of this stack's namespace, e.g. `sess:<sid>`. */
export async function secondsToLive(stack: Stack, key: string): Promise<number> {
  return withRedis(stack, (redis) => redis.command<number>(`${stack.namespace}${key}`, true, ['TTL', `${stack.namespace}${key}`]));
}

export interface ConnectedUser {
  stack: Stack;
  /** A browser that connected Dropbox in `beforeAll`. */
  agent: ReturnType<Stack['agent']>;
  /** Its session cookie (`dropview.sid=...`), for clients other than the agent (event streams). */
  cookie: string;
}

/**
 * For a `describe` that needs a running stack and one connected user: starts them before the
 * tests and stops them after. Read `.stack` and `.agent` inside tests.
 */
export function withConnectedUser(options: StackOptions = {}): ConnectedUser {
  const context = {} as ConnectedUser;
  beforeAll(async () => {
    context.stack = await startStack(options);
    context.agent = context.stack.agent();
    context.cookie = sessionCookieOf((await connect(context.agent)).response) as string;
  });
  afterAll(async () => context.stack?.close());
  return context;
}
