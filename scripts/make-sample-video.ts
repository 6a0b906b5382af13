/**
 * Makes the demo's sample video (packages/dropbox-emulator/src/sample-video.ts): two seconds of
 * a moving gradient, recorded as WebM (VP8) by Chromium's MediaRecorder from a canvas, because
 * no video encoder ships with Node. Run once with `npx tsx scripts/make-sample-video.ts`; the
 * output is committed, so neither the emulator nor its users need a browser.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const OUTPUT = path.join(__dirname, '..', 'packages', 'dropbox-emulator', 'src', 'sample-video.ts');

/** The length of the recording, in ms (WebM's default timecode scale). */
const DURATION_MS = 2000;

const RECORD_IN_PAGE = `(async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  const context = canvas.getContext('2d');
  const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 150000 });
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start();
  const started = performance.now();
  await new Promise((resolve) => {
    const draw = () => {
      const t = (performance.now() - started) / ${DURATION_MS};
      const gradient = context.createLinearGradient(0, 0, 320, 180);
      gradient.addColorStop(0, 'hsl(' + Math.round(200 + t * 120) + ', 70%, 45%)');
      gradient.addColorStop(1, 'hsl(' + Math.round(30 + t * 60) + ', 80%, 60%)');
      context.fillStyle = gradient;
      context.fillRect(0, 0, 320, 180);
      context.fillStyle = '#fff';
      context.font = 'bold 28px sans-serif';
      context.fillText('Dropview', 20 + t * 160, 100);
      if (t < 1) requestAnimationFrame(draw);
      else resolve();
    };
    draw();
  });
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
})()`;

async function main(): Promise<void> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    // Sent as text: a compiled function would carry the TypeScript runner's helpers, unknown in the page.
    const base64 = await page.evaluate<string>(RECORD_IN_PAGE);
    const lines = base64.match(/.{1,120}/g) ?? [];
    writeFileSync(
      OUTPUT,
      `/** A two-second WebM (VP8, 320x180) for the demo's Viewers folder, made by scripts/make-sample-video.ts (Chromium's MediaRecorder). */\nexport const SAMPLE_VIDEO_WEBM = Buffer.from(\n  [\n${lines.map((line) => `    '${line}',`).join('\n')}\n  ].join(''),\n  'base64',\n);\n`,
    );
    console.log(`${OUTPUT}: ${Math.round((base64.length * 3) / 4)} bytes of video`);
  } finally {
    await browser.close();
  }
}

void main();
