import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { appEnv, connectUser, rssMegabytes, startApp, startEmulator, startRedis, VIA_PROXY, type AppProcess } from '../support/processes';
import type { Row } from '../support/rows';

/**
 * A folder as a .zip through Dropview (issue 14): a 1 GiB folder of virtual files (the emulator
 * makes their bytes as it sends them, holding none) streamed from files/download_zip through
 * the app to a client, once as fast as the client reads and once with a client that stops
 * reading for a while. The app's RSS is sampled throughout: back-pressure keeps it flat.
 */

const FILES = 16;
const FILE_BYTES = 64 * 1024 * 1024;
const FOLDER = 'Zip bench';
const SAMPLE_MS = 50;
const PAUSE_MS = 3000;

interface Streamed {
  bytes: number;
  seconds: number;
  peakGrowthMb: number;
  rssBeforeMb: number;
  /** RSS growth at the end of the client's pause (the slow client only). */
  pausedGrowthMb?: number;
}

/** Downloads the zip, sampling the app's RSS; `pauseAfterBytes` makes the client stop reading once for PAUSE_MS. */
function streamZip(app: AppProcess, cookie: string, pauseAfterBytes?: number): Promise<Streamed> {
  const rssBeforeMb = rssMegabytes(app.pid);
  let peak = rssBeforeMb;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMegabytes(app.pid))), SAMPLE_MS);
  const started = Date.now();
  return new Promise<Streamed>((resolve, reject) => {
    const request = http.get(`${app.url}/zip/${encodeURIComponent(FOLDER)}`, { headers: { ...VIA_PROXY, Cookie: cookie } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`zip answered ${response.statusCode}`));
      let bytes = 0;
      let paused = pauseAfterBytes === undefined;
      let pausedGrowthMb: number | undefined;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!paused && bytes >= (pauseAfterBytes ?? 0)) {
          paused = true;
          response.pause();
          void delay(PAUSE_MS).then(() => {
            pausedGrowthMb = rssMegabytes(app.pid) - rssBeforeMb;
            response.resume();
          });
        }
      });
      response.on('end', () => {
        clearInterval(sampler);
        resolve({ bytes, seconds: (Date.now() - started) / 1000, peakGrowthMb: peak - rssBeforeMb, rssBeforeMb, pausedGrowthMb });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** The exact size of the emulator's stored zip: per file a 30-byte local header, the name, the bytes and a 16-byte descriptor; per entry a 46-byte central header and the name; 22 bytes at the end. */
function expectedZipBytes(): number {
  const names = [`${FOLDER}/`, ...Array.from({ length: FILES }, (_, n) => `${FOLDER}/part ${n + 1}.bin`)];
  const local = names.reduce((sum, name, index) => sum + 30 + Buffer.byteLength(name) + (index === 0 ? 0 : FILE_BYTES + 16), 0);
  const central = names.reduce((sum, name) => sum + 46 + Buffer.byteLength(name), 0);
  return local + central + 22;
}

export async function zipStream(): Promise<Row[]> {
  const redis = await startRedis();
  // 150 ms per call, as people feel Dropbox; the bytes themselves come as fast as the loopback carries them.
  const emulator = await startEmulator({ latencyMs: 150 });
  let app: AppProcess | undefined;
  try {
    for (let n = 1; n <= FILES; n += 1) await emulator.control('files', { path: `/${FOLDER}/part ${n}.bin`, size: FILE_BYTES });
    app = await startApp(appEnv(redis.url, emulator.url));
    const cookie = await connectUser(app.url);
    // A warm-up of the route and its code paths, so the figures below are the stream's alone.
    await fetch(`${app.url}/browse/${encodeURIComponent(FOLDER)}`, { headers: { ...VIA_PROXY, Cookie: cookie } }).then((response) => response.text());
    const fast = await streamZip(app, cookie);
    await delay(500);
    const slow = await streamZip(app, cookie, 256 * 1024 * 1024);
    const expected = expectedZipBytes();
    const gib = (FILES * FILE_BYTES) / 1024 ** 3;
    return [
      {
        id: 'B9',
        what: `RSS growth of the app while it streams a ${gib} GiB folder (${FILES} files) as a .zip to a client reading at full speed`,
        target: 'flat: under 64 MB, whatever the size',
        measured: `${fast.peakGrowthMb.toFixed(1)} MB peak growth (RSS ${Math.round(fast.rssBeforeMb)} MB before); ${(fast.bytes / 1024 ** 2).toFixed(0)} MiB in ${fast.seconds.toFixed(1)} s (${(fast.bytes / 1024 ** 2 / fast.seconds).toFixed(0)} MiB/s), ${fast.bytes === expected ? 'every byte' : `${expected - fast.bytes} bytes short`}`,
        met: fast.peakGrowthMb < 64 && fast.bytes === expected,
      },
      {
        id: 'B9b',
        what: `the same with a client that stops reading for ${PAUSE_MS / 1000} s after 256 MiB (back-pressure reaches Dropbox)`,
        target: 'flat: under 64 MB',
        measured: `${slow.peakGrowthMb.toFixed(1)} MB peak growth, ${(slow.pausedGrowthMb ?? 0).toFixed(1)} MB at the end of the pause; ${slow.bytes === expected ? 'every byte' : `${expected - slow.bytes} bytes short`}`,
        met: slow.peakGrowthMb < 64 && slow.bytes === expected,
      },
    ];
  } finally {
    await app?.stop();
    await emulator.stop();
    await redis.stop();
  }
}
