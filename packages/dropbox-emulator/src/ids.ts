import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The identifiers Dropbox hands out, in their real shapes, so a client that stores or checks
 * them (length limits, prefixes, column sizes) meets what production sends.
 */

/** Random bytes drawn from the system 4 KiB at a time: one call each made 100,000 new files take half a second longer. */
const pool = { bytes: Buffer.alloc(0), used: 0 };

function pooledRandom(size: number): Buffer {
  if (pool.used + size > pool.bytes.length) {
    pool.bytes = randomBytes(4096);
    pool.used = 0;
  }
  pool.used += size;
  return pool.bytes.subarray(pool.used - size, pool.used);
}

/** A file or folder id: `id:` and 22 URL-safe characters, e.g. `id:a4ayc_80_OEAAAAAAAAAXw`. */
export function newNodeId(): string {
  return `id:${pooledRandom(16).toString('base64url')}`;
}

/**
 * A rev: lower-case hex. The spec asks for at least 9 digits; the revs today's Dropbox returns
 * are about 30 digits long, an increasing counter followed by digits that name the namespace.
 * This one is a 9-digit counter then 22 random digits, so every rev of a file differs.
 */
export function newRev(counter: number): string {
  return `${counter.toString(16).padStart(9, '0')}${pooledRandom(11).toString('hex')}`;
}

/**
 * An account id: `dbid:` and 35 URL-safe characters, 40 in all (the spec's AccountId has a
 * minimum and maximum length of 40), e.g. `dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc`.
 */
export function newAccountId(): string {
  return `dbid:AA${randomBytes(25).toString('base64url').slice(0, 33)}`;
}

export const ACCOUNT_ID_PATTERN = /^dbid:[A-Za-z0-9_-]{35}$/;

/**
 * A list_folder cursor: opaque, about as long as Dropbox's (they run to well over 100
 * characters), URL-safe. randomUUID draws from a buffered pool; randomBytes asked the system on
 * every call, which showed under load.
 */
export function newCursor(): string {
  const hex = `${randomUUID()}${randomUUID()}${randomUUID()}${randomUUID()}${randomUUID()}${randomUUID()}`.replaceAll('-', '');
  return `AAH${Buffer.from(hex, 'hex').toString('base64url')}`;
}
