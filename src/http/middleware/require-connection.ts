import type { Request, RequestHandler } from 'express';
import { ConnectionError } from '../../auth/errors';
import { safeReturnPath } from '../../auth/return-to';
import type { TokenKeeper } from '../../auth/token-keeper';
import type { DropboxApiClient } from '../../dropbox/api-client';
import { SessionDropbox } from '../session-dropbox';

/**
 * Routes that need Dropbox. A connected request gets its Dropbox (res.locals.dropbox, see
 * session-dropbox.ts). A person without a connection is sent to connect, with the page they
 * asked for in the address (`/auth/dropbox?return_to=...`), so they come back to it. No session
 * is stored for this: anonymous requests (crawlers, thumbnails of a page left open after
 * logout, an attacker's loop) leave nothing behind. Anything that is not a page navigation
 * (JSON, images, event streams) gets a 401.
 */

/** A top-level page load in a browser: what can follow a redirect to a sign-in page. */
export function isPageNavigation(req: Request): boolean {
  if (req.method !== 'GET') return false;
  const destination = req.get('sec-fetch-dest');
  if (destination !== undefined) return destination === 'document';
  return (req.get('accept') ?? '').includes('text/html');
}

export function requireConnection(keeper: TokenKeeper, api: DropboxApiClient): RequestHandler {
  return async (req, res, next) => {
    if (req.session.connectedAt !== undefined) {
      res.locals.dropbox = await SessionDropbox.open(req, keeper, api);
      return next();
    }
    if (!isPageNavigation(req)) throw new ConnectionError('not_connected');
    const returnTo = safeReturnPath(req.originalUrl.split('?')[0]);
    res.redirect(302, returnTo ? `/auth/dropbox?${new URLSearchParams({ return_to: returnTo })}` : '/auth/dropbox');
  };
}
