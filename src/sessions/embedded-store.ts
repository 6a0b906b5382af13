import session, { type SessionData } from 'express-session';

/**
 * The session store for a single machine without Redis. Unlike express-session's MemoryStore
 * it expires sessions and holds at most `maxSessions` of them, dropping the least recently
 * used first, so it cannot grow without bound. Like the Redis store, a destroyed session stays
 * destroyed: a request in flight at logout cannot write it back.
 */

/** Longer than any request can be in flight. */
const TOMBSTONE_TTL_MS = 10 * 60 * 1000;

export interface EmbeddedStoreOptions {
  maxSessions?: number;
  /** Used when a session's cookie carries no expiry. */
  defaultTtlMs?: number;
  sweepIntervalMs?: number;
  now?: () => number;
}

interface Entry {
  /** Undefined for a destroyed session's tombstone. */
  json?: string;
  expiresAt: number;
}

type Callback = (err?: unknown, data?: SessionData | null) => void;

export class EmbeddedSessionStore extends session.Store {
  private readonly entries = new Map<string, Entry>();
  private readonly maxSessions: number;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: EmbeddedStoreOptions = {}) {
    super();
    this.maxSessions = options.maxSessions ?? 10_000;
    this.defaultTtlMs = options.defaultTtlMs ?? 24 * 3_600_000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  override get(sid: string, callback: Callback): void {
    const entry = this.entries.get(sid);
    if (!entry || entry.expiresAt <= this.now()) {
      this.entries.delete(sid);
      return callback(undefined, null);
    }
    if (entry.json === undefined) return callback(undefined, null);
    this.markRecentlyUsed(sid, entry);
    callback(undefined, JSON.parse(entry.json) as SessionData);
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    const existing = this.entries.get(sid);
    if (existing && existing.json === undefined && existing.expiresAt > this.now()) return callback?.();
    this.entries.delete(sid);
    this.entries.set(sid, { json: JSON.stringify(data), expiresAt: this.expiryOf(data) });
    while (this.entries.size > this.maxSessions) this.entries.delete(this.entries.keys().next().value as string);
    callback?.();
  }

  override touch(sid: string, data: SessionData, callback?: () => void): void {
    const entry = this.entries.get(sid);
    if (entry?.json !== undefined) {
      entry.expiresAt = this.expiryOf(data);
      this.markRecentlyUsed(sid, entry);
    }
    callback?.();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.entries.delete(sid);
    this.entries.set(sid, { expiresAt: this.now() + TOMBSTONE_TTL_MS });
    callback?.();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private expiryOf(data: SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : this.now() + this.defaultTtlMs;
  }

  /** Map iteration follows insertion order, so re-inserting keeps the oldest use first. */
  private markRecentlyUsed(sid: string, entry: Entry): void {
    this.entries.delete(sid);
    this.entries.set(sid, entry);
  }

  private sweep(): void {
    const now = this.now();
    for (const [sid, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(sid);
  }
}
