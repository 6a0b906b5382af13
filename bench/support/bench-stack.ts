import { credentialKeyNamer } from '../../src/sessions/credential-store';
import { TOMBSTONE } from '../../src/sessions/redis-session-store';
import { appEnv, BENCH_SECRETS, connectUser, startApp, startEmulator, startRedis, type AppProcess, type EmulatorProcess, type RedisProcess } from './processes';

/**
 * One Dropview instance with its Redis and its Dropbox emulator, each a process, plus users
 * connected through the real OAuth flow: what the page-view benchmarks, the scaling figures
 * and the profiler run against.
 */

export interface BenchStack {
  redis: RedisProcess;
  emulator: EmulatorProcess;
  app: AppProcess;
  /** Session cookies (`name=value`) of users connected through the OAuth flow. */
  connect(count: number): Promise<string[]>;
  /** Redis commands per page view, by command, from INFO commandstats before and after `views` calls of `view`. */
  redisCommandsPerView(views: number, view: () => Promise<unknown>): Promise<{ total: number; byCommand: [string, number][] }>;
  /** Average MEMORY USAGE of a live session key and of its credential hash; pre-login tombstones left out. */
  sessionFootprint(): Promise<{ sessions: number; sessionBytes: number; credentialBytes: number }>;
  close(): Promise<void>;
}

async function commandCalls(redis: RedisProcess): Promise<Map<string, number>> {
  const connection = await redis.connect();
  try {
    const info = await connection.command<string>(undefined, true, ['INFO', 'commandstats']);
    return new Map([...info.matchAll(/cmdstat_([a-z|_]+):calls=(\d+)/g)].map((match) => [match[1], Number(match[2])]));
  } finally {
    await connection.close();
  }
}

const NAMESPACE = 'dropview:';

/** `env` adds to or overrides the app's environment; `nodeArgs` go to its node (e.g. --cpu-prof). */
export async function startBenchStack(options: { latencyMs?: number; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<BenchStack> {
  const redis = await startRedis();
  const emulator = await startEmulator({ latencyMs: options.latencyMs ?? 0 });
  const app = await startApp(appEnv(redis.url, emulator.url, options.env), options.nodeArgs);
  const credentialKeyOf = credentialKeyNamer(BENCH_SECRETS.TOKEN_ENCRYPTION_KEY, NAMESPACE);
  return {
    redis,
    emulator,
    app,
    async connect(count) {
      const cookies: string[] = [];
      for (let i = 0; i < count; i += 10) cookies.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => connectUser(app.url)))));
      return cookies;
    },
    async redisCommandsPerView(views, view) {
      const before = await commandCalls(redis);
      for (let i = 0; i < views; i += 1) await view();
      const after = await commandCalls(redis);
      const byCommand = [...after.entries()]
        .map(([command, calls]): [string, number] => [command, (calls - (before.get(command) ?? 0)) / views])
        .filter(([command, calls]) => calls >= 0.01 && command !== 'info');
      return { total: byCommand.reduce((sum, [, calls]) => sum + calls, 0), byCommand };
    },
    async sessionFootprint() {
      const connection = await redis.connect();
      try {
        // Sign-in leaves the pre-login session's tombstone; only live sessions count.
        const sessionKeys: string[] = [];
        for (const key of await connection.command<string[]>(undefined, true, ['KEYS', `${NAMESPACE}sess:*`])) if ((await connection.get(key)) !== TOMBSTONE) sessionKeys.push(key);
        const averageBytes = async (keys: string[]) =>
          (await Promise.all(keys.map((key) => connection.command<number | null>(key, true, ['MEMORY', 'USAGE', key])))).reduce((sum: number, bytes) => sum + (bytes ?? 0), 0) / keys.length;
        return {
          sessions: sessionKeys.length,
          sessionBytes: await averageBytes(sessionKeys),
          credentialBytes: await averageBytes(sessionKeys.map((key) => credentialKeyOf(key.slice(`${NAMESPACE}sess:`.length)))),
        };
      } finally {
        await connection.close();
      }
    },
    async close() {
      await app.stop();
      await emulator.stop();
      await redis.stop();
    },
  };
}
