import type { Request } from 'express';
import { hrefOf } from '../views/hrefs';
import type { ErrorAction } from './app-error';

/**
 * Where an error page offers to go next, besides its own action and Home: the same address
 * again when the failure can pass (too many requests, Dropbox busy or slow), and the folder the
 * person came from or was in.
 */

const PASSING_STATUSES = new Set([429, 500, 502, 503, 504]);

/** The address to try again: only a page load (GET), only for failures that pass. */
export function retryHrefOf(req: Request, status: number): string | undefined {
  return req.method === 'GET' && PASSING_STATUSES.has(status) && req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : undefined;
}

function decodedSegments(encodedPath: string): string[] | undefined {
  try {
    return encodedPath.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** The folder to go back to: a folder's parent, a file's folder, the folder a search started in (unless the page's own action goes there). */
export function folderLinkOf(req: Request, status: number, action?: ErrorAction): { href: string; label: string } | undefined {
  if (req.method !== 'GET' || status === 401) return undefined;
  const match = /^\/(browse|file)(\/.*)?$/.exec(req.path);
  let segments: string[] | undefined;
  if (match) segments = decodedSegments(match[2] ?? '')?.slice(0, -1);
  else if (req.path === '/search' && typeof req.query.path === 'string') segments = req.query.path.split('/').filter(Boolean);
  if (segments === undefined || (match?.[1] === 'browse' && !match[2])) return undefined;
  const href = hrefOf('/browse', `/${segments.join('/')}`);
  return href === action?.href ? undefined : { href, label: segments.length ? segments[segments.length - 1] : 'Dropbox' };
}
