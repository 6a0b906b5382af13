import { createHash, type Hash } from 'node:crypto';
import type { FileNode } from './nodes';

/**
 * File bytes and Dropbox's content_hash. A virtual file (a size and no bytes) costs no memory
 * for its content: its bytes are a fixed 4 MiB pattern repeated up to its size, made only when
 * someone reads the file, and its content_hash is the real hash of exactly those bytes, worked
 * out without producing them.
 */

/** content_hash hashes the content in blocks of 4 MiB. */
const BLOCK_SIZE = 4 * 1024 * 1024;

/** SHA-256 over the concatenated SHA-256 digests of each 4 MiB block, as hex. */
export function contentHash(content: Buffer): string {
  const outer = createHash('sha256');
  for (let offset = 0; offset < content.length; offset += BLOCK_SIZE) {
    outer.update(
      createHash('sha256')
        .update(content.subarray(offset, offset + BLOCK_SIZE))
        .digest(),
    );
  }
  return outer.digest('hex');
}

/**
 * The pattern, and SHA-256 states saved every CHECKPOINT bytes into it, so that the hash of any
 * prefix of the pattern (a file's last, partial block) costs at most CHECKPOINT bytes of
 * hashing: a few microseconds per file instead of milliseconds. Made on first use only.
 */
const CHECKPOINT = 4096;
let pattern: { bytes: Buffer; checkpoints: Hash[]; fullBlockDigest: Buffer } | undefined;

function thePattern(): NonNullable<typeof pattern> {
  if (pattern) return pattern;
  const bytes = Buffer.alloc(BLOCK_SIZE);
  // xorshift32 from a fixed seed: bytes that look like compressed media, the same everywhere.
  let x = 0x9e3779b9;
  for (let offset = 0; offset < BLOCK_SIZE; offset += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes.writeUInt32LE(x >>> 0, offset);
  }
  const checkpoints: Hash[] = [];
  const running = createHash('sha256');
  for (let offset = 0; offset < BLOCK_SIZE; offset += CHECKPOINT) {
    checkpoints.push(running.copy());
    running.update(bytes.subarray(offset, offset + CHECKPOINT));
  }
  pattern = { bytes, checkpoints, fullBlockDigest: running.digest() };
  return pattern;
}

/** The bytes of a virtual file of `size` bytes. */
export function virtualContent(size: number): Buffer {
  const content = Buffer.allocUnsafe(size);
  if (size > 0) content.fill(thePattern().bytes);
  return content;
}

/** contentHash(virtualContent(size)), without making the bytes. */
export function virtualContentHash(size: number): string {
  const { bytes, checkpoints, fullBlockDigest } = thePattern();
  const outer = createHash('sha256');
  for (let block = 0; block < Math.floor(size / BLOCK_SIZE); block += 1) outer.update(fullBlockDigest);
  const rest = size % BLOCK_SIZE;
  if (rest > 0) {
    const checkpoint = Math.floor(rest / CHECKPOINT);
    const partial = checkpoints[checkpoint].copy().update(bytes.subarray(checkpoint * CHECKPOINT, rest));
    outer.update(partial.digest());
  }
  return outer.digest('hex');
}

/**
 * The bytes of `file` from `start` up to (not including) `end`, in pieces of at most 4 MiB:
 * a virtual file's are views of the shared pattern, so streaming a file of any size holds no
 * more than the pattern itself (files/download, files/download_zip, temporary links).
 */
export function* contentChunks(file: FileNode, start = 0, end = file.size): Generator<Buffer> {
  if (file.content) {
    for (let offset = start; offset < end; offset += BLOCK_SIZE) yield file.content.subarray(offset, Math.min(end, offset + BLOCK_SIZE));
    return;
  }
  const { bytes } = thePattern();
  for (let offset = start; offset < end;) {
    const within = offset % BLOCK_SIZE;
    const length = Math.min(end - offset, BLOCK_SIZE - within);
    yield bytes.subarray(within, within + length);
    offset += length;
  }
}

/** The file's bytes (made now, for a virtual file). */
export function contentOf(file: FileNode): Buffer {
  return file.content ?? virtualContent(file.size);
}

export function contentHashOf(file: FileNode): string {
  file.contentHash ??= file.content ? contentHash(file.content) : virtualContentHash(file.size);
  return file.contentHash;
}
