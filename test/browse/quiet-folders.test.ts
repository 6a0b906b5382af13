import { QuietFolders, type Longpoller } from '../../src/folders/quiet-folders';

/**
 * The bounds of trusting a quiet longpoll (src/folders/quiet-folders.ts), with a longpoller
 * the test answers by hand: what the HTTP tests (folder-index.test.ts) cannot time exactly.
 */

interface Held {
  cursor: string;
  signal: AbortSignal;
  answer(result: { changes: boolean; backoffSeconds?: number }): void;
  fail(): void;
}

function handAnsweredLongpoller(): Longpoller & { held: Held[] } {
  const held: Held[] = [];
  return {
    held,
    longpoll: (cursor, _timeoutSeconds, signal) =>
      new Promise((resolve, reject) => {
        held.push({ cursor, signal, answer: resolve, fail: () => reject(new Error('notify host failed')) });
      }),
  };
}

/** Lets the longpoll's answer reach QuietFolders (it is handled in a promise callback). */
const answered = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Trusting a quiet folder', () => {
  let clock = 0;
  const now = () => clock;

  test('when a folder was checked and its longpoll is held, then it is quiet at that cursor only, until the trust runs out', () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 30_000, folders: 8, now });
    quiet.checked('index', 'cursor-1');

    expect(longpoller.held.map((poll) => poll.cursor)).toEqual(['cursor-1']);
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(true);
    expect(quiet.isQuiet('index', 'cursor-0')).toBe(false);
    clock += 30_000;
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(false);
    // A check that finds the same cursor renews the trust on the longpoll already held.
    quiet.checked('index', 'cursor-1');
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(true);
    expect(longpoller.held).toHaveLength(1);
  });

  test('when the longpoll was sent less than the settle time ago, then it does not vouch yet: it may not have reached Dropbox', () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 30_000, folders: 8, settleMs: () => 300, now });
    quiet.checked('index', 'cursor-1');
    clock += 299;
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(false);
    clock += 1;
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(true);
  });

  test('when a check from the watched cursor finds nothing changed, then the longpoll held on it vouches for the new cursor too', () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 30_000, folders: 8, settleMs: () => 300, now });
    quiet.checked('index', 'cursor-1');
    clock += 300;
    quiet.checked('index', 'cursor-2', 'cursor-1');

    expect(longpoller.held).toHaveLength(1);
    expect(quiet.isQuiet('index', 'cursor-2')).toBe(true);
    // A sync with the store may bring the index back to the longpoll's own cursor: still vouched for.
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(true);
    quiet.checked('index', 'cursor-2b', 'cursor-1');
    expect(longpoller.held).toHaveLength(1);
    // A check that found changes starts over: a new longpoll, settling again.
    quiet.checked('index', 'cursor-3');
    expect(longpoller.held).toHaveLength(2);
    expect(quiet.isQuiet('index', 'cursor-3')).toBe(false);
  });

  test('when the longpoll answers, fails or is replaced, then the folder is no longer quiet', async () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 30_000, folders: 8, now });

    quiet.checked('changed', 'c1');
    longpoller.held[0].answer({ changes: true });
    quiet.checked('failed', 'f1');
    longpoller.held[1].fail();
    await answered();
    expect(quiet.isQuiet('changed', 'c1')).toBe(false);
    expect(quiet.isQuiet('failed', 'f1')).toBe(false);

    quiet.checked('moved', 'm1');
    quiet.checked('moved', 'm2');
    expect(longpoller.held[2].signal.aborted).toBe(true);
    expect(quiet.isQuiet('moved', 'm2')).toBe(true);
    expect(quiet.size).toBe(1);
  });

  test('when the longpoll asks to back off, then the folder is not watched again until the pause is over', async () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 30_000, folders: 8, now });
    quiet.checked('index', 'cursor-1');
    longpoller.held[0].answer({ changes: true, backoffSeconds: 60 });
    await answered();

    quiet.checked('index', 'cursor-1');
    expect(longpoller.held).toHaveLength(1);
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(false);
    clock += 60_000;
    quiet.checked('index', 'cursor-1');
    expect(longpoller.held).toHaveLength(2);
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(true);
  });

  test('when more folders are checked than it watches, then the least recently viewed one is dropped and its longpoll aborted', () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 30_000, folders: 2, now });
    quiet.checked('a', 'a1');
    quiet.checked('b', 'b1');
    expect(quiet.isQuiet('a', 'a1')).toBe(true);
    quiet.checked('c', 'c1');

    expect(longpoller.held.map((poll) => [poll.cursor, poll.signal.aborted])).toEqual([
      ['a1', false],
      ['b1', true],
      ['c1', false],
    ]);
    expect(quiet.isQuiet('b', 'b1')).toBe(false);
  });

  test('when it was closed, then its longpolls are aborted and a check finishing late starts none', () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 30_000, folders: 8, now });
    quiet.checked('index', 'cursor-1');
    quiet.close();
    quiet.checked('late', 'cursor-9');

    expect(longpoller.held.map((poll) => [poll.cursor, poll.signal.aborted])).toEqual([['cursor-1', true]]);
    expect(quiet.size).toBe(0);
  });

  test('when the trust is 0, then nothing is watched and no folder is quiet', () => {
    const longpoller = handAnsweredLongpoller();
    const quiet = new QuietFolders(longpoller, { trustMs: 0, folders: 8, now });
    quiet.checked('index', 'cursor-1');
    expect(longpoller.held).toEqual([]);
    expect(quiet.isQuiet('index', 'cursor-1')).toBe(false);
  });
});
