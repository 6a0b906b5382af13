import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/ports';
import { startServerProcess } from '../test/support/server-process';
import { appEnv, startBenchStack, VIA_PROXY, type BenchStack } from './support/bench-stack';

/**
 * `npm run bench`: what a page view costs, measured with Redis, the Dropbox emulator and the
 * compiled app as separate processes. The machine is small and shared, so every timing is a
 * median of repeated runs, and the folder page is measured side by side with its floor route.
 * Prints a table and writes it to bench/results.md.
 *
 * BENCH_LATENCY_MS (default 20) is the latency the emulator adds to every Dropbox call.
 */

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const HUNDRED = '/Bench/Hundred';
const HUGE = '/Bench/Huge';
const HUGE_SIZE = 100_000;
/** USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every Linux build this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
/** BENCH_ONLY=B3 (or B1,B3...) measures only those, for trying an optimisation; results.md is then left as it is. */
const ONLY = process.env.BENCH_ONLY?.split(',');
const wanted = (id: string) => !ONLY || ONLY.includes(id);

interface Row {
  id: string;
  what: string;
  target: string;
  measured: string;
  met?: boolean;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const encodePath = (dropboxPath: string) => dropboxPath.split('/').map(encodeURIComponent).join('/');

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function get(stack: BenchStack, cookie: string, address: string, accept = 'text/html'): Promise<Response> {
  return fetch(`${stack.appUrl}${address}`, { headers: { ...VIA_PROXY, Cookie: cookie, Accept: accept } });
}

async function upstreamCallsPerView(stack: BenchStack, cookie: string): Promise<Row> {
  await get(stack, cookie, `/browse${encodePath(HUNDRED)}`);
  const before = (await stack.emulator.calls('files/list_folder')) + (await stack.emulator.calls('files/list_folder/continue'));
  const views = 50;
  for (let i = 0; i < views; i += 1) await get(stack, cookie, `/browse${encodePath(HUNDRED)}`);
  const after = (await stack.emulator.calls('files/list_folder')) + (await stack.emulator.calls('files/list_folder/continue'));
  const perView = (after - before) / views;
  return { id: 'B1', what: 'Dropbox calls per page view of a visited folder', target: '1 (floor 1)', measured: perView.toFixed(2), met: perView <= 1 };
}

async function redisCommandsPerView(stack: BenchStack, cookie: string): Promise<Row> {
  const views = 500;
  const { total, byCommand } = await stack.redisCommandsPerView(views, () => get(stack, cookie, `/browse${encodePath(HUNDRED)}`));
  return {
    id: 'B2',
    what: `Redis commands per page view (INFO commandstats, ${views} views)`,
    target: '<= 2 (floor 1)',
    measured: `${total.toFixed(2)} (${byCommand.map(([command, calls]) => `${command} ${calls.toFixed(2)}`).join(', ')})`,
    met: total <= 2,
  };
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function load(stack: BenchStack, url: string, cookie: string) {
  const pid = stack.app.process.pid as number;
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: LOAD_SECONDS, headers: { ...VIA_PROXY, Cookie: cookie } });
  const appCpuMsPerRequest = (cpuMs(pid) - cpuBefore) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors, appCpuMsPerRequest };
}

async function throughput(stack: BenchStack, cookie: string): Promise<Row[]> {
  const page = `${stack.appUrl}/browse${encodePath(HUNDRED)}`;
  const floor = `${stack.appUrl}/__bench/floor${encodePath(HUNDRED)}`;
  const pages: Awaited<ReturnType<typeof load>>[] = [];
  const floors: Awaited<ReturnType<typeof load>>[] = [];
  const emulatorAlone: number[] = [];
  const listFolder = { url: `${stack.emulator.url}/2/files/list_folder`, method: 'POST' as const, headers: { Authorization: `Bearer ${await stack.emulator.accessToken()}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ path: HUNDRED, limit: 2000 }) };
  for (let round = 0; round < ROUNDS; round += 1) {
    pages.push(await load(stack, page, cookie));
    floors.push(await load(stack, floor, cookie));
    // The same list_folder straight from the load generator: what the emulator's latency is at this concurrency on this machine, with no app in between.
    emulatorAlone.push((await autocannon({ ...listFolder, connections: CONNECTIONS, duration: LOAD_SECONDS })).latency.p99);
  }
  const pageRps = median(pages.map((run) => run.rps));
  const floorRps = median(floors.map((run) => run.rps));
  const pageP99 = median(pages.map((run) => run.p99));
  const ratio = pageRps / floorRps;
  const errors = [...pages, ...floors].reduce((sum, run) => sum + run.errors, 0);
  const cpuPerRequest = (runs: typeof pages) => median(runs.map((run) => run.appCpuMsPerRequest)).toFixed(2);
  return [
    {
      id: 'B3',
      what: `GET a 100-entry folder (HTML), 50 connections, ${LOAD_SECONDS} s, median of ${ROUNDS}`,
      target: '>= 0.8x the floor route',
      measured: `${Math.round(pageRps)} req/s, p50 ${median(pages.map((run) => run.p50))} ms, p99 ${pageP99} ms; floor ${Math.round(floorRps)} req/s, p50 ${median(floors.map((run) => run.p50))} ms, p99 ${median(floors.map((run) => run.p99))} ms; ratio ${ratio.toFixed(2)}x; app CPU per request ${cpuPerRequest(pages)} ms (floor ${cpuPerRequest(floors)} ms); errors ${errors}`,
      met: ratio >= 0.8 && errors === 0,
    },
    {
      id: 'B3',
      what: `p99 overhead over the emulator's ${LATENCY_MS} ms`,
      target: '<= 15 ms',
      measured: `${pageP99 - LATENCY_MS} ms (floor route ${median(floors.map((run) => run.p99)) - LATENCY_MS} ms; the emulator alone, list_folder straight from autocannon at ${CONNECTIONS} connections: ${median(emulatorAlone) - LATENCY_MS} ms)`,
      met: pageP99 - LATENCY_MS <= 15,
    },
  ];
}

async function refreshBurst(stack: BenchStack, cookie: string): Promise<Row> {
  // The load generator stops with requests still queued in the app; let them finish first, or
  // one of them meets the expired token and its refresh is counted here.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await stack.emulator.control('expire-tokens', {});
  const before = await stack.emulator.calls('oauth2/token', 'refresh_token');
  const timings = await Promise.all(
    Array.from({ length: 50 }, async () => {
      const started = performance.now();
      const response = await get(stack, cookie, `/browse${encodePath(HUNDRED)}`);
      await response.arrayBuffer();
      return { ms: performance.now() - started, status: response.status };
    }),
  );
  const refreshes = (await stack.emulator.calls('oauth2/token', 'refresh_token')) - before;
  const p99 = [...timings.map((timing) => timing.ms)].sort((a, b) => a - b)[Math.ceil(timings.length * 0.99) - 1];
  const failures = timings.filter((timing) => timing.status !== 200).length;
  return { id: 'B4', what: '50 concurrent requests of one session at expiry', target: '1 refresh', measured: `${refreshes} refresh, burst p99 ${Math.round(p99)} ms, ${failures} failures`, met: refreshes === 1 && failures === 0 };
}

async function hugeFolder(stack: BenchStack, cookie: string): Promise<Row[]> {
  await stack.emulator.control('latency', { ms: 0 });
  const address = `/browse${encodePath(HUGE)}`;
  const firstPage = async (accept: string) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      await (await get(stack, cookie, address, accept)).arrayBuffer();
      times.push(performance.now() - started);
    }
    return median(times);
  };
  const htmlMs = await firstPage('text/html');
  const jsonMs = await firstPage('application/json');

  const rssBefore = rssMegabytes(stack.app.process.pid as number);
  let peak = rssBefore;
  const seen = new Set<string>();
  let total = 0;
  let listing = (await (await get(stack, cookie, address, 'application/json')).json()) as { entries: { name: string }[]; hasMore: boolean; cursor?: string };
  for (;;) {
    for (const entry of listing.entries) seen.add(entry.name);
    total += listing.entries.length;
    peak = Math.max(peak, rssMegabytes(stack.app.process.pid as number));
    if (!listing.hasMore) break;
    listing = (await (await get(stack, cookie, `${address}?cursor=${encodeURIComponent(listing.cursor as string)}`, 'application/json')).json()) as typeof listing;
  }
  await stack.emulator.control('latency', { ms: LATENCY_MS });
  const growth = peak - rssBefore;
  return [
    {
      id: 'B5',
      what: 'first page of a 100,000-entry folder, no added latency (median of 5)',
      target: '<= 250 ms',
      measured: `HTML ${Math.round(htmlMs)} ms, JSON ${Math.round(jsonMs)} ms`,
      met: htmlMs <= 250 && jsonMs <= 250,
    },
    {
      id: 'B5',
      what: 'paging through all of it: RSS growth, entries reached',
      target: '<= 64 MB, each entry once',
      measured: `+${growth.toFixed(1)} MB (peak ${peak.toFixed(0)} MB); ${seen.size.toLocaleString('en-US')} distinct of ${total.toLocaleString('en-US')} delivered`,
      met: growth <= 64 && seen.size === HUGE_SIZE && total === HUGE_SIZE,
    },
  ];
}

async function coldStart(stack: BenchStack): Promise<Row> {
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const port = await freePort();
    const started = performance.now();
    const app = await startServerProcess(appEnv(port, stack.redisUrl, stack.emulator.url), { compiled: true });
    times.push(performance.now() - started);
    await app.stop();
  }
  const ms = median(times);
  return { id: 'B6', what: 'cold start: process start to the first 200 on /healthz (build excluded), median of 3', target: '<= 1 s', measured: `${Math.round(ms)} ms`, met: ms <= 1000 };
}

async function sessionFootprint(stack: BenchStack): Promise<Row> {
  const { sessions, sessionBytes, credentialBytes } = await stack.sessionFootprint();
  const perSession = sessionBytes + credentialBytes;
  return { id: 'B7', what: `bytes per connected session in Redis (MEMORY USAGE, session + credentials, ${sessions} sessions)`, target: '<= 1.5 KB', measured: `${Math.round(perSession)} bytes`, met: perSession <= 1536 };
}

async function main(): Promise<void> {
  const stack = await startBenchStack(LATENCY_MS);
  const rows: Row[] = [];
  try {
    await stack.emulator.control('folder', { path: HUNDRED, count: 100 });
    await stack.emulator.control('folder', { path: HUGE, count: HUGE_SIZE });
    const cookies = await stack.connect(20);
    for (const cookie of cookies) await get(stack, cookie, '/browse');
    if (wanted('B1')) rows.push(await upstreamCallsPerView(stack, cookies[0]));
    if (wanted('B2')) rows.push(await redisCommandsPerView(stack, cookies[1]));
    if (wanted('B3')) rows.push(...(await throughput(stack, cookies[2])));
    if (wanted('B4')) rows.push(await refreshBurst(stack, cookies[3]));
    if (wanted('B5')) rows.push(...(await hugeFolder(stack, cookies[4])));
    if (wanted('B6')) rows.push(await coldStart(stack));
    if (wanted('B7')) rows.push(await sessionFootprint(stack));
  } finally {
    await stack.close();
  }
  const header = `Dropview benchmarks: ${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model} (${cpus().length} cores), Node ${process.version}, emulator latency ${LATENCY_MS} ms`;
  const table = ['| | measure | target | measured | met |', '|---|---|---|---|---|', ...rows.map((row) => `| ${row.id} | ${row.what} | ${row.target} | ${row.measured} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`)].join('\n');
  console.log(`${header}\n\n${table}`);
  if (ONLY) return;
  writeFileSync(path.join(__dirname, 'results.md'), `# Benchmark results\n\n${header}\n\n${table}\n\nReproduce with \`npm install && npm run bench\`.\n`);
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack}`);
  process.exit(1);
});
