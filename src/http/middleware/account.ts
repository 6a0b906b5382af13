import type { RequestHandler } from 'express';
import { AppError } from '../../errors';
import { formatSize } from '../../views/format';
import type { Services } from '../services';

/**
 * Who is connected and how full their Dropbox is (users/get_current_account and
 * users/get_space_usage), fetched once per session and kept in it. The header shows it; a page
 * never fails because of it, unless it finds the connection has ended.
 */
export function loadAccount(services: Services): RequestHandler {
  const { api, tokens, logger } = services;
  return async (req, res, next) => {
    if (req.session.connectedAt !== undefined && !req.session.account) {
      try {
        const [account, usage] = await tokens.withAccessToken(req, (auth) => Promise.all([api.getCurrentAccount(auth), api.getSpaceUsage(auth)]));
        req.session.account = { name: account.displayName, email: account.email, used: usage.used, allocated: usage.allocated };
      } catch (error) {
        // A connection that has ended is the page's news, not a detail of the header.
        if (error instanceof AppError && error.status === 401) return next(error);
        logger.warn({ event: 'account_unavailable', code: (error as { code?: string }).code }, 'could not load the account summary');
      }
    }
    const account = req.session.account;
    if (account) {
      res.locals.account = {
        ...account,
        usedLabel: formatSize(account.used),
        allocatedLabel: formatSize(account.allocated),
        percent: account.allocated ? Math.min(100, Math.round((account.used / account.allocated) * 100)) : 0,
      };
    }
    next();
  };
}
