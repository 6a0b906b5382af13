import { compareNames, nameKeyOf } from '../../src/folders/name-key';

/**
 * Name keys stand in for Intl.Collator (en, numeric, base) in every folder order, so they must
 * agree with it on every pair they both cover, and leave everything else to the collator.
 */

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const sign = (value: number) => Math.sign(value);

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('Name keys order names as the collator does', () => {
  test('when 200,000 random pairs of ASCII names are compared by key and by collator, then every answer agrees', () => {
    const alphabet = ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789000111';
    const next = random(42);
    const name = () => Array.from({ length: 1 + Math.floor(next() * 10) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const disagreements: string[] = [];
    for (let trial = 0; trial < 200_000; trial += 1) {
      const a = name();
      // Half the pairs share a prefix, where the subtle cases (numbers, punctuation, case) meet.
      const b = next() < 0.5 ? name() : a.slice(0, Math.floor(next() * a.length)) + name();
      const byKey = compareNames({ name: a }, { name: b });
      if (sign(byKey) !== sign(collator.compare(a, b)) && disagreements.length < 5) disagreements.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    expect(disagreements).toEqual([]);
  });

  test.each([
    ['file 9.txt', 'file 10.txt', -1],
    ['IMG_007.jpg', 'IMG_7.jpg', 0],
    ['Report.pdf', 'report.PDF', 0],
    ['a b', 'a-b', -1],
    ['a_b', 'a1', -1],
    ['photo (2).jpg', 'photo.jpg', -1],
  ])('when %j meets %j, then they sort as the collator says (%d)', (a, b, expected) => {
    expect(sign(compareNames({ name: a }, { name: b }))).toBe(expected);
    expect(sign(collator.compare(a, b))).toBe(expected);
  });

  test('when a name holds letters beyond ASCII, then it has no key and the collator decides', () => {
    expect(nameKeyOf('Zoë.txt')).toBeNull();
    expect(nameKeyOf('日本語.txt')).toBeNull();
    expect(sign(compareNames({ name: 'Zoe.txt' }, { name: 'Zoë.txt' }))).toBe(0);
    expect(sign(compareNames({ name: 'Éclair' }, { name: 'eclair 2' }))).toBe(-1);
  });
});
