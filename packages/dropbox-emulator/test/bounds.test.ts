import { BoundedMap, RingBuffer } from '../src/bounded';
import type { DropboxEmulator } from '../src';
import { listFolder, startEmulator, tokenFor } from './support/harness';

/** Memory stays flat: every journal, cache and registry has a ceiling and drops its oldest first. */

describe('Bounds', () => {
  test('when a ring buffer is pushed past its capacity, then it keeps the newest items and still counts them all', () => {
    const ring = new RingBuffer<number>(3);
    for (let n = 0; n < 5; n += 1) ring.push(n);
    expect([ring.length, ring.firstHeld, [...ring.from()], [...ring.from(3)], ring.at(1)]).toEqual([5, 2, [2, 3, 4], [3, 4], undefined]);
  });

  test('when a bounded map is full, then setting a new key forgets the oldest one', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...map.entries()]).toEqual([
      ['b', 2],
      ['c', 4],
    ]);
  });

  describe('the call journal', () => {
    let emulator: DropboxEmulator;
    beforeAll(async () => {
      emulator = await startEmulator({ journalSize: 5 });
    });
    afterAll(async () => emulator.close());

    test('when more calls come than it holds, then it keeps the last ones, and length and slice still mark positions', async () => {
      const token = await tokenFor(emulator);
      const mark = emulator.journal.length;
      for (let n = 0; n < 7; n += 1) await listFolder(emulator, token, { path: '' });
      expect(emulator.journal.length).toBe(mark + 7);
      expect(emulator.journal.slice()).toHaveLength(5);
      expect(emulator.journal.slice(mark + 5).map((call) => call.route)).toEqual(['files/list_folder', 'files/list_folder']);
      expect(emulator.calls('files/list_folder')).toHaveLength(5);
    });
  });
});
