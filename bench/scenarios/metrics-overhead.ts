import { appEnv, connectUser, cpuMs, median, startApp, startEmulator, startRedis, VIA_PROXY, type AppProcess, type RedisProcess } from '../support/processes';
import type { Row } from '../support/rows';

/**
 * What the Prometheus metrics cost per page view: Dropview instances side by side in one run,
 * five without METRICS_TOKEN and five with it, the same in all else, each with its own
 * Redis, one Dropbox emulator (20 ms per call: CPU is the question here). Rounds of views go
 * round the instances, in a different order each round, so that whatever else the machine
 * does falls on each alike. Identical processes still land a few percent apart (one JIT's
 * choices, one heap's GC timing), so each side is the mean of five, and the spread of the
 * five without metrics is given as the noise of the run. The instances with metrics are
 * scraped between rounds, and a scrape's CPU is given apart: a round takes about half a
 * second, Prometheus scrapes every 15 s or so, so counting one per round would charge views
 * several times what it costs. The scrape's own CPU is measured over a run of scrapes at the end.
 */

const FOLDER = '/Bench/Metered';
const METRICS_TOKEN = 'bench-metrics-token-Zq8vR2xK7mW4pL9sT3nB6cY1dF5gH0jE';
const USERS = 10;
const ROUNDS = 16;
const PER_KIND = 5;
const VIEWS_PER_ROUND = 400;
const WARM_UP_VIEWS = 2000;
const CONCURRENCY = 10;
/** Scrapes measured together: one takes about a CPU tick (10 ms), too coarse to time alone. */
const SCRAPES = 50;

interface Instance {
  metered: boolean;
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
    for (const metered of Array.from({ length: 2 * PER_KIND }, (_, n) => n % 2 === 1)) {
      const redis = await startRedis();
      const app = await startApp(appEnv(redis.url, emulator.url, metered ? { METRICS_TOKEN } : {}));
      started.push({ metered, redis, app, cookies: [], roundCpuMs: [] });
    }
    for (const instance of started) {
      for (let i = 0; i < USERS; i += 1) instance.cookies.push(await connectUser(instance.app.url));
      // Warm-up: the folder read into the index, JIT and caches settled (400 views left
      // identical instances 7 % apart for the whole run).
      await views(instance, WARM_UP_VIEWS);
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      // Who goes first changes too.
      const shift = round % started.length;
      for (const instance of [...started.slice(shift), ...started.slice(0, shift)]) {
        const before = cpuMs(instance.app.pid);
        await views(instance, VIEWS_PER_ROUND);
        instance.roundCpuMs.push(cpuMs(instance.app.pid) - before);
        if (instance.metered) await scrape(instance);
      }
    }
    const scraped = started.find((instance) => instance.metered) as Instance;
    const beforeScrapes = cpuMs(scraped.app.pid);
    for (let i = 0; i < SCRAPES; i += 1) await scrape(scraped);
    const perScrape = (cpuMs(scraped.app.pid) - beforeScrapes) / SCRAPES;
    const perView = (instance: Instance) => instance.roundCpuMs.reduce((sum, ms) => sum + ms, 0) / (ROUNDS * VIEWS_PER_ROUND);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const plain = started.filter((instance) => !instance.metered).map(perView);
    const metered = started.filter((instance) => instance.metered).map(perView);
    const overhead = mean(metered) / mean(plain) - 1;
    const noise = (Math.max(...plain) - Math.min(...plain)) / mean(plain);
    const percent = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %`;
    const roundMean = (kind: boolean, round: number) => mean(started.filter((instance) => instance.metered === kind).map((instance) => instance.roundCpuMs[round]));
    const roundOverheads = Array.from({ length: ROUNDS }, (_, round) => roundMean(true, round) / roundMean(false, round) - 1);
    const list = (values: number[]) => values.map((value) => value.toFixed(3)).join(', ');
    return [
      {
        id: 'B8',
        what: `app CPU per view of a 100-entry folder seen before, without and with METRICS_TOKEN (${PER_KIND} instances of each side by side, ${ROUNDS} rounds of ${VIEWS_PER_ROUND} views each, 10 at a time)`,
        target: '<= 3 % more with metrics',
        measured: `${mean(plain).toFixed(3)} ms without (${list(plain)}), ${mean(metered).toFixed(3)} ms with (${list(metered)}): ${percent(overhead)} (rounds: median ${percent(median(roundOverheads))}); the instances without metrics spread over ${(noise * 100).toFixed(1)} %, the noise of this run`,
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
