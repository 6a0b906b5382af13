/**
 * Makes the demo's Viewers photos (packages/dropbox-emulator/src/sample-photos.ts): four
 * 1024x683 gradient JPEGs, encoded once here and committed, because encoding them whenever an
 * emulator starts cost every test stack seconds. Run with `npx tsx scripts/make-sample-photos.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gradientJpeg } from '../packages/dropbox-emulator/src/images';

const OUTPUT = path.join(__dirname, '..', 'packages', 'dropbox-emulator', 'src', 'sample-photos.ts');

const PHOTOS: [string, [number, number, number], [number, number, number]][] = [
  ['Harbour at dawn.jpg', [30, 60, 140], [250, 190, 120]],
  ['Lighthouse.jpg', [200, 40, 40], [250, 240, 220]],
  ['Olive grove.jpg', [60, 100, 30], [220, 230, 150]],
  ['Night market.jpg', [20, 10, 60], [240, 160, 40]],
];

const entries = PHOTOS.map(([name, from, to]) => {
  const lines =
    gradientJpeg(1024, 683, from, to)
      .toString('base64')
      .match(/.{1,120}/g) ?? [];
  return `  [\n    ${JSON.stringify(name)},\n    Buffer.from(\n      [\n${lines.map((line) => `        '${line}',`).join('\n')}\n      ].join(''),\n      'base64',\n    ),\n  ],`;
});
writeFileSync(
  OUTPUT,
  `/** The Viewers folder's photos: 1024x683 gradient JPEGs made by scripts/make-sample-photos.ts (encoding them at every start cost seconds). */\nexport const SAMPLE_PHOTOS: [string, Buffer][] = [\n${entries.join('\n')}\n];\n`,
);
console.log(`${OUTPUT}: ${PHOTOS.length} photos`);
