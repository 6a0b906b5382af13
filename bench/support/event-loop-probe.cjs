'use strict';
// Preloaded into an app under benchmark (NODE_OPTIONS=--require <this file>), the same way into
// Dropview and into the baseline: it measures how late the app's event loop runs its timers
// (perf_hooks.monitorEventLoopDelay). On SIGUSR2 it writes what it saw since the last signal to
// EVENT_LOOP_PROBE_FILE and starts again, so the benchmark can read one figure per load phase.
const { renameSync, writeFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const file = process.env.EVENT_LOOP_PROBE_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let sequence = 0;
  const nsToMs = (ns) => Number((ns / 1e6).toFixed(2));
  process.on('SIGUSR2', () => {
    sequence += 1;
    const report = { sequence, samples: histogram.count, p50Ms: nsToMs(histogram.percentile(50)), p99Ms: nsToMs(histogram.percentile(99)), maxMs: nsToMs(histogram.max) };
    // Written aside and renamed, so a reader never sees half a report.
    writeFileSync(`${file}.partial`, JSON.stringify(report));
    renameSync(`${file}.partial`, file);
    histogram.reset();
  });
}
