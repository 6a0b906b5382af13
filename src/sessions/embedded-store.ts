import session, { type SessionData } from 'express-session';
import type { SessionRenewed } from './redis-session-store';

/**
 * The session store for a single machine without Redis. Unlike express-session's MemoryStore
 * it expires sessions and holds a bounded number of them, dropping the least recently used
 * first, so it cannot grow without bound. Sessions of connected people and sign-ins still in
 * flight are held apart, each with its own bound: however many sign-ins are started (an
 * attacker's loop), no connected person is pushed out. Like the Redis store, a destroyed
 * session stays destroyed: a request in flight at logout cannot write it back.
 */

/** Longer than any request can be in flight. */
const TOMBSTONE_TTL_MS = 10 * 60 * 1000;

export interface EmbeddedStoreOptions {
  /** Connected sessions held at most. */
  maxSessions?: number;
  /** Sessions of sign-ins in flight held at most. */
  maxPending?: number;
  /** Used when a session's cookie carries no expiry. */
  defaultTtlMs?: number;
  sweepIntervalMs?: number;
  now?: () => number;
  renewed?: SessionRenewed;
}

interface Entry {
  json: string;
  expiresAt: number;
}

type Callback = (err?: unknown, data?: SessionData | null) => void;

/** A map kept in least-recently-used order (Map iteration follows insertion). */
class Bounded<V> {
  readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Inserts (or moves to the most recent end) and drops the least recently used beyond the bound. */
  put(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export class EmbeddedSessionStore extends session.Store {
  private readonly connected: Bounded<Entry>;
  private readonly pending: Bounded<Entry>;
  /** Destroyed sessions, until no request of theirs can be in flight: value = until when. */
  private readonly ended: Bounded<number>;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly renewed: SessionRenewed;

  constructor(options: EmbeddedStoreOptions = {}) {
    super();
    const maxSessions = options.maxSessions ?? 10_000;
    this.connected = new Bounded(maxSessions);
    this.pending = new Bounded(options.maxPending ?? Math.max(100, Math.floor(maxSessions / 10)));
    this.ended = new Bounded(maxSessions);
    this.defaultTtlMs = options.defaultTtlMs ?? 24 * 3_600_000;
    this.now = options.now ?? Date.now;
    this.renewed = options.renewed ?? (async () => undefined);
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  /** Live sessions held, connected or signing in. */
  get size(): number {
    return this.connected.entries.size + this.pending.entries.size;
  }

  override get(sid: string, callback: Callback): void {
    const held = this.connected.get(sid) ? this.connected : this.pending;
    const entry = held.get(sid);
    if (!entry || entry.expiresAt <= this.now()) {
      held.delete(sid);
      return callback(undefined, null);
    }
    held.put(sid, entry);
    callback(undefined, JSON.parse(entry.json) as SessionData);
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    if ((this.ended.get(sid) ?? 0) > this.now()) return callback?.();
    this.connected.delete(sid);
    this.pending.delete(sid);
    (data.connectedAt !== undefined ? this.connected : this.pending).put(sid, { json: JSON.stringify(data), expiresAt: this.expiryOf(data) });
    this.renewed(sid, data).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override touch(sid: string, data: SessionData, callback?: () => void): void {
    const held = this.connected.get(sid) ? this.connected : this.pending;
    const entry = held.get(sid);
    if (!entry) return callback?.();
    entry.expiresAt = this.expiryOf(data);
    held.put(sid, entry);
    this.renewed(sid, data).then(
      () => callback?.(),
      () => callback?.(),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.connected.delete(sid);
    this.pending.delete(sid);
    this.ended.put(sid, this.now() + TOMBSTONE_TTL_MS);
    callback?.();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.connected.entries.clear();
    this.pending.entries.clear();
    this.ended.entries.clear();
  }

  private expiryOf(data: SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : this.now() + this.defaultTtlMs;
  }

  private sweep(): void {
    const now = this.now();
    for (const held of [this.connected, this.pending]) for (const [sid, entry] of held.entries) if (entry.expiresAt <= now) held.delete(sid);
    for (const [sid, until] of this.ended.entries) if (until <= now) this.ended.delete(sid);
  }
}
