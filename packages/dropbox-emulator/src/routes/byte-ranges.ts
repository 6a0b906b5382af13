import { Readable, pipeline } from 'node:stream';
import type { Request, Response } from 'express';
import { contentChunks } from '../tree/content';
import type { FileNode } from '../tree/nodes';

/**
 * A file's bytes as download-style routes and temporary links serve them: whole (200), or one
 * `Range: bytes=` range (206 with Content-Range; 416 when it lies past the end), streamed in
 * pieces so that a large virtual file is never made whole. Several ranges in one request are
 * answered whole, as a server may.
 */

type ByteRange = { start: number; end: number } | 'unsatisfiable';

/** `bytes=0-99`, `bytes=100-`, `bytes=-100` over a file of `size` bytes; undefined for no (or an unusable) Range header. */
export function rangeOf(header: string | undefined, size: number): ByteRange | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size : Math.min(size, Number(match[2]) + 1);
  if (start >= size || end <= start) return 'unsatisfiable';
  return { start, end };
}

export function sendFileBytes(req: Request, res: Response, file: FileNode): void {
  const range = rangeOf(req.get('range'), file.size);
  res.setHeader('Accept-Ranges', 'bytes');
  if (range === 'unsatisfiable') {
    res.status(416).setHeader('Content-Range', `bytes */${file.size}`);
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: file.size };
  if (range) res.status(206).setHeader('Content-Range', `bytes ${start}-${end - 1}/${file.size}`);
  res.setHeader('Content-Length', String(end - start));
  if (req.method === 'HEAD') return void res.end();
  pipeline(Readable.from(contentChunks(file, start, end), { objectMode: false }), res, () => undefined);
}
