import { deflateSync } from 'node:zlib';
import type { FileTree } from './file-tree';

/**
 * The demo account's files: nested folders, a folder of 2,500 files, images, and names with
 * spaces and non-Latin characters, so that demo mode shows what real accounts throw at the app.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A small gradient PNG, so image files have real, viewable bytes. */
export function gradientPng(width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const t = (x + y) / (width + height - 2);
      for (let channel = 0; channel < 3; channel += 1) row[1 + x * 3 + channel] = Math.round(from[channel] + (to[channel] - from[channel]) * t);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const BIG_FOLDER = '/Big folder (2,500 files)';
export const BIG_FOLDER_SIZE = 2500;

export function addSampleFiles(tree: FileTree): void {
  const day = (iso: string) => new Date(`${iso}T10:30:00Z`);
  tree.addFile('/Welcome to Dropview.txt', {
    content: 'This is a demo Dropbox served by the Dropview emulator.\nBrowse around: nothing here leaves your machine.\n',
    modified: day('2026-11-20'),
  });
  tree.addFile('/Photos/2024 Trip/Beach.png', { content: gradientPng(320, 200, [20, 120, 200], [240, 220, 160]), modified: day('2024-07-14') });
  tree.addFile('/Photos/2024 Trip/Sunset over the bay.png', { content: gradientPng(320, 200, [250, 120, 40], [60, 20, 90]), modified: day('2024-07-15') });
  tree.addFile('/Photos/2024 Trip/Forest.png', { content: gradientPng(320, 200, [20, 90, 40], [150, 200, 120]), modified: day('2024-07-16') });
  tree.addFile('/Photos/Family.png', { content: gradientPng(240, 240, [200, 60, 90], [250, 200, 210]), modified: day('2023-12-24') });
  tree.addFile('/Documents/Budget 2026.csv', { content: 'month,amount\nJanuary,1200\nFebruary,1150\n', modified: day('2026-02-01') });
  tree.addFile('/Documents/Notes.md', { content: '# Notes\n\n- call the plumber\n- renew passport\n', modified: day('2026-10-03') });
  tree.addFile('/Documents/Report 2024.pdf', { content: Buffer.alloc(184_320, 0x25), modified: day('2025-01-31') });
  tree.addFile('/Documents/Projects/Dropview/Plan.txt', { content: 'Connect, browse, download.\n', modified: day('2026-11-01') });
  tree.addFile('/Music/Morning theme.mp3', { content: Buffer.alloc(3_400_000, 0x11), modified: day('2022-05-09') });
  tree.addFile('/Ünïcødé & spaces/日本語のファイル.txt', { content: 'こんにちは\n', modified: day('2025-03-03') });
  tree.addFile("/Ünïcødé & spaces/Zoë's café notes.md", { content: 'Crème brûlée.\n', modified: day('2025-03-04') });
  tree.addFolder('/Empty folder');
  for (let n = 1; n <= BIG_FOLDER_SIZE; n += 1) {
    tree.addFile(`${BIG_FOLDER}/file ${n}.txt`, { content: `This is file number ${n}.\n`, modified: new Date(Date.UTC(2025, 0, 1) + n * 3_600_000) });
  }
}
