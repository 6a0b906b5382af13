import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { INDEX_SYNC_SCRIPT } from '../src/folders/index-store';
import { credentialKeyNamer } from '../src/sessions/credential-store';
import { startBenchStack } from './support/bench-stack';
import { BENCH_SECRETS, VIA_PROXY } from './support/processes';

/**
 * `npm run bench:scaling`: the figures behind docs/scaling.md. What one connected session
 * costs in Redis, how many Redis commands a page view makes, how many page views one Redis
 * node and one app instance serve on this machine, and so how many instances one Redis carries.
 */

const SESSIONS = 200;
const VIEWS = 500;
const FOLDER = '/browse/Documents';

function redisBenchmark(port: number, args: string[]): number {
  const output = execFileSync('redis-benchmark', ['-p', String(port), '-q', '-n', '100000', '-c', '50', ...args], { encoding: 'utf8' });
  const rate = /([\d.]+) requests per second/.exec(output)?.[1];
  if (!rate) throw new Error(`redis-benchmark said: ${output}`);
  return Number(rate);
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    const cookies = await stack.connect(SESSIONS);
    const headers = { ...VIA_PROXY, Cookie: cookies[0] };
    await Promise.all(cookies.map((cookie) => fetch(`${stack.app.url}${FOLDER}`, { headers: { ...VIA_PROXY, Cookie: cookie } })));

    const { sessionBytes, credentialBytes } = await stack.sessionFootprint();
    const { total: commandsPerView, byCommand: perView } = await stack.redisCommandsPerView(VIEWS, () => fetch(`${stack.app.url}${FOLDER}`, { headers }));
    const redis = await stack.redis.connect();
    // A connected session's keys and the folder's index, for redis-benchmark to read.
    const sampleSessionKey = `dropview:sess:${decodeURIComponent(cookies[0].split('=')[1]).slice(2).split('.')[0]}`;
    const sampleCredentialKey = credentialKeyNamer(BENCH_SECRETS.TOKEN_ENCRYPTION_KEY, 'dropview:')(sampleSessionKey.slice('dropview:sess:'.length));
    const [indexHead] = await redis.command<string[]>(undefined, true, ['KEYS', 'dropview:fi:*:h']);
    const generation = await redis.command<string>(indexHead, true, ['HGET', indexHead, 'gen']);
    const batchesKey = indexHead.replace(/:h$/, ':b');
    const batchCount = await redis.command<number>(batchesKey, true, ['LLEN', batchesKey]);
    const rates = new Map<string, number>([
      ['get', redisBenchmark(stack.redis.port, ['get', sampleSessionKey])],
      ['hgetall', redisBenchmark(stack.redis.port, ['hgetall', sampleCredentialKey])],
      ['expire', redisBenchmark(stack.redis.port, ['expire', sampleSessionKey, '43200'])],
      ['eval', redisBenchmark(stack.redis.port, ['eval', INDEX_SYNC_SCRIPT, '2', indexHead, batchesKey, generation, String(batchCount)])],
    ]);
    await redis.close();
    // Seconds of Redis time one page view costs, from its measured command mix.
    const redisSecondsPerView = perView.reduce((sum, [command, calls]) => sum + calls / (rates.get(command) ?? Math.min(...rates.values())), 0);
    const viewsPerRedis = 1 / redisSecondsPerView;

    const load = await autocannon({ url: `${stack.app.url}${FOLDER}`, connections: 50, duration: 10, headers });
    const viewsPerInstance = load.requests.average;

    const rows: [string, string][] = [
      ['machine', `${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}`],
      ['bytes per connected session (session key + credential hash, MEMORY USAGE)', `${Math.round(sessionBytes)} + ${Math.round(credentialBytes)} = ${Math.round(sessionBytes + credentialBytes)}`],
      [`Redis commands per page view (${VIEWS} views of a visited folder)`, `${commandsPerView.toFixed(2)} (${perView.map(([command, calls]) => `${command} ${calls.toFixed(2)}`).join(', ')})`],
      ['Redis ops/s, redis-benchmark, 50 clients', [...rates.entries()].map(([command, rate]) => `${command} ${Math.round(rate).toLocaleString('en-US')}`).join(', ')],
      ['page views/s one Redis node serves (from the mix above)', Math.round(viewsPerRedis).toLocaleString('en-US')],
      [
        'page views/s one app instance serves (autocannon, 50 connections, 10 s, no added latency)',
        `${Math.round(viewsPerInstance).toLocaleString('en-US')} (p99 ${load.latency.p99} ms, non-2xx ${load.non2xx})`,
      ],
      ['app instances one Redis node carries', (viewsPerRedis / viewsPerInstance).toFixed(0)],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    console.log(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n'));
  } finally {
    await stack.close();
  }
}

main().catch((error: Error) => {
  console.error(`scaling bench failed: ${error.stack}`);
  process.exit(1);
});
