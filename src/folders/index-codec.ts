import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Sealer } from '../crypto/sealer';
import type { Change, IndexEntry } from './folder-snapshot';

/**
 * How a batch of folder changes is kept at rest: only the fields pages need, as compact JSON
 * arrays, deflated, then sealed with the index's own id as associated data, so that a batch
 * neither reads as file names in a Redis dump nor opens under another account's index.
 *
 *   file    [0, name, size, modified (s), rev, lower?]
 *   folder  [1, name, lower?]
 *   deleted [2, lower]
 *
 * `lower` (Dropbox's lower-case name) is left out when it is simply the name in lower case.
 */

type EncodedChange = [0, string, number, number, string, string?] | [1, string, string?] | [2, string];

/** Fast compression: batches are written on the request path of a changed folder. */
const DEFLATE_LEVEL = 1;

export class IndexCodecError extends Error {
  override name = 'IndexCodecError';
}

function encodeChange(change: Change): EncodedChange {
  if (change.kind === 'delete') return [2, change.lower];
  const { entry } = change;
  const lower = entry.lower === entry.name.toLowerCase() ? [] : [entry.lower];
  return entry.folder ? [1, entry.name, ...lower] as EncodedChange : [0, entry.name, entry.size, entry.modified, entry.rev ?? '', ...lower] as EncodedChange;
}

function decodeChange(encoded: EncodedChange): Change {
  switch (encoded[0]) {
    case 0: {
      const [, name, size, modified, rev, lower] = encoded;
      return { kind: 'upsert', entry: { folder: false, name, lower: lower ?? name.toLowerCase(), size, modified, ...(rev ? { rev } : {}) } };
    }
    case 1: {
      const [, name, lower] = encoded;
      return { kind: 'upsert', entry: { folder: true, name, lower: lower ?? name.toLowerCase(), size: 0, modified: 0 } };
    }
    case 2:
      return { kind: 'delete', lower: encoded[1] };
    default:
      throw new IndexCodecError('unknown change kind');
  }
}

export function encodeBatch(changes: readonly Change[], sealer: Sealer, indexId: string): Buffer {
  return sealer.sealBytes(deflateRawSync(JSON.stringify(changes.map(encodeChange)), { level: DEFLATE_LEVEL }), indexId);
}

/** Throws IndexCodecError when the batch does not open (another key, another index, altered). */
export function decodeBatch(sealed: Buffer, sealer: Sealer, indexId: string): Change[] {
  const opened = sealer.openBytes(sealed, indexId);
  if (!opened) throw new IndexCodecError('a folder index batch did not open');
  const parsed: unknown = JSON.parse(inflateRawSync(opened).toString('utf8'));
  if (!Array.isArray(parsed)) throw new IndexCodecError('a folder index batch is not a list');
  return (parsed as EncodedChange[]).map(decodeChange);
}

/** Upserts of every entry, for writing a folder back whole (compaction). */
export function upsertsOf(entries: readonly IndexEntry[]): Change[] {
  return entries.map((entry) => ({ kind: 'upsert', entry }));
}
