import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { RedisConnection } from '../src/redis/connection';
import { startBenchStack, VIA_PROXY } from './support/bench-stack';

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
    await Promise.all(cookies.map((cookie) => fetch(`${stack.appUrl}${FOLDER}`, { headers: { ...VIA_PROXY, Cookie: cookie } })));

    const { sessionBytes, credentialBytes } = await stack.sessionFootprint();
    const { total: commandsPerView, byCommand: perView } = await stack.redisCommandsPerView(VIEWS, () => fetch(`${stack.appUrl}${FOLDER}`, { headers }));
    const redis = RedisConnection.single({ url: stack.redisUrl });
    await redis.connect();
    // A connected session's two keys, for redis-benchmark to read.
    const [sampleCredentialKey] = await redis.command<string[]>(undefined, true, ['KEYS', 'dropview:cred:*']);
    const sampleSessionKey = sampleCredentialKey.replace(':cred:', ':sess:');
    const rates = new Map<string, number>([
      ['get', redisBenchmark(stack.redisPort, ['get', sampleSessionKey])],
      ['hgetall', redisBenchmark(stack.redisPort, ['hgetall', sampleCredentialKey])],
      ['expire', redisBenchmark(stack.redisPort, ['expire', sampleSessionKey, '43200'])],
    ]);
    await redis.close();
    // Seconds of Redis time one page view costs, from its measured command mix.
    const redisSecondsPerView = perView.reduce((sum, [command, calls]) => sum + calls / (rates.get(command) ?? Math.min(...rates.values())), 0);
    const viewsPerRedis = 1 / redisSecondsPerView;

    const load = await autocannon({ url: `${stack.appUrl}${FOLDER}`, connections: 50, duration: 10, headers });
    const viewsPerInstance = load.requests.average;

    const rows: [string, string][] = [
      ['machine', `${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}`],
      ['bytes per connected session (session key + credential hash, MEMORY USAGE)', `${Math.round(sessionBytes)} + ${Math.round(credentialBytes)} = ${Math.round(sessionBytes + credentialBytes)}`],
      [`Redis commands per page view (${VIEWS} views of a visited folder)`, `${commandsPerView.toFixed(2)} (${perView.map(([command, calls]) => `${command} ${calls.toFixed(2)}`).join(', ')})`],
      ['Redis ops/s, redis-benchmark, 50 clients', [...rates.entries()].map(([command, rate]) => `${command} ${Math.round(rate).toLocaleString('en-US')}`).join(', ')],
      ['page views/s one Redis node serves (from the mix above)', Math.round(viewsPerRedis).toLocaleString('en-US')],
      ['page views/s one app instance serves (autocannon, 50 connections, 10 s, no added latency)', `${Math.round(viewsPerInstance).toLocaleString('en-US')} (p99 ${load.latency.p99} ms, non-2xx ${load.non2xx})`],
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
