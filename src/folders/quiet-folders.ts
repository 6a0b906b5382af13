import { LRUCache } from 'lru-cache';

/**
 * Folders Dropbox has vouched for: known unchanged without a freshness check per view.
 *
 * After a check (or a read) leaves a folder index at a cursor, one Dropbox longpoll is held on
 * that cursor. A longpoll answers `changes: true` at once if anything changed after its cursor,
 * and as soon as something does; so while it is held and has not said so, the index is as
 * fresh as a list_folder/continue would make it, and a view serves it without one. That call
 * was over a third of the CPU of a view of an unchanged folder (`npm run bench`, B3b: 1.43 ms
 * per view with it, 0.65 to 0.89 ms without) and is one Dropbox call per view fewer. A change shows on the view
 * after Dropbox's longpoll reports it, which real Dropbox does within a second or two.
 *
 * A longpoll vouches only once it has been held long enough to have reached Dropbox
 * (`settleMs`: twice as long as Dropbox's answers take now): a change made while it is still
 * on its way is reported only once it arrives, and a view in between would show the folder
 * as it was.
 *
 * Bounded, so a wrong answer cannot last: a folder is trusted `trustMs` after its last check at
 * most (a notify host that hangs, a grant revoked at Dropbox: the next check finds out), and
 * at most `folders` are watched per process, the least recently viewed dropped first. A
 * longpoll that fails, or asks to back off, ends the trust until the next check.
 */

/** Dropbox's list_folder/longpoll (no token: the cursor is the credential). */
export interface Longpoller {
  longpoll(cursor: string, timeoutSeconds: number, signal: AbortSignal): Promise<{ changes: boolean; backoffSeconds?: number }>;
}

export interface QuietFoldersOptions {
  /** How long after its last check a quiet folder is trusted; 0 trusts none (every view checks). */
  trustMs: number;
  /** Folders watched at once (each holds a longpoll socket). */
  folders: number;
  /** How long a longpoll must have been held before it vouches, read as each one is sent (default 0). */
  settleMs?: () => number;
  now?: () => number;
}

interface Watch {
  /** The cursor the longpoll was sent with. */
  polled: string;
  /** The newest cursor a check reached from `polled` (or one after it) finding nothing changed; vouched for as well. */
  cursor: string;
  /** From when the longpoll vouches: it has had time to reach Dropbox. */
  settledAt: number;
  /** When the check (or read) that produced `cursor` finished. */
  checkedAt: number;
  abort: AbortController;
}

/** Dropbox's shortest longpoll; a longer one would outlast the trust anyway. */
const LONGPOLL_SECONDS = 30;

export class QuietFolders {
  /** Only watches whose longpoll is still held: one that ends, or is replaced or evicted, leaves. */
  private readonly watches: LRUCache<string, Watch>;
  private readonly now: () => number;
  /** Folders whose longpoll asked for a pause (`backoff`), until when. */
  private readonly backoffUntil = new Map<string, number>();
  /** After close: checks still finishing for requests in flight start no longpoll. */
  private closed = false;

  constructor(
    private readonly longpoller: Longpoller,
    private readonly options: QuietFoldersOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.watches = new LRUCache<string, Watch>({ max: Math.max(1, options.folders), dispose: (watch) => watch.abort.abort() });
  }

  /** Longpolls held now. */
  get size(): number {
    return this.watches.size;
  }

  /** Whether index `id` at `cursor` can be served without a check: its longpoll is held and quiet, and its last check is recent. */
  isQuiet(id: string, cursor: string): boolean {
    const watch = this.watches.get(id);
    const now = this.now();
    return watch !== undefined && (watch.cursor === cursor || watch.polled === cursor) && now >= watch.settledAt && now - watch.checkedAt < this.options.trustMs;
  }

  /**
   * A check (or read) just left index `id` at `cursor`: watch the folder from there. `from`: the
   * check began at that cursor and found nothing changed, so a longpoll held on it vouches for
   * `cursor` as well (anything after one is after the other) and is kept, settled as it is. The
   * longpoll's own cursor stays vouched for: a sync with the store brings the index back to it
   * (the newest cursor is written back only now and then).
   */
  checked(id: string, cursor: string, from?: string): void {
    if (this.options.trustMs <= 0 || !cursor || this.closed) return;
    const current = this.watches.get(id);
    const known = (value: string | undefined) => value !== undefined && (current?.cursor === value || current?.polled === value);
    if (current && (known(cursor) || known(from))) {
      current.cursor = cursor;
      current.checkedAt = this.now();
      return;
    }
    const pausedUntil = this.backoffUntil.get(id);
    if (pausedUntil !== undefined) {
      if (this.now() < pausedUntil) return;
      this.backoffUntil.delete(id);
    }
    const sentAt = this.now();
    const watch: Watch = { polled: cursor, cursor, settledAt: sentAt + (this.options.settleMs?.() ?? 0), checkedAt: sentAt, abort: new AbortController() };
    // Replacing the entry disposes of the old watch, whose longpoll is aborted.
    this.watches.set(id, watch);
    this.longpoller.longpoll(cursor, LONGPOLL_SECONDS, watch.abort.signal).then(
      ({ backoffSeconds }) => {
        // Dropbox's pause holds whatever the answer was.
        if (backoffSeconds) this.pause(id, backoffSeconds * 1000);
        this.forgetWatch(id, watch);
      },
      () => this.forgetWatch(id, watch),
    );
  }

  /** Index `id` must be checked on its next view (a check failed, or the folder is known to have changed). */
  forget(id: string): void {
    this.watches.delete(id);
  }

  /** Ends every longpoll (at shutdown); none is started after. */
  close(): void {
    this.closed = true;
    this.watches.clear();
    this.backoffUntil.clear();
  }

  private pause(id: string, ms: number): void {
    const now = this.now();
    // Pauses that ran out are dropped before they could outnumber the folders watched.
    if (this.backoffUntil.size >= this.options.folders) for (const [other, until] of this.backoffUntil) if (until <= now) this.backoffUntil.delete(other);
    this.backoffUntil.set(id, now + ms);
  }

  /** A longpoll ended: its watch leaves, unless a newer one has taken its place already. */
  private forgetWatch(id: string, watch: Watch): void {
    if (this.watches.peek(id) === watch) this.watches.delete(id);
  }
}
