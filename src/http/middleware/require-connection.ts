import type { Request, RequestHandler } from 'express';
import { safeReturnPath } from '../../auth/return-to';
import { notConnected } from '../../errors';

/**
 * Routes that need Dropbox: a person without a connection is sent to connect, with the page
 * they asked for in the address (`/auth/dropbox?return_to=...`), so they come back to it. No
 * session is stored for this: anonymous requests (crawlers, thumbnails of a page left open
 * after logout, an attacker's loop) leave nothing behind. Anything that is not a page
 * navigation (JSON, images, event streams) gets a 401.
 */

/** A top-level page load in a browser: what can follow a redirect to a sign-in page. */
export function isPageNavigation(req: Request): boolean {
  if (req.method !== 'GET') return false;
  const destination = req.get('sec-fetch-dest');
  if (destination !== undefined) return destination === 'document';
  return (req.get('accept') ?? '').includes('text/html');
}

export const requireConnection: RequestHandler = (req, res, next) => {
  if (req.session.connectedAt !== undefined) return next();
  if (!isPageNavigation(req)) return next(notConnected());
  const returnTo = safeReturnPath(req.originalUrl.split('?')[0]);
  res.redirect(302, returnTo ? `/auth/dropbox?${new URLSearchParams({ return_to: returnTo })}` : '/auth/dropbox');
};
