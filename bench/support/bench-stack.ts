import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createClient } from 'redis';
import { DropboxEmulator } from '../../src/emulator/emulator';
import { addSampleFiles } from '../../src/emulator/sample-files';
import { freePort } from '../../test/support/ports';
import { waitForRedis } from '../../test/support/redis';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process';

/**
 * What the benchmarks run against: a throwaway Redis, the Dropbox emulator and Dropview as a
 * separate process, plus users connected through the real OAuth flow.
 */

export const BENCH_SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmnop';
/** The app runs as in production, behind a TLS-terminating proxy that these headers stand for. */
export const VIA_PROXY = { 'X-Forwarded-Proto': 'https' };

export interface BenchStack {
  redisUrl: string;
  redisPort: number;
  emulator: DropboxEmulator;
  app: ServerProcess;
  appUrl: string;
  /** Session cookies (`name=value`) of users connected through the OAuth flow. */
  connect(count: number): Promise<string[]>;
  redisCommandCalls(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

export async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForRedis(`redis://127.0.0.1:${port}`, 10_000);
  return server;
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

export async function startBenchStack(env: Record<string, string> = {}): Promise<BenchStack> {
  const redisPort = await freePort();
  const redis = await startRedis(redisPort);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const emulator = new DropboxEmulator({ autoApprove: true, redirectUris: [] });
  addSampleFiles(emulator.tree);
  await emulator.listen();
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  emulator.registerRedirectUri(`${appUrl.replace('http:', 'https:')}/auth/dropbox/callback`);
  const app = await startServerProcess({
    NODE_ENV: 'production',
    PORT: String(appPort),
    BASE_URL: appUrl.replace('http:', 'https:'),
    TRUST_PROXY: '1',
    REDIS_URL: redisUrl,
    SESSION_SECRET: BENCH_SESSION_SECRET,
    LOG_LEVEL: 'warn',
    DROPBOX_APP_KEY: emulator.app.key,
    DROPBOX_APP_SECRET: emulator.app.secret,
    DROPBOX_AUTHORIZE_URL: `${emulator.url}/oauth2/authorize`,
    DROPBOX_API_URL: emulator.url,
    ...env,
  });
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
    async redisCommandCalls() {
      const client = createClient({ url: redisUrl });
      await client.connect();
      const info = await client.info('commandstats');
      await client.close();
      const calls = new Map<string, number>();
      for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) calls.set(match[1], Number(match[2]));
      return calls;
    },
    async close() {
      await app.stop();
      await emulator.close();
      const exited = once(redis, 'exit');
      redis.kill('SIGTERM');
      await exited;
    },
  };
}
