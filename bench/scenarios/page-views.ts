import { setTimeout as delay } from 'node:timers/promises';
import { startBenchStack, type BenchStack } from '../support/bench-stack';
import { appEnv, median, percentile, startApp, VIA_PROXY } from '../support/processes';
import type { Row } from '../support/rows';

/**
 * What one page view costs in Dropbox calls and Redis commands, a refresh burst, cold start,
 * and a session's footprint in Redis: one instance, 20 ms per Dropbox call.
 */

const HUNDRED = '/Bench/Hundred';

async function get(stack: BenchStack, cookie: string, address: string): Promise<Response> {
  return fetch(`${stack.app.url}${address}`, { headers: { ...VIA_PROXY, Cookie: cookie } });
}

const folderCalls = async (stack: BenchStack) => (await stack.emulator.calls('files/list_folder')) + (await stack.emulator.calls('files/list_folder/continue'));

async function upstreamCallsPerView(stack: BenchStack, cookie: string): Promise<Row> {
  await (await get(stack, cookie, `/browse${HUNDRED}`)).text();
  const before = await folderCalls(stack);
  const views = 50;
  for (let i = 0; i < views; i += 1) await (await get(stack, cookie, `/browse${HUNDRED}`)).text();
  const perView = ((await folderCalls(stack)) - before) / views;
  return {
    id: 'B1',
    what: 'Dropbox calls per view of a folder seen before (its index checked with list_folder/continue, or not at all while a quiet longpoll vouches for it)',
    target: '<= 1',
    measured: perView.toFixed(2),
    met: perView <= 1,
  };
}

async function redisCommandsPerView(stack: BenchStack, cookie: string): Promise<Row> {
  const views = 500;
  const { total, byCommand } = await stack.redisCommandsPerView(views, async () => (await get(stack, cookie, `/browse${HUNDRED}`)).text());
  // INFO counts the commands a script runs as well as the EVAL itself: the index's sync script
  // reads the index head with one HGETALL, on the same round trip.
  const calls = new Map(byCommand);
  const roundTrips = total - (calls.get('eval') ?? 0);
  return {
    id: 'B2',
    what: `Redis round trips per view (INFO commandstats, ${views} views; commands inside the index script counted apart)`,
    target: '<= 3 (session, credentials, folder index)',
    measured: `${roundTrips.toFixed(2)} round trips, ${total.toFixed(2)} commands (${byCommand.map(([command, count]) => `${command} ${count.toFixed(2)}`).join(', ')})`,
    met: roundTrips <= 3,
  };
}

async function refreshBurst(stack: BenchStack, cookie: string): Promise<Row> {
  await (await get(stack, cookie, `/browse${HUNDRED}`)).text();
  await stack.emulator.control('expire-tokens', {});
  // A change, so that the views must ask Dropbox (a quiet folder would be shown without a call,
  // and without a token): its longpoll answers as the file is added.
  await stack.emulator.control('files', { path: `${HUNDRED}/changed.txt`, size: 1 });
  const before = await stack.emulator.calls('oauth2/token', 'refresh_token');
  const timings = await Promise.all(
    Array.from({ length: 50 }, async () => {
      const started = performance.now();
      const response = await get(stack, cookie, `/browse${HUNDRED}`);
      await response.arrayBuffer();
      return { ms: performance.now() - started, status: response.status };
    }),
  );
  const refreshes = (await stack.emulator.calls('oauth2/token', 'refresh_token')) - before;
  const failures = timings.filter((timing) => timing.status !== 200).length;
  return {
    id: 'B4',
    what: '50 concurrent views of one session when its token has expired at Dropbox and the folder changed',
    target: '1 refresh, 0 failures',
    measured: `${refreshes} refresh, burst p99 ${Math.round(
      percentile(
        timings.map((timing) => timing.ms),
        0.99,
      ),
    )} ms, ${failures} failures`,
    met: refreshes === 1 && failures === 0,
  };
}

async function coldStart(stack: BenchStack): Promise<Row> {
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    const app = await startApp(appEnv(stack.redis.url, stack.emulator.url));
    while (
      (await fetch(`${app.url}/healthz`).then(
        (response) => response.status,
        () => 0,
      )) !== 200
    )
      await delay(10);
    times.push(performance.now() - started);
    await app.stop();
  }
  const ms = median(times);
  return { id: 'B6', what: 'cold start: `node dist/server.js` to the first 200 on /healthz (built at install), median of 3', target: '<= 1 s', measured: `${Math.round(ms)} ms`, met: ms <= 1000 };
}

async function sessionFootprint(stack: BenchStack): Promise<Row> {
  const { sessions, sessionBytes, credentialBytes } = await stack.sessionFootprint();
  const perSession = sessionBytes + credentialBytes;
  return {
    id: 'B7',
    what: `bytes per connected session in Redis (MEMORY USAGE, session + credentials, ${sessions} sessions)`,
    target: '<= 1.5 KB',
    measured: `${Math.round(perSession)} bytes`,
    met: perSession <= 1536,
  };
}

export async function pageViews(): Promise<Row[]> {
  const stack = await startBenchStack({ latencyMs: 20 });
  try {
    await stack.emulator.control('folder', { path: HUNDRED, count: 100 });
    const cookies = await stack.connect(10);
    for (const cookie of cookies) await (await get(stack, cookie, '/browse')).text();
    return [await upstreamCallsPerView(stack, cookies[0]), await redisCommandsPerView(stack, cookies[1]), await refreshBurst(stack, cookies[2]), await coldStart(stack), await sessionFootprint(stack)];
  } finally {
    await stack.close();
  }
}
