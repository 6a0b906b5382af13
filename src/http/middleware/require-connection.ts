import type { RequestHandler } from 'express';
import { safeReturnPath } from '../../auth/return-to';
import { notConnected, sessionStoreUnavailable } from '../../errors';

/**
 * Routes that need Dropbox: a person without a connection is sent to connect, and brought back
 * here afterwards; a JSON client gets a 401 instead of a redirect it cannot follow.
 */
export const requireConnection: RequestHandler = (req, res, next) => {
  if (req.session.connectedAt !== undefined) return next();
  const isPageNavigation = req.method === 'GET' && req.accepts(['html', 'json']) === 'html';
  if (!isPageNavigation) return next(notConnected());
  const returnTo = safeReturnPath(req.originalUrl.split('?')[0]);
  if (returnTo) req.session.returnTo = returnTo;
  req.session.save((error) => (error ? next(sessionStoreUnavailable(error)) : res.redirect(302, '/auth/dropbox')));
};
