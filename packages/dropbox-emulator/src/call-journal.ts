import { EventEmitter } from 'node:events';
import { RingBuffer } from './bounded';

/**
 * What clients sent: one entry per token, authorize and /2/ call, kept so tests can check what
 * an app did (which grant, which header, which status). Bounded: it holds the last `capacity`
 * calls (default 10,000), so a long demo or soak run does not grow it without end.
 */

export interface JournalEntry {
  /** `oauth2/token`, `oauth2/authorize` or the RPC route such as `files/list_folder`. */
  route: string;
  grantType?: string;
  /** Names of the query-string parameters: token calls should carry none (secrets stay out of URLs). */
  queryKeys: string[];
  /** The bearer token presented, so tests can tell which grant a call used. */
  bearer?: string;
  /** The account the call acted for, once known (from its token, code or refresh token). */
  accountId?: string;
  /** The Dropbox-API-Path-Root header, when sent. */
  pathRoot?: string;
  /** The PKCE verifier a code exchange carried. */
  codeVerifier?: string;
  /** The refresh token a refresh presented: one per connection, so it tells sessions apart. */
  refreshToken?: string;
  /** ms since epoch. */
  at: number;
  status?: number;
  /** Bytes of the body sent, once the answer has ended (finished, or cut off by the client). */
  bytesSent?: number;
  /** The client went away before the whole answer was sent (a download it abandoned). */
  cutOff?: boolean;
}

export const DEFAULT_JOURNAL_SIZE = 10_000;

/**
 * Reads like the array it used to be: `length` counts every call ever recorded and
 * `slice(from)` returns the calls from that count on (those still held), so
 * `const mark = journal.length; ...; journal.slice(mark)` gives the calls in between.
 */
export class CallJournal {
  private readonly entries: RingBuffer<JournalEntry>;
  /** Tells waiters of each recorded call, so tests await a call instead of polling for it. */
  private readonly recorded = new EventEmitter().setMaxListeners(0);

  constructor(capacity = DEFAULT_JOURNAL_SIZE) {
    this.entries = new RingBuffer(capacity);
  }

  get length(): number {
    return this.entries.length;
  }

  get capacity(): number {
    return this.entries.capacity;
  }

  record(entry: JournalEntry): void {
    this.entries.push(entry);
    this.recorded.emit('entry', entry);
  }

  /** Resolves with the next call recorded from now on that `matches`; rejects after `timeoutMs`. */
  next(matches: (entry: JournalEntry) => boolean, timeoutMs: number, what: string): Promise<JournalEntry> {
    return new Promise((resolve, reject) => {
      const onEntry = (entry: JournalEntry) => {
        if (!matches(entry)) return;
        clearTimeout(timer);
        this.recorded.off('entry', onEntry);
        resolve(entry);
      };
      const timer = setTimeout(() => {
        this.recorded.off('entry', onEntry);
        reject(new Error(`the emulator received no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.recorded.on('entry', onEntry);
    });
  }

  slice(from = 0): JournalEntry[] {
    return [...this.entries.from(from)];
  }

  filter(keep: (entry: JournalEntry) => boolean): JournalEntry[] {
    return this.slice().filter(keep);
  }
}
