import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { RedisConnection } from '../../src/redis/connection';
import { TOMBSTONE } from '../../src/sessions/redis-session-store';
import { freePort } from '../../test/support/ports';
import { waitForRedis } from '../../test/support/redis';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process';

/**
 * What the benchmarks run against, each a separate process: a throwaway Redis, the Dropbox
 * emulator (steered over its control API, with added latency) and the compiled Dropview, plus
 * users connected through the real OAuth flow.
 */

export const BENCH_SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmnop';
const BENCH_TOKEN_KEY = 'bench-token-key-9876543210-ponmlkjihgfedcba-XYZ';
const BENCH_APP_KEY = 'demo-app-key';
const BENCH_APP_SECRET = 'demo-app-secret';
/** The app runs as in production, behind a TLS-terminating proxy that these headers stand for. */
export const VIA_PROXY = { 'X-Forwarded-Proto': 'https' };
const ROOT = path.join(__dirname, '..', '..');

export interface EmulatorProcess {
  url: string;
  /** An access token issued by the emulator itself (authorize + code exchange, as the app does), for calling it directly. */
  accessToken(): Promise<string>;
  control(action: string, body?: object): Promise<unknown>;
  calls(route: string, grantType?: string): Promise<number>;
  stop(): Promise<void>;
}

export interface BenchStack {
  redisUrl: string;
  redisPort: number;
  emulator: EmulatorProcess;
  app: ServerProcess;
  appUrl: string;
  /** Session cookies (`name=value`) of users connected through the OAuth flow. */
  connect(count: number): Promise<string[]>;
  /** Redis commands per page view, by command, from INFO commandstats before and after `views` calls of `view`. */
  redisCommandsPerView(views: number, view: () => Promise<unknown>): Promise<{ total: number; byCommand: [string, number][] }>;
  /** Average MEMORY USAGE of a live session key and of a credential hash; pre-login tombstones left out. */
  sessionFootprint(): Promise<{ sessions: number; sessionBytes: number; credentialBytes: number }>;
  close(): Promise<void>;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function redisCommandCalls(redisUrl: string): Promise<Map<string, number>> {
  const client = RedisConnection.single({ url: redisUrl });
  await client.connect();
  const info = await client.command<string>(undefined, true, ['INFO', 'commandstats']);
  await client.close();
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) calls.set(match[1], Number(match[2]));
  return calls;
}

export async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForRedis(`redis://127.0.0.1:${port}`, 10_000);
  return server;
}

export async function startEmulatorProcess(latencyMs: number, redirectUri: string): Promise<EmulatorProcess> {
  const port = await freePort();
  // `npm run emulator` from the package's TypeScript source, so a benchmark never runs a stale emulator build.
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/dropbox-emulator/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, EMULATOR_PORT: String(port), EMULATOR_REDIRECT_URIS: redirectUri, EMULATOR_AUTO_APPROVE: '1', EMULATOR_CONTROL: '1', EMULATOR_LATENCY_MS: String(latencyMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 20_000;
  while (!output.includes('listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the emulator did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  const control = async (action: string, body?: object) => {
    const response = await fetch(`${url}/__emulator/${action}`, body ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {});
    if (!response.ok) throw new Error(`emulator control ${action}: ${response.status}`);
    return response.json();
  };
  return {
    url,
    control,
    async accessToken() {
      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URLSearchParams({
        client_id: BENCH_APP_KEY,
        response_type: 'code',
        redirect_uri: redirectUri,
        state: randomBytes(16).toString('hex'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        token_access_type: 'offline',
      });
      const approval = await fetch(`${url}/oauth2/authorize?${authorize}`, { redirect: 'manual' });
      const code = new URL(approval.headers.get('location') as string).searchParams.get('code') as string;
      const exchange = await fetch(`${url}/oauth2/token`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(`${BENCH_APP_KEY}:${BENCH_APP_SECRET}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
      });
      if (!exchange.ok) throw new Error(`emulator token exchange: ${exchange.status}`);
      return ((await exchange.json()) as { access_token: string }).access_token;
    },
    async calls(route, grantType) {
      const query = new URLSearchParams({ route, ...(grantType ? { grantType } : {}) });
      return ((await control(`calls?${query}`)) as { count: number }).count;
    },
    stop: () => stopProcess(child),
  };
}

async function connectOne(appUrl: string): Promise<string> {
  const start = await fetch(`${appUrl}/auth/dropbox`, { redirect: 'manual', headers: VIA_PROXY });
  const cookie = (start.headers.get('set-cookie') as string).split(';')[0];
  const approval = await fetch(start.headers.get('location') as string, { redirect: 'manual' });
  const callback = new URL(approval.headers.get('location') as string);
  const landed = await fetch(`${appUrl}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { ...VIA_PROXY, Cookie: cookie } });
  if (landed.status !== 302) throw new Error(`connect failed with ${landed.status}`);
  return (landed.headers.get('set-cookie') as string).split(';')[0];
}

export function appEnv(appPort: number, redisUrl: string, emulatorUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: String(appPort),
    BASE_URL: `https://127.0.0.1:${appPort}`,
    TRUST_PROXY: '1',
    REDIS_URL: redisUrl,
    SESSION_SECRET: BENCH_SESSION_SECRET,
    TOKEN_ENCRYPTION_KEY: BENCH_TOKEN_KEY,
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT: '100000',
    DROPVIEW_BENCH_FLOOR: '1',
    DROPBOX_APP_KEY: BENCH_APP_KEY,
    DROPBOX_APP_SECRET: BENCH_APP_SECRET,
    DROPBOX_AUTHORIZE_URL: `${emulatorUrl}/oauth2/authorize`,
    DROPBOX_API_URL: emulatorUrl,
    DROPBOX_CONTENT_URL: emulatorUrl,
    DROPBOX_NOTIFY_URL: emulatorUrl,
  };
}

/** `nodeArgs` go to the app's node, e.g. `--cpu-prof` for `npm run bench:profile`. */
export async function startBenchStack(latencyMs = 0, nodeArgs: string[] = []): Promise<BenchStack> {
  const redisPort = await freePort();
  const redis = await startRedis(redisPort);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const emulator = await startEmulatorProcess(latencyMs, `https://127.0.0.1:${appPort}/auth/dropbox/callback`);
  const app = await startServerProcess(appEnv(appPort, redisUrl, emulator.url), { compiled: true, nodeArgs });
  return {
    redisUrl,
    redisPort,
    emulator,
    app,
    appUrl,
    async connect(count) {
      const cookies: string[] = [];
      for (let i = 0; i < count; i += 10) cookies.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => connectOne(appUrl)))));
      return cookies;
    },
    async redisCommandsPerView(views, view) {
      const before = await redisCommandCalls(redisUrl);
      for (let i = 0; i < views; i += 1) await view();
      const after = await redisCommandCalls(redisUrl);
      const byCommand = [...after.entries()]
        .map(([command, calls]): [string, number] => [command, (calls - (before.get(command) ?? 0)) / views])
        .filter(([command, calls]) => calls >= 0.01 && command !== 'info');
      return { total: byCommand.reduce((sum, [, calls]) => sum + calls, 0), byCommand };
    },
    async sessionFootprint() {
      const redis = RedisConnection.single({ url: redisUrl });
      await redis.connect();
      try {
        // Sign-in leaves the pre-login session's tombstone; only live sessions count.
        const sessionKeys: string[] = [];
        for (const key of await redis.command<string[]>(undefined, true, ['KEYS', 'dropview:sess:*'])) if ((await redis.get(key)) !== TOMBSTONE) sessionKeys.push(key);
        const averageBytes = async (keys: string[]) => (await Promise.all(keys.map((key) => redis.command<number | null>(key, true, ['MEMORY', 'USAGE', key])))).reduce((sum: number, bytes) => sum + (bytes ?? 0), 0) / keys.length;
        return {
          sessions: sessionKeys.length,
          sessionBytes: await averageBytes(sessionKeys),
          credentialBytes: await averageBytes(sessionKeys.map((key) => key.replace(':sess:', ':cred:'))),
        };
      } finally {
        await redis.close();
      }
    },
    async close() {
      await app.stop();
      await emulator.stop();
      await stopProcess(redis);
    },
  };
}
