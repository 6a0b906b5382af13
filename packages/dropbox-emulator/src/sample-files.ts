import { simpleDocx, simplePdf, simpleXlsx, toneWav } from './documents';
import type { FileTree } from './tree/file-tree';
import { gradientJpeg } from './images';
import { SAMPLE_PHOTOS } from './sample-photos';
import { SAMPLE_VIDEO_WEBM } from './sample-video';

/**
 * The demo account's files: nested folders, a folder of 2,500 files, images, and names with
 * spaces and non-Latin characters, so that demo mode shows what real accounts throw at the app;
 * a "Viewers" folder with one file of each kind Dropview previews, and "Hostile files" whose
 * content tries to run script or reach another site from the viewer.
 */

export const BIG_FOLDER = '/Big folder (2,500 files)';
export const BIG_FOLDER_SIZE = 2500;
export const VIEWERS_FOLDER = '/Viewers';
export const HOSTILE_FOLDER = '/Hostile files';

const day = (iso: string) => new Date(`${iso}T10:30:00Z`);

/**
 * The sample photos, encoded once per process: every test stack and demo start adds the same
 * files, and encoding the photos was most of the time that took.
 */
const encodedPhotos = new Map<string, Buffer>();
function samplePhoto(width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer {
  const key = `${width}x${height}:${from.join(',')}:${to.join(',')}`;
  let photo = encodedPhotos.get(key);
  if (!photo) {
    photo = gradientJpeg(width, height, from, to);
    encodedPhotos.set(key, photo);
  }
  return photo;
}

const SAMPLE_MARKDOWN = [
  '# Trip plan',
  '',
  'A **Markdown** file, rendered by Dropview with raw HTML off.',
  '',
  '## Packing list',
  '',
  '- passport',
  '- sun cream',
  '- a good book',
  '',
  '| Day | Where |',
  '| --- | --- |',
  '| 1 | Lisbon |',
  '| 2 | Sintra |',
  '',
  '```',
  'const answer = 42;',
  '```',
  '',
  'More at [Dropbox](https://www.dropbox.com/).',
  '',
].join('\n');

const SAMPLE_CODE = [
  "import { createServer } from 'node:http';",
  '',
  '/** Answers every request with a greeting. */',
  'const server = createServer((req, res) => {',
  "  res.setHeader('Content-Type', 'text/plain; charset=utf-8');",
  '  res.end(`Hello from ${req.url}\\n`);',
  '});',
  '',
  "server.listen(3000, () => console.log('listening on :3000'));",
  '',
].join('\n');

const SAMPLE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120"><circle cx="60" cy="60" r="50" fill="#0061fe"/></svg>\n';

const HOSTILE_MARKDOWN = [
  '# Nothing here runs',
  '',
  '<script>alert("markdown script")</script>',
  '',
  '<img src="x" onerror="alert(\'img onerror\')">',
  '',
  '[a javascript: link](javascript:alert("link"))',
  '',
  '[a data: link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '',
  '<iframe src="https://example.com/"></iframe>',
  '',
  '![remote image](https://example.com/tracker.png)',
  '',
].join('\n');

function addViewerSamples(tree: FileTree): void {
  SAMPLE_PHOTOS.forEach(([name, photo], index) => tree.addFile(`${VIEWERS_FOLDER}/${name}`, { content: photo, modified: day(`2025-06-0${index + 1}`) }));
  tree.addFile(`${VIEWERS_FOLDER}/Read me.txt`, { content: 'A plain text file.\nDropview shows text files up to 1 MB in the page.\n', modified: day('2025-06-10') });
  tree.addFile(`${VIEWERS_FOLDER}/Trip plan.md`, { content: SAMPLE_MARKDOWN, modified: day('2025-06-11') });
  tree.addFile(`${VIEWERS_FOLDER}/Expenses.csv`, {
    content: 'date,item,amount\n2025-06-01,"Ferry, return",24.50\n2025-06-02,Museum,12.00\n2025-06-03,"Dinner ""at the port""",48.20\n',
    modified: day('2025-06-12'),
  });
  tree.addFile(`${VIEWERS_FOLDER}/settings.json`, { content: `${JSON.stringify({ theme: 'dark', languages: ['en', 'pt'], retries: 3 }, null, 2)}\n`, modified: day('2025-06-13') });
  tree.addFile(`${VIEWERS_FOLDER}/server.ts`, { content: SAMPLE_CODE, modified: day('2025-06-14') });
  tree.addFile(`${VIEWERS_FOLDER}/Itinerary.pdf`, { content: simplePdf(['Itinerary', 'Day 1: Lisbon', 'Day 2: Sintra', 'Day 3: Porto']), modified: day('2025-06-15') });
  tree.addFile(`${VIEWERS_FOLDER}/Letter.docx`, { content: simpleDocx(['Dear reader,', 'This is a Word document; Dropbox previews it as a PDF.'], day('2025-06-16')), modified: day('2025-06-16') });
  const budget = [
    ['Item', 'Cost'],
    ['Ferry', 24.5],
    ['Museum', 12],
  ];
  tree.addFile(`${VIEWERS_FOLDER}/Budget.xlsx`, { content: simpleXlsx(budget, day('2025-06-17')), modified: day('2025-06-17') });
  tree.addFile(`${VIEWERS_FOLDER}/Chime.wav`, { content: toneWav(1.5, 660), modified: day('2025-06-18') });
  tree.addFile(`${VIEWERS_FOLDER}/Harbour clip.webm`, { content: SAMPLE_VIDEO_WEBM, modified: day('2025-06-20') });
  tree.addFile(`${VIEWERS_FOLDER}/Logo.svg`, { content: SAMPLE_SVG, modified: day('2025-06-19') });
}

/** Files whose content tries to run script or lead elsewhere: the viewers must show them as inert text. */
function addHostileSamples(tree: FileTree): void {
  tree.addFile(`${HOSTILE_FOLDER}/Tricky.md`, { content: HOSTILE_MARKDOWN, modified: day('2025-07-01') });
  tree.addFile(`${HOSTILE_FOLDER}/Formulas.csv`, {
    content: 'name,total\nAlice,"=HYPERLINK(""https://example.com/"",""click"")"\nBob,=1+2\n<script>alert(1)</script>,@SUM(A1)\n',
    modified: day('2025-07-02'),
  });
  tree.addFile(`${HOSTILE_FOLDER}/Page.html`, { content: '<!doctype html><h1>Hello</h1><script>alert("html script")</script>\n', modified: day('2025-07-03') });
  tree.addFile(`${HOSTILE_FOLDER}/Script.txt`, { content: '</pre><script>alert("text script")</script>\n', modified: day('2025-07-04') });
}

export function addSampleFiles(tree: FileTree): void {
  tree.addFile('/Welcome to Dropview.txt', {
    content: 'This is a demo Dropbox served by the Dropview emulator.\nBrowse around: nothing here leaves your machine.\n',
    modified: day('2026-11-20'),
  });
  tree.addFile('/Photos/2024 Trip/Beach.jpg', { content: samplePhoto(640, 400, [20, 120, 200], [240, 220, 160]), modified: day('2024-07-14') });
  tree.addFile('/Photos/2024 Trip/Sunset over the bay.jpg', { content: samplePhoto(640, 400, [250, 120, 40], [60, 20, 90]), modified: day('2024-07-15') });
  tree.addFile('/Photos/2024 Trip/Forest.jpg', { content: samplePhoto(640, 400, [20, 90, 40], [150, 200, 120]), modified: day('2024-07-16') });
  tree.addFile('/Photos/Family.jpg', { content: samplePhoto(480, 480, [200, 60, 90], [250, 200, 210]), modified: day('2023-12-24') });
  tree.addFile('/Documents/Budget 2026.csv', { content: 'month,amount\nJanuary,1200\nFebruary,1150\n', modified: day('2026-02-01') });
  tree.addFile('/Documents/Notes.md', { content: '# Notes\n\n- call the plumber\n- renew passport\n', modified: day('2026-10-03') });
  tree.addFile('/Documents/Report 2024.pdf', { content: Buffer.alloc(184_320, 0x25), modified: day('2025-01-31') });
  tree.addFile('/Documents/Projects/Dropview/Plan.txt', { content: 'Connect, browse, download.\n', modified: day('2026-11-01') });
  tree.addFile('/Music/Morning theme.mp3', { content: Buffer.alloc(3_400_000, 0x11), modified: day('2022-05-09') });
  tree.addFile('/Ünïcødé & spaces/日本語のファイル.txt', { content: 'こんにちは\n', modified: day('2025-03-03') });
  tree.addFile("/Ünïcødé & spaces/Zoë's café notes.md", { content: 'Crème brûlée.\n', modified: day('2025-03-04') });
  tree.addFolder('/Empty folder');
  addViewerSamples(tree);
  addHostileSamples(tree);
  for (let n = 1; n <= BIG_FOLDER_SIZE; n += 1) {
    tree.addFile(`${BIG_FOLDER}/file ${n}.txt`, { content: `This is file number ${n}.\n`, modified: new Date(Date.UTC(2025, 0, 1) + n * 3_600_000) });
  }
}
