import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../redis/connection';
import { redisCall } from './deadline';

/**
 * Where a session's Dropbox credentials live: beside the session, not inside it. express-session
 * saves whole sessions, last write wins, so credentials inside them could be overwritten by a
 * slow request holding an old copy, or brought back by one finishing after logout. Here every
 * write is a compare-and-set on a version: a write based on stale credentials, or on
 * credentials deleted at logout, does nothing.
 */

/** A session's Dropbox credentials; both tokens sealed (encrypted). */
export interface StoredCredentials {
  accessToken: string;
  /** ms since epoch: issue time + expires_in minus the 100 s buffer. */
  expiresAt: number;
  refreshToken: string;
  accountId: string;
  /** Changes on every write; the compare in compare-and-set. */
  version: string;
}

export type NewCredentials = Omit<StoredCredentials, 'version'>;
export type RefreshedAccess = Pick<StoredCredentials, 'accessToken' | 'expiresAt'>;

export interface RefreshLock {
  release(): Promise<void>;
}

export interface CredentialStore {
  get(sid: string): Promise<StoredCredentials | undefined>;
  /** Stores the credentials of a new connection, replacing any; they expire after `ttlMs`. */
  put(sid: string, credentials: NewCredentials, ttlMs: number): Promise<StoredCredentials>;
  /** Writes a refreshed access token only if the stored version is still `expectedVersion`. */
  replaceAccess(sid: string, expectedVersion: string, access: RefreshedAccess): Promise<StoredCredentials | undefined>;
  delete(sid: string): Promise<void>;
  /** The per-session refresh lock, or undefined while another holder has it. */
  tryLock(sid: string, ttlMs: number): Promise<RefreshLock | undefined>;
}

function newVersion(): string {
  return randomBytes(9).toString('base64url');
}

/** Field names kept short: these hashes are read on every page view. */
const FIELDS = { accessToken: 'at', expiresAt: 'exp', refreshToken: 'rt', accountId: 'acct', version: 'v' } as const;

const PUT_SCRIPT = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'exp', ARGV[2], 'rt', ARGV[3], 'acct', ARGV[4], 'v', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1`;

const REPLACE_ACCESS_SCRIPT = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'at', ARGV[2], 'exp', ARGV[3], 'v', ARGV[4])
return 1`;

const RELEASE_LOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisCredentialStore implements CredentialStore {
  constructor(
    private readonly client: RedisConnection,
    /** e.g. `dropview:`; credentials go under `<namespace>cred:<sid>`, locks under `<namespace>lock:<sid>`. */
    private readonly namespace: string,
  ) {}

  async get(sid: string): Promise<StoredCredentials | undefined> {
    const hash = await redisCall(this.client.hGetAll(this.credentialsKey(sid)));
    if (!hash[FIELDS.version]) return undefined;
    return {
      accessToken: hash[FIELDS.accessToken],
      expiresAt: Number(hash[FIELDS.expiresAt]),
      refreshToken: hash[FIELDS.refreshToken],
      accountId: hash[FIELDS.accountId],
      version: hash[FIELDS.version],
    };
  }

  async put(sid: string, credentials: NewCredentials, ttlMs: number): Promise<StoredCredentials> {
    const stored = { ...credentials, version: newVersion() };
    await redisCall(
      this.client.eval(PUT_SCRIPT, [this.credentialsKey(sid)], [stored.accessToken, String(stored.expiresAt), stored.refreshToken, stored.accountId, stored.version, String(Math.ceil(ttlMs))]),
    );
    return stored;
  }

  async replaceAccess(sid: string, expectedVersion: string, access: RefreshedAccess): Promise<StoredCredentials | undefined> {
    const version = newVersion();
    const written = await redisCall(
      this.client.eval(REPLACE_ACCESS_SCRIPT, [this.credentialsKey(sid)], [expectedVersion, access.accessToken, String(access.expiresAt), version]),
    );
    return written === 1 ? this.get(sid) : undefined;
  }

  async delete(sid: string): Promise<void> {
    await redisCall(this.client.del(this.credentialsKey(sid)));
  }

  async tryLock(sid: string, ttlMs: number): Promise<RefreshLock | undefined> {
    const key = `${this.namespace}lock:${sid}`;
    const owner = newVersion();
    const acquired = await redisCall(this.client.set(key, owner, ttlMs, true));
    if (!acquired) return undefined;
    return {
      // Only the owner releases: a lock that expired and was taken by another holder stays theirs.
      release: async () => {
        await redisCall(this.client.eval(RELEASE_LOCK_SCRIPT, [key], [owner]));
      },
    };
  }

  private credentialsKey(sid: string): string {
    return `${this.namespace}cred:${sid}`;
  }
}

/** The same contract in this process's memory, for the embedded (single-instance) mode. */
export class MemoryCredentialStore implements CredentialStore {
  /** As many as the embedded session store holds; the oldest connection goes first. */
  static readonly MAX_ENTRIES = 10_000;

  private readonly entries = new Map<string, { credentials: StoredCredentials; expiresAt: number }>();
  private readonly locks = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(sid: string): Promise<StoredCredentials | undefined> {
    const entry = this.entries.get(sid);
    if (entry && entry.expiresAt <= this.now()) this.entries.delete(sid);
    return entry && entry.expiresAt > this.now() ? { ...entry.credentials } : undefined;
  }

  async put(sid: string, credentials: NewCredentials, ttlMs: number): Promise<StoredCredentials> {
    const stored = { ...credentials, version: newVersion() };
    this.entries.delete(sid);
    this.entries.set(sid, { credentials: stored, expiresAt: this.now() + ttlMs });
    if (this.entries.size > MemoryCredentialStore.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return { ...stored };
  }

  async replaceAccess(sid: string, expectedVersion: string, access: RefreshedAccess): Promise<StoredCredentials | undefined> {
    const entry = this.entries.get(sid);
    if (!entry || entry.credentials.version !== expectedVersion) return undefined;
    entry.credentials = { ...entry.credentials, ...access, version: newVersion() };
    return { ...entry.credentials };
  }

  async delete(sid: string): Promise<void> {
    this.entries.delete(sid);
  }

  async tryLock(sid: string): Promise<RefreshLock | undefined> {
    if (this.locks.has(sid)) return undefined;
    this.locks.add(sid);
    return { release: async () => void this.locks.delete(sid) };
  }
}
