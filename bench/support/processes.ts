import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { RedisConnection } from '../../src/redis/connection';

/**
 * The processes a benchmark runs: a throwaway Redis, the Dropbox emulator and Dropview itself,
 * each its own process, as in production. The app and the emulator bind port 0 and say which
 * port they got; Redis, which cannot, gets a free port probed just before it starts.
 */

export const ROOT = path.join(__dirname, '..', '..');

export interface Process {
  child: ChildProcess;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Processes being stopped on purpose: any other exit is reported (see spawnUntil). */
const stopping = new WeakSet<ChildProcess>();

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  stopping.add(child);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Starts a process and waits until its output matches `ready`; the match is returned. */
/** Spawns `command` and resolves once its output matches `ready` (30 s at most). */
export async function spawnUntil(command: string, args: string[], env: Record<string, string>, ready: RegExp, what: string): Promise<{ process: Process; match: RegExpExecArray }> {
  const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH as string, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  // A process that dies under a benchmark would otherwise show only as the next request failing.
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) console.error(`${what} exited (${code ?? signal}) during the benchmark; its last output:\n${output.slice(-4000)}`);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = ready.exec(output);
    if (match) return { process: { child, pid: child.pid as number, output: () => output, stop: () => stopChild(child) }, match };
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`${what} did not start:\n${output}`);
    }
    await delay(25);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisProcess extends Process {
  url: string;
  port: number;
  /** A connection for the benchmark's own reads (key sizes, command counts). */
  connect(): Promise<RedisConnection>;
}

export async function startRedis(extraArgs: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const { process: redis } = await spawnUntil(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    {},
    /Ready to accept connections/,
    'redis-server',
  );
  const url = `redis://127.0.0.1:${port}`;
  return {
    ...redis,
    url,
    port,
    async connect() {
      const connection = RedisConnection.single({ url });
      await connection.connect();
      return connection;
    },
  };
}

export interface EmulatorProcess extends Process {
  url: string;
  control<T = unknown>(action: string, body?: object): Promise<T>;
  /** An access token issued through the emulator's own authorize page and token endpoint, for calling it directly. */
  accessToken(): Promise<string>;
  /** Calls of `route` the emulator has answered so far. */
  calls(route: string, grantType?: string): Promise<number>;
}

/**
 * fetch, tried once more when the connection failed before any answer: on a loaded machine a
 * kept-alive connection can be closed by the server (its keep-alive timeout) just as the next
 * request goes out on it, and the benchmark stopped on that ("fetch failed").
 */
async function fetchRetryingOnReset(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (!(error instanceof TypeError) || error.message !== 'fetch failed') throw error;
    return fetch(url, init);
  }
}

export const BENCH_APP = { key: 'demo-app-key', secret: 'demo-app-secret' } as const;
/** The public origin every instance shares, as behind a load balancer. */
export const BENCH_BASE_URL = 'https://dropview.bench';

export async function startEmulator(options: { latencyMs?: number; perEntryMs?: number; journalSize?: number } = {}): Promise<EmulatorProcess> {
  const { process: emulator, match } = await spawnUntil(
    process.execPath,
    ['--import', 'tsx', 'packages/dropbox-emulator/src/main.ts'],
    {
      EMULATOR_PORT: '0',
      EMULATOR_REDIRECT_URIS: `${BENCH_BASE_URL}/auth/dropbox/callback`,
      EMULATOR_AUTO_APPROVE: '1',
      EMULATOR_CONTROL: '1',
      EMULATOR_LATENCY_MS: String(options.latencyMs ?? 0),
      EMULATOR_LATENCY_PER_ENTRY_MS: String(options.perEntryMs ?? 0),
    },
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    'the Dropbox emulator',
  );
  const url = match[1];
  const control = async <T>(action: string, body?: object): Promise<T> => {
    const response = await fetchRetryingOnReset(`${url}/__emulator/${action}`, body ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {});
    if (!response.ok) throw new Error(`emulator control ${action}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    ...emulator,
    url,
    control,
    async calls(route, grantType) {
      return (await control<{ count: number }>(`calls?${new URLSearchParams({ route, ...(grantType ? { grantType } : {}) })}`)).count;
    },
    async accessToken() {
      const redirectUri = `${BENCH_BASE_URL}/auth/dropbox/callback`;
      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URLSearchParams({
        client_id: BENCH_APP.key,
        response_type: 'code',
        redirect_uri: redirectUri,
        state: randomBytes(16).toString('hex'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        token_access_type: 'offline',
      });
      const approval = await fetchRetryingOnReset(`${url}/oauth2/authorize?${authorize}`, { redirect: 'manual' });
      const code = new URL(approval.headers.get('location') as string).searchParams.get('code') as string;
      const exchange = await fetch(`${url}/oauth2/token`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(`${BENCH_APP.key}:${BENCH_APP.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
      });
      if (!exchange.ok) throw new Error(`emulator token exchange: ${exchange.status}`);
      return ((await exchange.json()) as { access_token: string }).access_token;
    },
  };
}

export interface AppProcess extends Process {
  url: string;
}

export const BENCH_SECRETS = { SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghijklmnop', TOKEN_ENCRYPTION_KEY: 'bench-token-key-9876543210-ponmlkjihgfedcba-XYZ' } as const;

/** Dropview as production runs it, behind a TLS-terminating proxy (see VIA_PROXY), at the default log level. */
export function appEnv(redisUrl: string, emulatorUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    BASE_URL: BENCH_BASE_URL,
    TRUST_PROXY: '1',
    REDIS_URL: redisUrl,
    ...BENCH_SECRETS,
    AUTH_RATE_LIMIT: '100000',
    DROPBOX_APP_KEY: BENCH_APP.key,
    DROPBOX_APP_SECRET: BENCH_APP.secret,
    DROPBOX_AUTHORIZE_URL: `${emulatorUrl}/oauth2/authorize`,
    DROPBOX_API_URL: emulatorUrl,
    DROPBOX_CONTENT_URL: emulatorUrl,
    DROPBOX_NOTIFY_URL: emulatorUrl,
    ...extra,
  };
}

/** The compiled app (`npm run build` first), as `npm start` runs it. `nodeArgs`: e.g. --cpu-prof. */
export async function startApp(env: Record<string, string>, nodeArgs: string[] = [], entry = 'dist/server.js'): Promise<AppProcess> {
  const { process: app, match } = await spawnUntil(process.execPath, [...nodeArgs, entry], env, /"port":(\d+)/, 'Dropview');
  return { ...app, url: `http://127.0.0.1:${match[1]}` };
}

/** The competitor (bench/baseline/server.js) on `port`, which it cannot choose itself. */
export async function startBaseline(env: Record<string, string>, port: number): Promise<AppProcess> {
  const { process: app } = await spawnUntil(process.execPath, ['bench/baseline/server.js'], { ...env, PORT: String(port) }, /baseline listening on \d+/, 'the baseline app');
  return { ...app, url: `http://127.0.0.1:${port}` };
}

/** What the proxy in front of the app adds: the connection was https. */
export const VIA_PROXY = { 'X-Forwarded-Proto': 'https' } as const;

/** A user connected through the real OAuth flow (the emulator approves at once); their session cookie. */
export async function connectUser(appUrl: string, callbackUrl = appUrl): Promise<string> {
  const start = await fetch(`${appUrl}/auth/dropbox`, { redirect: 'manual', headers: VIA_PROXY });
  const cookie = (start.headers.get('set-cookie') as string).split(';')[0];
  const approval = await fetch(start.headers.get('location') as string, { redirect: 'manual' });
  const callback = new URL(approval.headers.get('location') as string);
  const landed = await fetch(`${callbackUrl}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { ...VIA_PROXY, Cookie: cookie } });
  if (landed.status !== 302) throw new Error(`connect failed with ${landed.status}`);
  return (landed.headers.get('set-cookie') as string).split(';')[0];
}

export function rssMegabytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every Linux build this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)];
