import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { buildAndCheck } from './scenarios/build-and-check';
import { largeFolders } from './scenarios/large-folders';
import { metricsOverhead } from './scenarios/metrics-overhead';
import { pageViews } from './scenarios/page-views';
import { streamsAndSessions } from './scenarios/streams-and-sessions';
import { versusBaseline } from './scenarios/versus-baseline';
import { zipStream } from './scenarios/zip-stream';
import { tableOf, type Row } from './support/rows';

/**
 * `npm run bench`: every scenario, each against its own Redis, Dropbox emulator and compiled
 * Dropview processes; prints the table and writes it to bench/results.md.
 * BENCH_ONLY=folders,streams runs some of them (results.md is then left as it is).
 */

const SCENARIOS: Record<string, { title: string; run: () => Promise<Row[]> }> = {
  views: { title: 'Page views: Dropbox calls, Redis commands, refresh, cold start, session size (20 ms per Dropbox call)', run: pageViews },
  baseline: { title: 'Against the straightforward app (bench/baseline/): same run, Redis, emulator and load; production, LOG_LEVEL=info, 20 ms per Dropbox call', run: versusBaseline },
  folders: { title: 'Folders of any size (150 ms per Dropbox call plus 0.1 ms per entry, two instances)', run: largeFolders },
  streams: { title: 'Event streams and anonymous requests', run: streamsAndSessions },
  build: { title: 'Build and type-check (what a newcomer waits for)', run: buildAndCheck },
  metrics: { title: 'What the Prometheus metrics cost (METRICS_TOKEN set or not, 20 ms per Dropbox call)', run: metricsOverhead },
  zip: { title: 'A folder as a .zip: memory while streaming (150 ms per Dropbox call)', run: zipStream },
};

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !SCENARIOS[name]);
  if (unknown?.length) throw new Error(`BENCH_ONLY names unknown scenarios: ${unknown.join(', ')} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const sections: string[] = [];
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only && !only.includes(name)) continue;
    const started = Date.now();
    const rows = await scenario.run();
    const section = `## ${scenario.title}\n\n${tableOf(rows)}\n\n(${name}: ${Math.round((Date.now() - started) / 1000)} s)`;
    console.log(`${section}\n`);
    sections.push(section);
  }
  const header = `Dropview benchmarks: ${new Date().toISOString().slice(0, 10)}, ${cpus()[0].model.trim()} (${cpus().length} cores), Node ${process.version}, production mode, default log level`;
  if (only) return;
  writeFileSync(
    path.join(__dirname, 'results.md'),
    `# Benchmark results\n\n${header}\n\n${sections.join('\n\n')}\n\nReproduce with \`npm install && npm run bench\` (BENCH_ONLY=<scenario>,... for some).\n`,
  );
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack}`);
  process.exit(1);
});
