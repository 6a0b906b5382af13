import type { Request, RequestHandler, Response } from 'express';
import { localizerOf } from './language';
import { csrfTokenOf } from './csrf';

/**
 * What every page's header shows: whether a Dropbox is connected, the Disconnect form's token,
 * and who is connected and how full their Dropbox is (read at connect, see handlers/auth.ts,
 * and kept in the session, so a page view never waits for it). Read when the page renders, not
 * when the request starts: a request that finds the connection revoked ends it on the way, and
 * its page must then offer to connect, not to search or disconnect.
 */

function accountOf(req: Request, res: Response) {
  const account = req.session.account;
  if (!account || req.session.connectedAt === undefined) return undefined;
  return {
    ...account,
    usedLabel: localizerOf(res).size(account.used),
    allocatedLabel: localizerOf(res).size(account.allocated),
    percent: account.allocated ? Math.min(100, Math.round((account.used / account.allocated) * 100)) : 0,
  };
}

export const pageLocals: RequestHandler = (req, res, next) => {
  // Pages here show account data: no browser or proxy may keep a copy.
  res.setHeader('Cache-Control', 'no-store');
  const isConnected = () => req.session.connectedAt !== undefined;
  Object.defineProperties(res.locals, {
    connected: { enumerable: true, get: isConnected },
    csrfToken: { enumerable: true, get: () => (isConnected() ? csrfTokenOf(req) : undefined) },
    account: { enumerable: true, get: () => accountOf(req, res) },
  });
  next();
};
