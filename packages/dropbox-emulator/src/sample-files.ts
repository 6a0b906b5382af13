import type { FileTree } from './tree/file-tree';
import { gradientJpeg } from './images';

/**
 * The demo account's files: nested folders, a folder of 2,500 files, images, and names with
 * spaces and non-Latin characters, so that demo mode shows what real accounts throw at the app.
 */

export const BIG_FOLDER = '/Big folder (2,500 files)';
export const BIG_FOLDER_SIZE = 2500;

export function addSampleFiles(tree: FileTree): void {
  const day = (iso: string) => new Date(`${iso}T10:30:00Z`);
  tree.addFile('/Welcome to Dropview.txt', {
    content: 'This is a demo Dropbox served by the Dropview emulator.\nBrowse around: nothing here leaves your machine.\n',
    modified: day('2026-11-20'),
  });
  tree.addFile('/Photos/2024 Trip/Beach.jpg', { content: gradientJpeg(640, 400, [20, 120, 200], [240, 220, 160]), modified: day('2024-07-14') });
  tree.addFile('/Photos/2024 Trip/Sunset over the bay.jpg', { content: gradientJpeg(640, 400, [250, 120, 40], [60, 20, 90]), modified: day('2024-07-15') });
  tree.addFile('/Photos/2024 Trip/Forest.jpg', { content: gradientJpeg(640, 400, [20, 90, 40], [150, 200, 120]), modified: day('2024-07-16') });
  tree.addFile('/Photos/Family.jpg', { content: gradientJpeg(480, 480, [200, 60, 90], [250, 200, 210]), modified: day('2023-12-24') });
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
