import { appEnv, connectUser, cpuMs, median, startApp, startEmulator, startRedis, VIA_PROXY, type AppProcess, type RedisProcess } from '../support/processes';
import type { Row } from '../support/rows';

/**
 * What the Prometheus metrics cost per page view: Dropview instances side by side in one run,
 * the same in all but METRICS_TOKEN, each with its own Redis, one Dropbox emulator (20 ms per
 * call: CPU is the question here). Rounds of views go round the instances so that whatever
 * else the machine does falls on each alike. A second instance without metrics is the
 * control: how far it lands from the first is what noise alone does in this run. The one with metrics is scraped between
 * rounds, and a scrape's CPU is given apart: a round takes about a second, Prometheus scrapes
 * every 15 s or so, so counting one per round would charge views several times what it costs.
 * The scrape's own CPU is measured over a run of scrapes at the end.
 */

const FOLDER = '/Bench/Metered';
const METRICS_TOKEN = 'bench-metrics-token-Zq8vR2xK7mW4pL9sT3nB6cY1dF5gH0jE';
const USERS = 10;
const ROUNDS = 12;
const VIEWS_PER_ROUND = 400;
const CONCURRENCY = 10;
/** Scrapes measured together: one takes about a CPU tick (10 ms), too coarse to time alone. */
const SCRAPES = 50;

interface Instance {
  redis: RedisProcess;
  app: AppProcess;
  cookies: string[];
  /** App CPU ms of each measured round. */
  roundCpuMs: number[];
}

async function views(instance: Instance, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (next < count) {
        next += 1;
        const response = await fetch(`${instance.app.url}/browse${FOLDER}`, { headers: { ...VIA_PROXY, Cookie: instance.cookies[worker % instance.cookies.length] } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`a view answered ${response.status}`);
      }
    }),
  );
}

async function scrape(instance: Instance): Promise<void> {
  const response = await fetch(`${instance.app.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
}

export async function metricsOverhead(): Promise<Row[]> {
  const emulator = await startEmulator({ latencyMs: 20 });
  const started: Instance[] = [];
  try {
    await emulator.control('folder', { path: FOLDER, count: 100 });
    for (const env of [{}, {}, { METRICS_TOKEN }] as Record<string, string>[]) {
      const redis = await startRedis();
      const app = await startApp(appEnv(redis.url, emulator.url, env));
      started.push({ redis, app, cookies: [], roundCpuMs: [] });
    }
    const [plain, control, metered] = started;
    for (const instance of started) {
      for (let i = 0; i < USERS; i += 1) instance.cookies.push(await connectUser(instance.app.url));
      // Warm-up: the folder read into the index, JIT and caches settled.
      await views(instance, VIEWS_PER_ROUND);
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      // Who goes first changes too.
      for (const instance of [...started.slice(round % 3), ...started.slice(0, round % 3)]) {
        const before = cpuMs(instance.app.pid);
        await views(instance, VIEWS_PER_ROUND);
        instance.roundCpuMs.push(cpuMs(instance.app.pid) - before);
        if (instance === metered) await scrape(instance);
      }
    }
    const beforeScrapes = cpuMs(metered.app.pid);
    for (let i = 0; i < SCRAPES; i += 1) await scrape(metered);
    const perScrape = (cpuMs(metered.app.pid) - beforeScrapes) / SCRAPES;
    const perView = (instance: Instance) => instance.roundCpuMs.reduce((sum, ms) => sum + ms, 0) / (ROUNDS * VIEWS_PER_ROUND);
    const overhead = perView(metered) / perView(plain) - 1;
    const noise = perView(control) / perView(plain) - 1;
    const percent = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %`;
    const roundOverheads = plain.roundCpuMs.map((ms, round) => metered.roundCpuMs[round] / ms - 1);
    return [
      {
        id: 'B8',
        what: `app CPU per view of a 100-entry folder seen before, without and with METRICS_TOKEN (instances side by side, ${ROUNDS} rounds of ${VIEWS_PER_ROUND} views each, ${CONCURRENCY} at a time; a second instance without metrics as the control)`,
        target: '<= 3 % more with metrics',
        measured: `${perView(plain).toFixed(3)} ms without, ${perView(metered).toFixed(3)} ms with: ${percent(overhead)} (rounds: median ${percent(median(roundOverheads))}); control without metrics ${perView(control).toFixed(3)} ms: ${percent(noise)}, the noise of this run`,
        met: overhead <= 0.03,
      },
      {
        id: 'B8s',
        what: `app CPU of one scrape of /metrics (after the rounds above; ${SCRAPES} in a row)`,
        target: '',
        measured: `${perScrape.toFixed(1)} ms`,
      },
    ];
  } finally {
    for (const instance of started) {
      await instance.app.stop();
      await instance.redis.stop();
    }
    await emulator.stop();
  }
}
