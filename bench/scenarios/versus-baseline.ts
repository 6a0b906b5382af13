import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import {
  appEnv,
  BENCH_BASE_URL,
  BENCH_SECRETS,
  connectUser,
  cpuMs,
  freePort,
  median,
  ROOT,
  startApp,
  startBaseline,
  startEmulator,
  startRedis,
  VIA_PROXY,
  type AppProcess,
  type EmulatorProcess,
} from '../support/processes';
import type { Row } from '../support/rows';

/**
 * B3: Dropview against the app a developer following the common refresh-token gist writes
 * (bench/baseline/), one after the other in the same run, on the same Redis and emulator,
 * under the same load: production mode behind a TLS proxy, default log level, 20 ms per
 * Dropbox call, a 100-entry folder of Dropbox-sized entries, 50 connections each with its own
 * session (and its own Dropbox account, so no session finds another's folder already read).
 * Two phases per app: (a) every session's first view inside the load, (b) the same sessions
 * again, each already seen. Rounds alternate which app goes first; each figure is the median
 * of the rounds.
 */

export const FOLDER = '/Bench/Hundred';
export const SESSIONS = 50;
const ROUNDS = Number(process.env.BENCH_B3_ROUNDS ?? 3);
const FIRST_VIEW_SECONDS = 10;
const WARMED_SECONDS = 15;
const PROBE = path.join(ROOT, 'bench', 'support', 'event-loop-probe.cjs');

type AppName = 'baseline' | 'Dropview';

interface PhaseFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  non2xx: number;
  /** Connections that failed or timed out. */
  errors: number;
  cpuMsPerView: number;
  loopDelayP99Ms: number;
}

interface EventLoopReport {
  sequence: number;
  p99Ms: number;
}

/** Asks the app's event-loop probe for what it saw since it was last asked (and to start again). */
async function eventLoopDelay(app: AppProcess, file: string): Promise<EventLoopReport> {
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as EventLoopReport).sequence : 0;
  app.child.kill('SIGUSR2');
  for (let waited = 0; waited < 5000; waited += 10) {
    if (existsSync(file)) {
      const report = JSON.parse(readFileSync(file, 'utf8')) as EventLoopReport;
      if (report.sequence > previous) return report;
    }
    await delay(10);
  }
  throw new Error('the event-loop probe did not answer');
}

/** 50 connections, each with its own session cookie, for `seconds`: what the load saw and what it cost the app. */
async function load(app: AppProcess, probeFile: string, cookies: string[], seconds: number): Promise<PhaseFigures> {
  let next = 0;
  await eventLoopDelay(app, probeFile);
  const cpuBefore = cpuMs(app.pid);
  const result = await autocannon({
    url: `${app.url}/browse${FOLDER}`,
    connections: cookies.length,
    duration: seconds,
    headers: { ...VIA_PROXY, Accept: 'text/html' },
    setupClient: (client) => client.setHeaders({ ...VIA_PROXY, Accept: 'text/html', Cookie: cookies[next++ % cookies.length] }),
  });
  const cpu = cpuMs(app.pid) - cpuBefore;
  const loop = await eventLoopDelay(app, probeFile);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuMsPerView: cpu / result.requests.total,
    loopDelayP99Ms: loop.p99Ms,
  };
}

/** `count` sessions (50), each with a Dropbox account of its own holding the same 100-entry folder, signed in through `app`; `round` keeps accounts apart. */
export async function connectSessions(emulator: EmulatorProcess, app: AppProcess, round: number, count = SESSIONS): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { accountId } = await emulator.control<{ accountId: string }>('accounts', { givenName: 'Bench', surname: `User ${round}-${i}`, email: `bench-${round}-${i}@example.com` });
    await emulator.control('generate', { path: FOLDER, count: 100, kind: 'files', seed: 7, accountId });
    await emulator.control('sign-in', { accountId });
    cookies.push(await connectUser(app.url));
  }
  return cookies;
}

async function startCompetitor(name: AppName, redisUrl: string, emulatorUrl: string, probeFile: string): Promise<AppProcess> {
  const probe = { NODE_OPTIONS: `--require ${PROBE}`, EVENT_LOOP_PROBE_FILE: probeFile };
  const env = appEnv(redisUrl, emulatorUrl, probe);
  if (name === 'Dropview') return startApp(env);
  return startBaseline({ ...env, BASE_URL: BENCH_BASE_URL, SESSION_SECRET: BENCH_SECRETS.SESSION_SECRET }, await freePort());
}

async function measure(name: AppName, redisUrl: string, emulator: EmulatorProcess, round: number): Promise<{ first: PhaseFigures; warmed: PhaseFigures }> {
  const probeFile = path.join(tmpdir(), `dropview-bench-loop-${process.pid}-${name}-${round}.json`);
  const app = await startCompetitor(name, redisUrl, emulator.url, probeFile);
  try {
    const cookies = await connectSessions(emulator, app, round * 2 + (name === 'Dropview' ? 1 : 0));
    const first = await load(app, probeFile, cookies, FIRST_VIEW_SECONDS);
    const warmed = await load(app, probeFile, cookies, WARMED_SECONDS);
    return { first, warmed };
  } finally {
    await app.stop();
    rmSync(probeFile, { force: true });
  }
}

function medianOf(runs: PhaseFigures[]): PhaseFigures {
  const of = (key: keyof PhaseFigures) => median(runs.map((run) => run[key]));
  return {
    requestsPerSecond: of('requestsPerSecond'),
    p50: of('p50'),
    p99: of('p99'),
    p999: of('p999'),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    cpuMsPerView: of('cpuMsPerView'),
    loopDelayP99Ms: of('loopDelayP99Ms'),
  };
}

const figuresOf = (phase: PhaseFigures) =>
  `${Math.round(phase.requestsPerSecond)} req/s; p50 ${phase.p50} ms, p99 ${phase.p99} ms, p99.9 ${phase.p999} ms; ${phase.non2xx} non-2xx, ${phase.errors} errors (all rounds); app CPU ${phase.cpuMsPerView.toFixed(2)} ms per view; event-loop delay p99 ${phase.loopDelayP99Ms.toFixed(1)} ms`;

const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}x`;

export async function versusBaseline(): Promise<Row[]> {
  const redis = await startRedis();
  const emulator = await startEmulator({ latencyMs: 20 });
  const runs: Record<AppName, { first: PhaseFigures[]; warmed: PhaseFigures[] }> = { baseline: { first: [], warmed: [] }, Dropview: { first: [], warmed: [] } };
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const order: AppName[] = round % 2 === 0 ? ['baseline', 'Dropview'] : ['Dropview', 'baseline'];
      for (const name of order) {
        const { first, warmed } = await measure(name, redis.url, emulator, round);
        runs[name].first.push(first);
        runs[name].warmed.push(warmed);
      }
    }
  } finally {
    await emulator.stop();
    await redis.stop();
  }
  const ours = { first: medianOf(runs.Dropview.first), warmed: medianOf(runs.Dropview.warmed) };
  const theirs = { first: medianOf(runs.baseline.first), warmed: medianOf(runs.baseline.warmed) };
  const setting = `${SESSIONS} connections, each its own session, ${FOLDER} (100 entries), median of ${ROUNDS} rounds`;
  return [
    { id: 'B3a', what: `baseline, every session's first view in the load (${FIRST_VIEW_SECONDS} s; ${setting})`, target: '', measured: figuresOf(theirs.first) },
    { id: 'B3a', what: `Dropview, every session's first view in the load (${FIRST_VIEW_SECONDS} s)`, target: '', measured: figuresOf(ours.first) },
    {
      id: 'B3a',
      what: 'first views: Dropview req/s against the baseline',
      target: '>= 1x',
      measured: `${ratio(ours.first.requestsPerSecond, theirs.first.requestsPerSecond)} (${Math.round(ours.first.requestsPerSecond)} / ${Math.round(theirs.first.requestsPerSecond)})`,
      met: ours.first.requestsPerSecond >= theirs.first.requestsPerSecond,
    },
    {
      id: 'B3a',
      what: 'first views: Dropview p99 against the baseline',
      target: '<= 1.2x',
      measured: `${ratio(ours.first.p99, theirs.first.p99)} (${ours.first.p99} / ${theirs.first.p99} ms)`,
      met: ours.first.p99 <= 1.2 * theirs.first.p99,
    },
    { id: 'B3b', what: `baseline, sessions warmed first (${WARMED_SECONDS} s)`, target: '', measured: figuresOf(theirs.warmed) },
    { id: 'B3b', what: `Dropview, sessions warmed first (${WARMED_SECONDS} s)`, target: '', measured: figuresOf(ours.warmed) },
    {
      id: 'B3b',
      what: 'warmed: Dropview app CPU per view against the baseline',
      target: '<= 0.67x',
      measured: `${ratio(ours.warmed.cpuMsPerView, theirs.warmed.cpuMsPerView)} (${ours.warmed.cpuMsPerView.toFixed(2)} / ${theirs.warmed.cpuMsPerView.toFixed(2)} ms)`,
      met: ours.warmed.cpuMsPerView <= 0.67 * theirs.warmed.cpuMsPerView,
    },
    {
      id: 'B3b',
      what: 'warmed: Dropview req/s against the baseline',
      target: '>= 1x',
      measured: `${ratio(ours.warmed.requestsPerSecond, theirs.warmed.requestsPerSecond)} (${Math.round(ours.warmed.requestsPerSecond)} / ${Math.round(theirs.warmed.requestsPerSecond)})`,
      met: ours.warmed.requestsPerSecond >= theirs.warmed.requestsPerSecond,
    },
    {
      id: 'B3b',
      what: 'warmed: Dropview p99 against the baseline',
      target: '<= 1x',
      measured: `${ratio(ours.warmed.p99, theirs.warmed.p99)} (${ours.warmed.p99} / ${theirs.warmed.p99} ms)`,
      met: ours.warmed.p99 <= theirs.warmed.p99,
    },
  ];
}
