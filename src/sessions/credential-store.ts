import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { RedisConnection } from '../redis/connection';
import { redisCall } from './deadline';

/**
 * Where a session's Dropbox credentials live: beside the session, not inside it. express-session
 * saves whole sessions, last write wins, so credentials inside them could be overwritten by a
 * slow request holding an old copy, or brought back by one finishing after logout. Here every
 * write is a compare-and-set on a version: a write based on stale credentials, or on
 * credentials deleted at logout, does nothing.
 *
 * The key of a session's credentials is a keyed hash of its id, so a session cookie does not
 * tell which Redis entry holds that person's tokens. Credentials live as long as their session
 * (the idle timeout, renewed on use, within the absolute lifetime) plus a short grace, and a
 * register of deadlines lets the grant sweeper revoke, at Dropbox, grants whose session lapsed.
 */

/** A session's Dropbox credentials; tokens and the session id sealed (encrypted). */
export interface StoredCredentials {
  accessToken: string;
  /** ms since epoch: issue time + expires_in minus the 100 s buffer. */
  expiresAt: number;
  refreshToken: string;
  accountId: string;
  /** Changes on every write; the compare in compare-and-set. */
  version: string;
  /** The storage key they were read from (keyOf): the tokens are sealed to it. Not stored. */
  key: string;
}

export type NewCredentials = Omit<StoredCredentials, 'version' | 'key'>;
export type RefreshedAccess = Pick<StoredCredentials, 'accessToken' | 'expiresAt'>;

export interface RefreshLock {
  release(): Promise<void>;
}

export interface CredentialStore {
  get(sid: string): Promise<StoredCredentials | undefined>;
  /** Stores the credentials of a new connection, replacing any; they lapse at `deadline` (ms since epoch). */
  put(sid: string, credentials: NewCredentials, deadline: number): Promise<StoredCredentials>;
  /** Writes a refreshed access token only if the stored version is still `expectedVersion`. */
  replaceAccess(sid: string, expectedVersion: string, access: RefreshedAccess): Promise<StoredCredentials | undefined>;
  /** Moves the lapse deadline (the session was used). */
  extend(sid: string, deadline: number): Promise<void>;
  delete(sid: string): Promise<void>;
  /** The per-session refresh lock, or undefined while another holder has it. */
  tryLock(sid: string, ttlMs: number): Promise<RefreshLock | undefined>;
  /**
   * Up to `limit` credentials whose deadline has passed, each taken out of the store by this
   * call alone (another instance's sweep cannot take the same ones).
   */
  takeLapsed(now: number, limit: number): Promise<StoredCredentials[]>;
  /** The storage key of a session's credentials (tests and diagnostics). */
  keyOf(sid: string): string;
}

/** Kept after the deadline, so a sweep that runs late still finds what to revoke. */
export const LAPSE_GRACE_MS = 15 * 60_000;

function newVersion(): string {
  return randomBytes(9).toString('base64url');
}

/** `<namespace>cred:<keyed hash of the session id>`: unguessable from a cookie without the server's key. */
export function credentialKeyNamer(secret: string, namespace: string): (sid: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'dropview', 'credential-key-v1', 32));
  return (sid) => `${namespace}cred:${createHmac('sha256', key).update(sid).digest('base64url').slice(0, 32)}`;
}

/** Field names kept short: these hashes are read on every page view. */
const FIELDS = { accessToken: 'at', expiresAt: 'exp', refreshToken: 'rt', accountId: 'acct', version: 'v' } as const;

function credentialsOf(hash: Record<string, string>, key: string): StoredCredentials | undefined {
  if (!hash[FIELDS.version]) return undefined;
  return {
    accessToken: hash[FIELDS.accessToken],
    expiresAt: Number(hash[FIELDS.expiresAt]),
    refreshToken: hash[FIELDS.refreshToken],
    accountId: hash[FIELDS.accountId],
    version: hash[FIELDS.version],
    key,
  };
}

const PUT_SCRIPT = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'exp', ARGV[2], 'rt', ARGV[3], 'acct', ARGV[4], 'v', ARGV[5])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
return 1`;

const REPLACE_ACCESS_SCRIPT = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'at', ARGV[2], 'exp', ARGV[3], 'v', ARGV[4])
return 1`;

const RELEASE_LOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Reads and deletes a lapsed session's credentials in one step. */
const TAKE_SCRIPT = `
local hash = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return hash`;

export class RedisCredentialStore implements CredentialStore {
  /** Lapse deadlines of every stored connection: a sorted set, member = credential key. */
  private readonly deadlinesKey: string;

  constructor(
    private readonly client: RedisConnection,
    /** e.g. `dropview:`; credentials go under `<namespace>cred:<hash>`, locks under `<namespace>lock:<hash>`. */
    private readonly namespace: string,
    readonly keyOf: (sid: string) => string,
  ) {
    this.deadlinesKey = `${namespace}grants`;
  }

  async get(sid: string): Promise<StoredCredentials | undefined> {
    const key = this.keyOf(sid);
    return credentialsOf(await redisCall(this.client.hGetAll(key), this.client), key);
  }

  async put(sid: string, credentials: NewCredentials, deadline: number): Promise<StoredCredentials> {
    const key = this.keyOf(sid);
    const stored = { ...credentials, version: newVersion(), key };
    await redisCall(
      this.client.eval(PUT_SCRIPT, [key], [stored.accessToken, String(stored.expiresAt), stored.refreshToken, stored.accountId, stored.version, String(Math.ceil(deadline + LAPSE_GRACE_MS))]),
      this.client,
    );
    await this.register(key, deadline);
    return stored;
  }

  async replaceAccess(sid: string, expectedVersion: string, access: RefreshedAccess): Promise<StoredCredentials | undefined> {
    const version = newVersion();
    const written = await redisCall(this.client.eval(REPLACE_ACCESS_SCRIPT, [this.keyOf(sid)], [expectedVersion, access.accessToken, String(access.expiresAt), version]), this.client);
    return written === 1 ? this.get(sid) : undefined;
  }

  async extend(sid: string, deadline: number): Promise<void> {
    const key = this.keyOf(sid);
    await redisCall(this.client.command(key, false, ['PEXPIREAT', key, String(Math.ceil(deadline + LAPSE_GRACE_MS))]), this.client);
    await this.register(key, deadline);
  }

  async delete(sid: string): Promise<void> {
    const key = this.keyOf(sid);
    await redisCall(this.client.del(key), this.client);
    await redisCall(this.client.command(this.deadlinesKey, false, ['ZREM', this.deadlinesKey, key]), this.client);
  }

  async tryLock(sid: string, ttlMs: number): Promise<RefreshLock | undefined> {
    const key = this.keyOf(sid).replace(`${this.namespace}cred:`, `${this.namespace}lock:`);
    const owner = newVersion();
    const acquired = await redisCall(this.client.set(key, owner, ttlMs, true), this.client);
    if (!acquired) return undefined;
    return {
      // Only the owner releases: a lock that expired and was taken by another holder stays theirs.
      release: async () => {
        await redisCall(this.client.eval(RELEASE_LOCK_SCRIPT, [key], [owner]), this.client);
      },
    };
  }

  async takeLapsed(now: number, limit: number): Promise<StoredCredentials[]> {
    const keys = await redisCall(this.client.command<string[]>(this.deadlinesKey, true, ['ZRANGEBYSCORE', this.deadlinesKey, '-inf', String(now), 'LIMIT', '0', String(limit)]), this.client);
    const taken: StoredCredentials[] = [];
    for (const key of keys) {
      // ZREM answers 1 to one caller only: whoever removes the entry sweeps it.
      if ((await redisCall(this.client.command<number>(this.deadlinesKey, false, ['ZREM', this.deadlinesKey, key]), this.client)) !== 1) continue;
      const flat = await redisCall(this.client.eval<string[]>(TAKE_SCRIPT, [key], []), this.client);
      const hash: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
      const credentials = credentialsOf(hash, key);
      if (credentials) taken.push(credentials);
    }
    return taken;
  }

  private async register(key: string, deadline: number): Promise<void> {
    await redisCall(this.client.command(this.deadlinesKey, false, ['ZADD', this.deadlinesKey, String(Math.ceil(deadline)), key]), this.client);
  }
}

/** The same contract in this process's memory, for the embedded (single-instance) mode. */
export class MemoryCredentialStore implements CredentialStore {
  /** As many as the embedded session store holds; the oldest connection goes first. */
  static readonly MAX_ENTRIES = 10_000;

  private readonly entries = new Map<string, { credentials: StoredCredentials; deadline: number }>();
  private readonly locks = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  keyOf(sid: string): string {
    return sid;
  }

  async get(sid: string): Promise<StoredCredentials | undefined> {
    const entry = this.entries.get(sid);
    if (entry && entry.deadline + LAPSE_GRACE_MS <= this.now()) this.entries.delete(sid);
    return entry && entry.deadline + LAPSE_GRACE_MS > this.now() ? { ...entry.credentials } : undefined;
  }

  async put(sid: string, credentials: NewCredentials, deadline: number): Promise<StoredCredentials> {
    const stored = { ...credentials, version: newVersion(), key: sid };
    this.entries.delete(sid);
    this.entries.set(sid, { credentials: stored, deadline });
    if (this.entries.size > MemoryCredentialStore.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return { ...stored };
  }

  async replaceAccess(sid: string, expectedVersion: string, access: RefreshedAccess): Promise<StoredCredentials | undefined> {
    const entry = this.entries.get(sid);
    if (!entry || entry.credentials.version !== expectedVersion) return undefined;
    entry.credentials = { ...entry.credentials, ...access, version: newVersion() };
    return { ...entry.credentials };
  }

  async extend(sid: string, deadline: number): Promise<void> {
    const entry = this.entries.get(sid);
    if (entry) entry.deadline = deadline;
  }

  async delete(sid: string): Promise<void> {
    this.entries.delete(sid);
  }

  async tryLock(sid: string): Promise<RefreshLock | undefined> {
    if (this.locks.has(sid)) return undefined;
    this.locks.add(sid);
    return { release: async () => void this.locks.delete(sid) };
  }

  async takeLapsed(now: number, limit: number): Promise<StoredCredentials[]> {
    const taken: StoredCredentials[] = [];
    for (const [sid, entry] of this.entries) {
      if (taken.length >= limit) break;
      if (entry.deadline > now) continue;
      this.entries.delete(sid);
      taken.push(entry.credentials);
    }
    return taken;
  }
}
