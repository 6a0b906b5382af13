import type { DropboxEmulator } from '../src';
import { control, listAll, startEmulator, tokenFor } from './support/harness';

/** Big folders: a phone's camera uploads (or documents), reproducible by seed, shuffled. */

let emulator: DropboxEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator({ controlApi: true });
  token = await tokenFor(emulator);
});
afterAll(async () => emulator.close());

/** The share of neighbouring pairs that are in ascending order: about 0.5 for a shuffle, 1 for a sorted list. */
function ascendingShare<T>(values: T[], compare: (a: T, b: T) => number): number {
  let ascending = 0;
  for (let i = 1; i < values.length; i += 1) if (compare(values[i - 1], values[i]) < 0) ascending += 1;
  return ascending / (values.length - 1);
}

describe('The big-folder generator', () => {
  test('when 5,000 photos are generated, then names are unique IMG_<date>_<time>.jpg, sizes 0.5-8 MB and dates spread over years', async () => {
    emulator.addPhotos('/Camera Uploads', 5000, 42);
    const { entries } = await listAll(emulator, token, { path: '/Camera Uploads' });
    expect(entries).toHaveLength(5000);
    expect(new Set(entries.map((entry) => entry.name.toLowerCase())).size).toBe(5000);
    for (const entry of entries) {
      expect(entry.name).toMatch(/^IMG_20(19|2[0-5])[01]\d[0-3]\d_[0-2]\d[0-5]\d[0-5]\d\.jpg$/);
      expect(entry.size).toBeGreaterThanOrEqual(500_000);
      expect(entry.size).toBeLessThanOrEqual(8_000_000);
    }
    const years = new Set(entries.map((entry) => entry.server_modified.slice(0, 4)));
    expect(years.size).toBeGreaterThanOrEqual(5);
  });

  test('when the listing order is compared with name, date and size order, then it follows none of them', async () => {
    const { entries } = await listAll(emulator, token, { path: '/Camera Uploads' });
    const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    for (const share of [
      ascendingShare(
        entries.map((entry) => entry.name),
        byString,
      ),
      ascendingShare(
        entries.map((entry) => entry.server_modified),
        byString,
      ),
      ascendingShare(
        entries.map((entry) => entry.size),
        (a, b) => a - b,
      ),
    ]) {
      expect(share).toBeGreaterThan(0.4);
      expect(share).toBeLessThan(0.6);
    }
  });

  test('when the same seed is used again (in another emulator), then the folder is the same entry for entry, in the same order; another seed differs', async () => {
    const again = await startEmulator();
    try {
      again.addPhotos('/Camera Uploads', 5000, 42);
      again.addPhotos('/Other seed', 5000, 43);
      const truth = (source: DropboxEmulator, path: string) => source.groundTruth(path).map(({ name, size, modified }) => `${name} ${size} ${modified}`);
      expect(truth(again, '/Camera Uploads')).toEqual(truth(emulator, '/Camera Uploads'));
      expect(truth(again, '/Other seed')).not.toEqual(truth(emulator, '/Camera Uploads'));
    } finally {
      await again.close();
    }
  });

  test('when documents are generated over the control API, then GET /__emulator/entries gives the ground truth list_folder reports', async () => {
    const generated = await control(emulator, 'generate', { path: '/Work/Archive', count: 300, kind: 'files', seed: 7 });
    expect(generated).toEqual({ status: 200, body: { path: '/Work/Archive', count: 300, kind: 'files', seed: 7 } });
    const truth = await control<{ entries: { name: string; kind: string; size: number; modified: string }[] }>(emulator, 'entries?path=%2FWork%2FArchive');
    const { entries } = await listAll(emulator, token, { path: '/Work/Archive' });
    expect(truth.body.entries).toEqual(entries.map((entry) => ({ name: entry.name, kind: 'file', size: entry.size, modified: entry.server_modified })));
    expect(entries[0].name).toMatch(/^[A-Z][a-z]+ [a-z0-9]+ \d{5}\.[a-z]+$/);
  });

  test('when the request is not one the generator can make, then the control API says what is wrong', async () => {
    expect(await control(emulator, 'generate', { path: '/X', count: 0, kind: 'photos' })).toEqual({ status: 400, body: { error: expect.stringMatching(/count/) } });
    expect(await control(emulator, 'generate', { path: '/X', count: 5, kind: 'videos' })).toEqual({ status: 400, body: { error: expect.stringMatching(/kind/) } });
  });
});
