import { FolderSnapshot, type Change, type IndexEntry } from '../../src/folders/folder-snapshot';
import { decodeBatch, encodeBatch } from '../../src/folders/index-codec';
import { displayComparator, indexAfter, type SortChoice } from '../../src/folders/sort-order';
import { Sealer } from '../../src/crypto/sealer';

/**
 * The in-memory folder: every order over the whole folder, kept right as pages of a first
 * listing and change feeds are applied, checked against a plain sort of what the folder holds.
 */

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const CHOICES: SortChoice[] = (['name', 'size', 'modified'] as const).flatMap((key) => (['asc', 'desc'] as const).map((order) => ({ key, order })));

/**
 * The documented order, written out independently: folders first; by the key (files only);
 * then by name; then by lower-case name. Names are ranked once, so the other orders are numeric.
 */
function expectedOrders(entries: IndexEntry[]): (choice: SortChoice) => string[] {
  const byName = [...entries].sort((a, b) => collator.compare(a.name, b.name) || (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
  const rank = new Map(byName.map((entry, index) => [entry, index]));
  return (choice) => {
    const sign = choice.order === 'asc' ? 1 : -1;
    return [...entries]
      .sort((a, b) => {
        if (a.folder !== b.folder) return a.folder ? -1 : 1;
        const reverse = a.folder ? (choice.key === 'name' ? sign : 1) : sign;
        const key = a.folder || choice.key === 'name' ? 0 : a[choice.key] - b[choice.key];
        return reverse * (key || (rank.get(a) as number) - (rank.get(b) as number));
      })
      .map((entry) => entry.lower);
  };
}

/** Where two orders first differ (with a few neighbours), or undefined; cheaper than a deep equality of 100,000 strings. */
function firstDifference(actual: string[], expected: string[]): object | undefined {
  const at = actual.findIndex((lower, index) => lower !== expected[index]);
  if (at < 0 && actual.length === expected.length) return undefined;
  const from = Math.max(0, at - 2);
  return { at, length: [actual.length, expected.length], actual: actual.slice(from, from + 5), expected: expected.slice(from, from + 5) };
}

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Names as a camera writes them, and now and then one with letters beyond ASCII (compared by the collator, not a key). */
function photo(next: () => number, n: number): IndexEntry {
  const name = n % 97 === 0 ? `Été ${n}.jpg` : `IMG_${20180101 + Math.floor(next() * 60000)}_${String(n).padStart(6, '0')}.jpg`;
  return { folder: false, name, lower: name.toLowerCase(), size: Math.floor(next() * 8_000_000), modified: 1_500_000_000 + Math.floor(next() * 200_000_000), rev: n.toString(16).padStart(9, '0') };
}

function folder(name: string): IndexEntry {
  return { folder: true, name, lower: name.toLowerCase(), size: 0, modified: 0 };
}

const upsert = (entry: IndexEntry): Change => ({ kind: 'upsert', entry });

describe('A folder held in memory', () => {
  test('when 100,000 entries arrive in pages of 2,000, then every order covers the whole folder', () => {
    const next = random(7);
    const entries = [...Array.from({ length: 99_990 }, (_, n) => photo(next, n)), ...Array.from({ length: 10 }, (_, n) => folder(`Album ${n}`))].sort(() => next() - 0.5);
    const snapshot = new FolderSnapshot();
    for (let start = 0; start < entries.length; start += 2000) {
      snapshot.apply(entries.slice(start, start + 2000).map(upsert));
      snapshot.inNameOrder();
    }
    expect(snapshot.size).toBe(100_000);
    const expected = expectedOrders(entries);
    for (const choice of CHOICES)
      expect(
        firstDifference(
          snapshot.order(choice).map((entry) => entry.lower),
          expected(choice),
        ),
      ).toBeUndefined();
  });

  test('when changes arrive one by one or in bulk, then the orders stay what a fresh sort gives', () => {
    const next = random(11);
    let current = new Map<string, IndexEntry>();
    const snapshot = new FolderSnapshot();
    const initial = Array.from({ length: 2000 }, (_, n) => photo(next, n));
    snapshot.apply(initial.map(upsert));
    for (const entry of initial) current.set(entry.lower, entry);
    for (const choice of CHOICES) snapshot.order(choice);

    for (let round = 0; round < 20; round += 1) {
      const changes: Change[] = [];
      const count = round % 5 === 0 ? 300 : 1 + Math.floor(next() * 10);
      const names = [...current.keys()];
      for (let i = 0; i < count; i += 1) {
        const roll = next();
        if (roll < 0.4) changes.push(upsert(photo(next, 10_000 + round * 1000 + i)));
        else if (roll < 0.7) {
          const lower = names[Math.floor(next() * names.length)];
          changes.push(upsert({ ...(current.get(lower) as IndexEntry), size: Math.floor(next() * 9_000_000), modified: 1_700_000_000 + i }));
        } else changes.push({ kind: 'delete', lower: names[Math.floor(next() * names.length)] });
      }
      snapshot.apply(changes);
      current = new Map(current);
      for (const change of changes) {
        if (change.kind === 'upsert') current.set(change.entry.lower, change.entry);
        else current.delete(change.lower);
      }
      const expected = expectedOrders([...current.values()]);
      for (const choice of CHOICES)
        expect(
          firstDifference(
            snapshot.order(choice).map((entry) => entry.lower),
            expected(choice),
          ),
        ).toBeUndefined();
    }
  });

  test('when the same batch is applied twice, then the folder is as after once', () => {
    const snapshot = new FolderSnapshot();
    const batch: Change[] = [upsert(folder('A')), upsert(photo(random(3), 1)), { kind: 'delete', lower: 'a' }, upsert(folder('B'))];
    snapshot.apply(batch);
    const once = snapshot.order({ key: 'name', order: 'asc' }).map((entry) => entry.lower);
    snapshot.apply(batch);
    expect(snapshot.order({ key: 'name', order: 'asc' }).map((entry) => entry.lower)).toEqual(once);
    expect(once).toHaveLength(2);
  });

  test('when an order claimed to be by name is not (another collator wrote it), then it is sorted again', () => {
    const snapshot = new FolderSnapshot();
    snapshot.appendInNameOrder([folder('b'), folder('a'), folder('c')]);
    expect(snapshot.order({ key: 'name', order: 'asc' }).map((entry) => entry.name)).toEqual(['a', 'b', 'c']);
  });

  test('when a position is looked up after the row it names was deleted, then the next row is the one after it', () => {
    const snapshot = new FolderSnapshot();
    snapshot.apply(['a', 'b', 'c', 'd'].map((name) => upsert(folder(name))));
    const choice: SortChoice = { key: 'name', order: 'asc' };
    const b = snapshot.order(choice)[1];
    snapshot.apply([{ kind: 'delete', lower: 'b' }, upsert(folder('bb'))]);
    const order = snapshot.order(choice);
    expect(order[indexAfter(order, b, displayComparator(choice))].name).toBe('bb');
  });
});

describe('A folder index batch at rest', () => {
  const sealer = new Sealer(['batch-key-0123456789-0123456789-0123456789'], 'folder-index-v1');
  const changes: Change[] = [
    upsert(folder('Photos')),
    upsert({ folder: false, name: 'Ünïcødé.TXT', lower: 'ünïcødé.txt', size: 12, modified: 1_700_000_000, rev: '0123456789abc' }),
    upsert({ folder: false, name: 'ß.txt', lower: 'ss-is-not-what-dropbox-says.txt', size: 1, modified: 1, rev: undefined }),
    upsert({ folder: false, name: 'Report 2024.pdf', lower: 'report 2024.pdf', size: 1, modified: 1, rev: 'abcdef0123' }),
    { kind: 'delete', lower: 'old.jpg' },
  ];

  test('when a batch is written and read back, then every field survives', () => {
    expect(decodeBatch(encodeBatch(changes, sealer, 'index-a'), sealer, 'index-a')).toEqual(changes);
  });

  test('when a batch is read under another index, or altered, then it does not open', () => {
    const sealed = encodeBatch(changes, sealer, 'index-a');
    expect(() => decodeBatch(sealed, sealer, 'index-b')).toThrow('did not open');
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(() => decodeBatch(altered, sealer, 'index-a')).toThrow('did not open');
  });

  test('when a batch is stored, then no file name can be read from its bytes', () => {
    const sealed = encodeBatch(changes, sealer, 'index-a');
    expect(sealed.toString('latin1')).not.toContain('Photos');
  });
});
