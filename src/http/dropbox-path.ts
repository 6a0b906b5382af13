import type { Request } from 'express';
import type { MessageKey } from '../i18n/catalogs';
import { AppError } from './app-error';

/**
 * Dropbox paths as they appear in Dropview's URLs: `/browse/Photos/2024%20Trip` is the
 * Dropbox path `/Photos/2024 Trip`. Each segment is URL-encoded on the way out and checked on
 * the way in, before anything reaches Dropbox.
 */

const MAX_PATH_LENGTH = 4096;
const MAX_CURSOR_LENGTH = 4096;

function malformed(message: MessageKey): AppError {
  return new AppError(400, 'malformed_path', message, { title: 'errorTitle.badAddress', action: { href: '/browse', label: 'action.goToDropbox' } });
}

/** The decoded segments Express matched for `{/*splat}`; none for the root. */
export function segmentsOf(req: Request): string[] {
  const splat = (req.params as { splat?: string[] }).splat;
  return splat ?? [];
}

/** Segments into a Dropbox path: [] is the root, which Dropbox spells "". */
export function dropboxPathOf(segments: string[]): string {
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw malformed('errors.pathEmpty');
    // An encoded slash (%2F) inside one segment would reach Dropbox as two segments: `a%2F..%2F..`
    // is `a/../..`. Dropbox names never contain `/`, so such a segment names nothing.
    if (segment.includes('/')) throw malformed('errors.pathSlash');
    if (/[\u0000-\u001f\u007f]/.test(segment)) throw malformed('errors.pathControl');
    if (/\s$/.test(segment)) throw malformed('errors.pathTrailingSpace');
  }
  const path = segments.length ? `/${segments.join('/')}` : '';
  if (path.length > MAX_PATH_LENGTH) throw malformed('errors.pathTooLong');
  return path;
}

/** A cursor from the query string (`cursor` unless named), checked for shape only. */
export function cursorFrom(req: Request, name = 'cursor'): string | undefined {
  const cursor = req.query[name];
  if (cursor === undefined) return undefined;
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_\-=+/.:]+$/.test(cursor)) {
    throw new AppError(400, 'malformed_cursor', 'errors.badCursor', { title: 'errorTitle.badLink' });
  }
  return cursor;
}
