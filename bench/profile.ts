import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { connectSessions, FOLDER, SESSIONS } from './scenarios/versus-baseline';
import { startBenchStack } from './support/bench-stack';
import { VIA_PROXY } from './support/processes';

/**
 * `npm run bench:profile`: B3's warmed load (a 100-entry folder page, 50 connections, each its
 * own session and Dropbox account, default log level) with the app in `node --cpu-prof`, then
 * the functions that took the most CPU. PROFILE_FIRST_VIEWS=1 leaves the sessions cold, so the
 * load starts with every session's first view (B3a); PROFILE_METRICS=1 turns the metrics on
 * (METRICS_TOKEN) and says how much of the app's busy time they took (B8's question, asked
 * without the noise of comparing processes). The .cpuprofile file stays in bench/profiles/
 * for Chrome DevTools.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

async function main(): Promise<void> {
  const directory = path.join(__dirname, 'profiles');
  const metrics = process.env.PROFILE_METRICS === '1';
  const env: Record<string, string> = metrics ? { METRICS_TOKEN: 'bench-metrics-token-Zq8vR2xK7mW4pL9sT3nB6cY1dF5gH0jE' } : {};
  const stack = await startBenchStack({ latencyMs: 20, env, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${directory}`] });
  try {
    const cookies = await connectSessions(stack.emulator, stack.app, 0);
    if (process.env.PROFILE_FIRST_VIEWS !== '1') for (const cookie of cookies) await (await fetch(`${stack.app.url}/browse${FOLDER}`, { headers: { ...VIA_PROXY, Cookie: cookie } })).text();
    let next = 0;
    const result = await autocannon({
      url: `${stack.app.url}/browse${FOLDER}`,
      connections: SESSIONS,
      duration: Number(process.env.PROFILE_SECONDS ?? 10),
      headers: { ...VIA_PROXY, Accept: 'text/html' },
      setupClient: (client) => client.setHeaders({ ...VIA_PROXY, Accept: 'text/html', Cookie: cookies[next++ % cookies.length] }),
    });
    console.log(`${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${result.non2xx} non-2xx under the profiler`);
  } finally {
    await stack.close();
  }
  const newest = readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .pop() as string;
  const profile = JSON.parse(readFileSync(path.join(directory, newest), 'utf8')) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((sum, node) => sum + node.hitCount, 0);
  const idle = profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + node.hitCount, 0);
  if (metrics) {
    const isMetrics = (url: string) => url.includes('/node_modules/prom-client/') || url.endsWith('/telemetry/prometheus.js') || url.endsWith('/middleware/request-metrics.js');
    const hits = profile.nodes.filter((node) => isMetrics(node.callFrame.url)).reduce((sum, node) => sum + node.hitCount, 0);
    console.log(`metrics (prom-client, telemetry/prometheus, the request hook), self time: ${((hits / (total - idle)) * 100).toFixed(1)} % of the app's busy time`);
  }
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.hitCount);
  }
  console.log(`self time, top 30 of ${newest}:`);
  for (const [key, hits] of [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

main().catch((error: Error) => {
  console.error(`profile failed: ${error.stack}`);
  process.exit(1);
});
