import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Sealer } from '../crypto/sealer';
import type { Change, IndexEntry } from './folder-snapshot';

/**
 * How a batch of folder changes is kept at rest: only the fields pages need, deflated, then
 * sealed with the index's own id as associated data, so that a batch neither reads as file
 * names in a Redis dump nor opens under another account's index.
 *
 * The batch is one JSON object of columns rather than a list of rows, because loading a big
 * index is mostly parsing it: a column of names is one string to split, a column of sizes one
 * array of numbers, where rows would be 100,000 small arrays.
 *
 *   k  kinds, one digit each: 0 file, 1 folder, 2 deleted (left out when every entry is a file)
 *   n  names joined by "\n" (Dropbox names never hold one); for a deleted entry, its lower-case name
 *   s  sizes, m  modified times (seconds), for files; 0 otherwise
 *   r  revisions joined by "\n"
 *   l  {position: lower-case name} where Dropbox's lower-case name is not simply the name lower-cased
 */

interface Columns {
  k?: string;
  n: string;
  s: number[];
  m: number[];
  r: string;
  l?: Record<string, string>;
}

const FILE = '0';
const FOLDER = '1';
const DELETED = '2';

/** Fast compression: batches are written on the request path of a changed folder. */
const DEFLATE_LEVEL = 1;

export class IndexCodecError extends Error {
  override name = 'IndexCodecError';
}

function columnsOf(changes: readonly Change[]): Columns {
  const kinds: string[] = [];
  const names: string[] = [];
  const sizes: number[] = [];
  const times: number[] = [];
  const revs: string[] = [];
  const lowers: Record<string, string> = {};
  changes.forEach((change, position) => {
    if (change.kind === 'delete') {
      kinds.push(DELETED);
      names.push(change.lower);
      sizes.push(0);
      times.push(0);
      revs.push('');
      return;
    }
    const { entry } = change;
    kinds.push(entry.folder ? FOLDER : FILE);
    names.push(entry.name);
    sizes.push(entry.size);
    times.push(entry.modified);
    revs.push(entry.rev ?? '');
    if (entry.lower !== entry.name.toLowerCase()) lowers[position] = entry.lower;
  });
  const kindColumn = kinds.join('');
  return {
    ...(/^0*$/.test(kindColumn) ? {} : { k: kindColumn }),
    n: names.join('\n'),
    s: sizes,
    m: times,
    r: revs.join('\n'),
    ...(Object.keys(lowers).length ? { l: lowers } : {}),
  };
}

export function encodeBatch(changes: readonly Change[], sealer: Sealer, indexId: string): Buffer {
  return sealer.sealBytes(deflateRawSync(JSON.stringify(columnsOf(changes)), { level: DEFLATE_LEVEL }), indexId);
}

function openColumns(sealed: Buffer, sealer: Sealer, indexId: string): Columns {
  const opened = sealer.openBytes(sealed, indexId);
  if (!opened) throw new IndexCodecError('a folder index batch did not open');
  const columns = JSON.parse(inflateRawSync(opened).toString('utf8')) as Columns;
  if (typeof columns?.n !== 'string' || !Array.isArray(columns.s) || !Array.isArray(columns.m) || typeof columns.r !== 'string') {
    throw new IndexCodecError('a folder index batch is not in the expected form');
  }
  return columns;
}

/** Calls `visit` with each entry of a batch in order: an entry, or the lower-case name of a deleted one. */
function eachOf(sealed: Buffer, sealer: Sealer, indexId: string, visit: (entry: IndexEntry | undefined, deletedLower: string) => void): void {
  eachOfColumns(openColumns(sealed, sealer, indexId), visit);
}

function entriesOfColumns(columns: Columns): IndexEntry[] {
  const entries: IndexEntry[] = [];
  eachOfColumns(columns, (entry) => entry && entries.push(entry));
  return entries;
}

function eachOfColumns(columns: Columns, visit: (entry: IndexEntry | undefined, deletedLower: string) => void): void {
  if (columns.s.length === 0) return;
  const names = columns.n.split('\n');
  const revs = columns.r.split('\n');
  const kinds = columns.k;
  const lowers = columns.l ?? {};
  for (let i = 0; i < names.length; i += 1) {
    const kind = kinds ? kinds[i] : FILE;
    const name = names[i];
    if (kind === DELETED) {
      visit(undefined, name);
      continue;
    }
    const lower = lowers[i] ?? name.toLowerCase();
    visit(kind === FOLDER ? { folder: true, name, lower, size: 0, modified: 0 } : { folder: false, name, lower, size: columns.s[i], modified: columns.m[i], rev: revs[i] || undefined }, '');
  }
}

/** Throws IndexCodecError when the batch does not open (another key, another index, altered). */
export function decodeBatch(sealed: Buffer, sealer: Sealer, indexId: string): Change[] {
  const changes: Change[] = [];
  eachOf(sealed, sealer, indexId, (entry, lower) => changes.push(entry ? { kind: 'upsert', entry } : { kind: 'delete', lower }));
  return changes;
}

/** The entries of a batch of upserts only (a compacted index), without the change wrappers. */
export function decodeEntries(sealed: Buffer, sealer: Sealer, indexId: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  eachOf(sealed, sealer, indexId, (entry) => entry && entries.push(entry));
  return entries;
}

/** The first rows of each order of a folder, by order name (`modified.desc`), sealed as one value. */
export function encodeFirstPages(pages: Record<string, readonly IndexEntry[]>, sealer: Sealer, indexId: string): Buffer {
  const columns = Object.fromEntries(Object.entries(pages).map(([order, entries]) => [order, columnsOf(upsertsOf(entries))]));
  return sealer.sealBytes(deflateRawSync(JSON.stringify(columns), { level: DEFLATE_LEVEL }), `pages:${indexId}`);
}

export function decodeFirstPages(sealed: Buffer, sealer: Sealer, indexId: string): Record<string, IndexEntry[]> {
  const opened = sealer.openBytes(sealed, `pages:${indexId}`);
  if (!opened) throw new IndexCodecError("a folder index's first pages did not open");
  const byOrder = JSON.parse(inflateRawSync(opened).toString('utf8')) as Record<string, Columns>;
  return Object.fromEntries(Object.entries(byOrder).map(([order, columns]) => [order, entriesOfColumns(columns)]));
}

/** Upserts of every entry, for writing a folder back whole (compaction). */
export function upsertsOf(entries: readonly IndexEntry[]): Change[] {
  return entries.map((entry) => ({ kind: 'upsert', entry }));
}
