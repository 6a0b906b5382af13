import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../redis/connection';
import { redisCall } from '../sessions/deadline';

/**
 * Where folder indexes live so that every instance shares them: in Redis, or in this process
 * without REDIS_URL. An index is a head (its Dropbox cursor, whether the first listing is
 * complete, counters) and an ordered list of sealed batches: the pages of the first listing,
 * then each change feed Dropbox returned since. Applying the batches in order rebuilds the
 * folder. Compaction rewrites the list as the folder's entries in name order.
 *
 * Every write is a compare-and-set on the head's sequence, so two instances that checked the
 * folder at the same moment cannot both append: the second finds the sequence moved, drops its
 * write and takes the first one's batch instead (applying a batch twice changes nothing).
 * While the first listing is read, only the holder of the read lease may write, so a folder is
 * read once however many requests, sessions and instances ask.
 *
 * On a Redis Cluster the three keys of an index share one hash slot (the `{id}` tag), so each
 * script runs on one node.
 */

export interface IndexHead {
  /** Changes whenever the batch list is rewritten (compaction, a fresh read). */
  generation: string;
  /** Counts writes: the compare in compare-and-set. */
  sequence: number;
  /** The Dropbox cursor the next list_folder/continue starts from, sealed. */
  cursor: string;
  /** The first listing was read to its end. */
  complete: boolean;
  /** Entries held after every batch is applied. */
  entries: number;
  /** Batches in the list. */
  batches: number;
  /** The leading batches that hold entries in name order (a compacted index). */
  sortedBatches: number;
  /** ms since the epoch of the last write. */
  writtenAt: number;
  /** The folder's path as Dropbox displays it, sealed. */
  displayPath: string;
  /** The folder held more entries than an index keeps: the rest was not read. */
  truncated: boolean;
  /** The ICU version of the collator that put the sorted batches in order (process.versions.icu). */
  sortedBy: string;
  /** Counts changes to the contents (a batch appended); a cursor refresh leaves it. */
  contentVersion: number;
  /** The content version the stored first pages were made for; they hold only while it is current. */
  firstPagesFor: number;
}

export interface FirstPagesResult {
  head: IndexHead;
  /** The first rows of every order, sealed (folder-index.ts), when stored. */
  pages?: Buffer;
}

export interface SyncResult {
  head: IndexHead;
  /** The index of the first batch in `batches`: 0 when the generation changed, else the count already known. */
  from: number;
  batches: Buffer[];
}

export interface NewIndex {
  cursor: string;
  complete: boolean;
  entries: number;
  displayPath: string;
  batch: Buffer;
  truncated: boolean;
}

export interface Advance {
  expectedSequence: number;
  /** The read lease owner, while the first listing is read; undefined afterwards (any instance). */
  owner?: string;
  batch?: Buffer;
  cursor: string;
  complete: boolean;
  entries: number;
  truncated: boolean;
  /** With a batch: the first pages of the contents after it (else they are dropped). */
  firstPages?: Buffer;
}

export type AdvanceResult = { ok: true; sequence: number } | { ok: false; reason: 'moved' | 'gone' | 'lease_lost' };

export interface Compaction {
  expectedSequence: number;
  batches: Buffer[];
  /** The ICU version whose collator sorted them. */
  sortedBy: string;
  firstPages: Buffer;
}

export interface FolderIndexStore {
  /** The head and the stored first pages (both small): undefined when there is no index. */
  firstPages(id: string): Promise<FirstPagesResult | undefined>;
  /** The head and the batches after the first `known` of `knownGeneration` (all of them if it changed); undefined when there is no index. */
  sync(id: string, knownGeneration?: string, known?: number): Promise<SyncResult | undefined>;
  /** Takes the read lease of an index for `ttlMs`; false while another owner holds it. */
  takeLease(id: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(id: string, owner: string): Promise<void>;
  /** Starts an index with its first batch, replacing any; only the lease owner can. */
  create(id: string, owner: string, index: NewIndex): Promise<{ generation: string; sequence: number } | undefined>;
  advance(id: string, update: Advance): Promise<AdvanceResult>;
  /** Replaces the batches with a compacted list (sorted entries) unless someone wrote meanwhile. */
  compact(id: string, compaction: Compaction): Promise<string | undefined>;
  delete(id: string): Promise<void>;
  /** Bytes the index takes in the store, for the benchmarks. */
  bytesOf(id: string): Promise<number>;
}

export interface StoreLimits {
  /** An index not written for this long is dropped. */
  ttlMs: number;
  /** How long a read lease lasts unless renewed by a write. */
  leaseMs: number;
}

function newGeneration(): string {
  return randomBytes(6).toString('base64url');
}

function headOf(fields: Record<string, string>): IndexHead {
  return {
    generation: fields.gen,
    sequence: Number(fields.seq),
    cursor: fields.cur,
    complete: fields.done === '1',
    entries: Number(fields.n ?? 0),
    batches: Number(fields.batches ?? 0),
    sortedBatches: Number(fields.sorted ?? 0),
    writtenAt: Number(fields.at ?? 0),
    displayPath: fields.path ?? '',
    truncated: fields.cut === '1',
    sortedBy: fields.icu ?? '',
    contentVersion: Number(fields.cv ?? 0),
    firstPagesFor: Number(fields.pcv ?? -1),
  };
}

/** Exported for the scaling benchmark, which measures what Redis pays for it. */
export const INDEX_SYNC_SCRIPT = `
local head = redis.call('HGETALL', KEYS[1])
if #head == 0 then return false end
local generation, batches
for i = 1, #head, 2 do
  if head[i] == 'gen' then generation = head[i + 1] elseif head[i] == 'batches' then batches = tonumber(head[i + 1]) end
end
local from = 0
if generation == ARGV[1] then from = tonumber(ARGV[2]) end
-- The usual case, a folder seen before and unchanged: nothing to send but the head.
if batches and from >= batches then return {head, from, {}} end
return {head, from, redis.call('LRANGE', KEYS[2], from, -1)}`;

const FIRST_PAGES_SCRIPT = `
local head = redis.call('HGETALL', KEYS[1])
if #head == 0 then return false end
return {head, redis.call('GET', KEYS[2])}`;

const CREATE_SCRIPT = `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
redis.call('RPUSH', KEYS[2], ARGV[9])
redis.call('HSET', KEYS[1], 'gen', ARGV[2], 'seq', 1, 'cur', ARGV[3], 'done', ARGV[4], 'n', ARGV[5], 'batches', 1, 'sorted', 0, 'at', ARGV[7], 'path', ARGV[8], 'cut', ARGV[10], 'cv', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1`;

const ADVANCE_SCRIPT = `
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return -1 end
if seq ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then
  if redis.call('GET', KEYS[3]) ~= ARGV[2] then return -2 end
  redis.call('PEXPIRE', KEYS[3], ARGV[9])
end
if ARGV[10] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[10])
  redis.call('HINCRBY', KEYS[1], 'batches', 1)
  local cv = redis.call('HINCRBY', KEYS[1], 'cv', 1)
  if ARGV[11] ~= '' then
    redis.call('SET', KEYS[4], ARGV[11], 'PX', ARGV[6])
    redis.call('HSET', KEYS[1], 'pcv', cv)
  else
    redis.call('DEL', KEYS[4])
  end
end
redis.call('PEXPIRE', KEYS[4], ARGV[6])
redis.call('HSET', KEYS[1], 'cur', ARGV[3], 'done', ARGV[4], 'n', ARGV[5], 'at', ARGV[7], 'cut', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return redis.call('HINCRBY', KEYS[1], 'seq', 1)`;

const COMPACT_SCRIPT = `
if redis.call('HGET', KEYS[1], 'seq') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
for i = 6, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('HSET', KEYS[1], 'gen', ARGV[2], 'batches', #ARGV - 5, 'sorted', #ARGV - 5, 'icu', ARGV[4], 'pcv', redis.call('HGET', KEYS[1], 'cv'))
redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const text = (value: Buffer | string) => (typeof value === 'string' ? value : value.toString('utf8'));

function fieldsOf(flat: (Buffer | string)[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[text(flat[i])] = text(flat[i + 1]);
  return fields;
}

export class RedisFolderIndexStore implements FolderIndexStore {
  constructor(
    private readonly redis: RedisConnection,
    /** e.g. `dropview:`; an index's keys are `<namespace>fi:{<id>}:h` (head), `:b` (batches), `:r` (read lease). */
    private readonly namespace: string,
    private readonly limits: StoreLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async firstPages(id: string): Promise<FirstPagesResult | undefined> {
    const [head, , , pages] = this.keys(id);
    const reply = await redisCall(this.redis.eval<[Buffer[], Buffer | null] | null>(FIRST_PAGES_SCRIPT, [head, pages], [], { buffers: true }), this.redis);
    if (!reply) return undefined;
    return { head: headOf(fieldsOf(reply[0])), pages: reply[1] ?? undefined };
  }

  async sync(id: string, knownGeneration = '', known = 0): Promise<SyncResult | undefined> {
    const reply = await redisCall(this.redis.eval<[Buffer[], number, Buffer[]] | null>(INDEX_SYNC_SCRIPT, this.keys(id).slice(0, 2), [knownGeneration, String(known)], { buffers: true }), this.redis);
    if (!reply) return undefined;
    const [flat, from, batches] = reply;
    return { head: headOf(fieldsOf(flat)), from: Number(from), batches };
  }

  async takeLease(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return redisCall(this.redis.set(this.keys(id)[2], owner, ttlMs, true), this.redis);
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await redisCall(this.redis.eval(RELEASE_SCRIPT, [this.keys(id)[2]], [owner]), this.redis);
  }

  async create(id: string, owner: string, index: NewIndex): Promise<{ generation: string; sequence: number } | undefined> {
    const generation = newGeneration();
    const created = await redisCall(
      this.redis.eval(CREATE_SCRIPT, this.keys(id), [
        owner,
        generation,
        index.cursor,
        index.complete ? '1' : '0',
        String(index.entries),
        String(this.limits.ttlMs),
        String(this.now()),
        index.displayPath,
        index.batch,
        index.truncated ? '1' : '0',
      ]),
      this.redis,
    );
    return created === 1 ? { generation, sequence: 1 } : undefined;
  }

  async advance(id: string, update: Advance): Promise<AdvanceResult> {
    const args = [
      String(update.expectedSequence),
      update.owner ?? '',
      update.cursor,
      update.complete ? '1' : '0',
      String(update.entries),
      String(this.limits.ttlMs),
      String(this.now()),
      update.truncated ? '1' : '0',
      String(this.limits.leaseMs),
      update.batch ?? '',
      (update.batch && update.firstPages) || '',
    ];
    const reply = await redisCall(this.redis.eval<number>(ADVANCE_SCRIPT, this.keys(id), args), this.redis);
    if (reply > 0) return { ok: true, sequence: reply };
    return { ok: false, reason: reply === 0 ? 'moved' : reply === -1 ? 'gone' : 'lease_lost' };
  }

  async compact(id: string, compaction: Compaction): Promise<string | undefined> {
    const generation = newGeneration();
    const [head, batches, , pages] = this.keys(id);
    const done = await redisCall(
      this.redis.eval(
        COMPACT_SCRIPT,
        [head, batches, pages],
        [String(compaction.expectedSequence), generation, String(this.limits.ttlMs), compaction.sortedBy, compaction.firstPages, ...compaction.batches],
      ),
      this.redis,
    );
    return done === 1 ? generation : undefined;
  }

  async delete(id: string): Promise<void> {
    const keys = this.keys(id);
    await redisCall(this.redis.command(keys[0], false, ['DEL', ...keys]), this.redis);
  }

  async bytesOf(id: string): Promise<number> {
    let bytes = 0;
    for (const key of [this.keys(id)[0], this.keys(id)[1], this.keys(id)[3]])
      bytes += (await redisCall(this.redis.command<number | null>(key, true, ['MEMORY', 'USAGE', key, 'SAMPLES', '0']), this.redis)) ?? 0;
    return bytes;
  }

  private keys(id: string): [head: string, batches: string, lease: string, firstPages: string] {
    const base = `${this.namespace}fi:{${id}}`;
    return [`${base}:h`, `${base}:b`, `${base}:r`, `${base}:p`];
  }
}

interface MemoryIndex {
  head: IndexHead;
  batches: Buffer[];
  firstPages?: Buffer;
  expiresAt: number;
}

/**
 * The same contract in this process, for the embedded (single-instance) mode. Bounded: at most
 * `maxBytes` of batches, the least recently written index dropped first.
 */
export class MemoryFolderIndexStore implements FolderIndexStore {
  private readonly indexes = new Map<string, MemoryIndex>();
  private readonly leases = new Map<string, { owner: string; until: number }>();
  private bytes = 0;

  constructor(
    private readonly limits: StoreLimits & { maxBytes: number },
    private readonly now: () => number = Date.now,
  ) {}

  async firstPages(id: string): Promise<FirstPagesResult | undefined> {
    const index = this.live(id);
    return index ? { head: { ...index.head }, pages: index.firstPages } : undefined;
  }

  async sync(id: string, knownGeneration = '', known = 0): Promise<SyncResult | undefined> {
    const index = this.live(id);
    if (!index) return undefined;
    const from = index.head.generation === knownGeneration ? known : 0;
    return { head: { ...index.head }, from, batches: index.batches.slice(from) };
  }

  async takeLease(id: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(id);
    if (lease && lease.until > this.now()) return false;
    this.leases.set(id, { owner, until: this.now() + ttlMs });
    return true;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    if (this.leases.get(id)?.owner === owner) this.leases.delete(id);
  }

  async create(id: string, owner: string, index: NewIndex): Promise<{ generation: string; sequence: number } | undefined> {
    if (!this.holds(id, owner)) return undefined;
    const generation = newGeneration();
    this.forget(id);
    this.put(id, {
      head: {
        generation,
        sequence: 1,
        cursor: index.cursor,
        complete: index.complete,
        entries: index.entries,
        batches: 1,
        sortedBatches: 0,
        writtenAt: this.now(),
        displayPath: index.displayPath,
        truncated: index.truncated,
        sortedBy: '',
        contentVersion: 1,
        firstPagesFor: -1,
      },
      batches: [index.batch],
      expiresAt: this.now() + this.limits.ttlMs,
    });
    return { generation, sequence: 1 };
  }

  async advance(id: string, update: Advance): Promise<AdvanceResult> {
    const index = this.live(id);
    if (!index) return { ok: false, reason: 'gone' };
    if (index.head.sequence !== update.expectedSequence) return { ok: false, reason: 'moved' };
    if (update.owner !== undefined) {
      if (!this.holds(id, update.owner)) return { ok: false, reason: 'lease_lost' };
      this.leases.set(id, { owner: update.owner, until: this.now() + this.limits.leaseMs });
    }
    if (update.batch) {
      index.batches.push(update.batch);
      index.head.contentVersion += 1;
      index.firstPages = update.firstPages;
      if (update.firstPages) index.head.firstPagesFor = index.head.contentVersion;
    }
    Object.assign(index.head, {
      sequence: index.head.sequence + 1,
      cursor: update.cursor,
      complete: update.complete,
      entries: update.entries,
      batches: index.batches.length,
      writtenAt: this.now(),
      truncated: update.truncated,
    });
    this.forget(id);
    this.put(id, { ...index, expiresAt: this.now() + this.limits.ttlMs });
    return { ok: true, sequence: index.head.sequence };
  }

  async compact(id: string, compaction: Compaction): Promise<string | undefined> {
    const index = this.live(id);
    if (!index || index.head.sequence !== compaction.expectedSequence) return undefined;
    const generation = newGeneration();
    this.forget(id);
    this.put(id, {
      head: { ...index.head, generation, batches: compaction.batches.length, sortedBatches: compaction.batches.length, sortedBy: compaction.sortedBy, firstPagesFor: index.head.contentVersion },
      batches: compaction.batches,
      firstPages: compaction.firstPages,
      expiresAt: this.now() + this.limits.ttlMs,
    });
    return generation;
  }

  async delete(id: string): Promise<void> {
    this.forget(id);
    this.leases.delete(id);
  }

  async bytesOf(id: string): Promise<number> {
    return this.live(id)?.batches.reduce((sum, batch) => sum + batch.length, 0) ?? 0;
  }

  private holds(id: string, owner: string): boolean {
    const lease = this.leases.get(id);
    return lease !== undefined && lease.owner === owner && lease.until > this.now();
  }

  private live(id: string): MemoryIndex | undefined {
    const index = this.indexes.get(id);
    if (index && index.expiresAt <= this.now()) {
      this.forget(id);
      return undefined;
    }
    return index;
  }

  private put(id: string, index: MemoryIndex): void {
    this.indexes.set(id, index);
    this.bytes += index.batches.reduce((sum, batch) => sum + batch.length, 0);
    // Map order is insertion order: the first index is the least recently written.
    while (this.bytes > this.limits.maxBytes && this.indexes.size > 1) this.forget(this.indexes.keys().next().value as string);
  }

  private forget(id: string): void {
    const index = this.indexes.get(id);
    if (!index) return;
    this.bytes -= index.batches.reduce((sum, batch) => sum + batch.length, 0);
    this.indexes.delete(id);
  }
}
