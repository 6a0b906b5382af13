import type { Request, RequestHandler } from 'express';
import { codeChallengeOf, newCodeVerifier, newState, statesMatch } from '../../auth/pkce';
import { DEFAULT_RETURN_PATH, safeReturnPath } from '../../auth/return-to';
import { AppError, sessionStoreUnavailable } from '../../errors';
import { csrfTokenOf } from '../middleware/csrf';
import { sessionCookieOptions } from '../../sessions/session-middleware';
import type { Services } from '../services';

/** Connecting and disconnecting Dropbox: the OAuth 2 code flow with PKCE, and logout. */

const TRY_AGAIN = { href: '/auth/dropbox', label: 'Try again' };
const REVOKE_TIMEOUT_MS = 3000;

function callbackError(status: number, code: string, message: string): AppError {
  return new AppError(status, code, message, { title: 'Dropbox was not connected', action: TRY_AGAIN });
}

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

function promisify(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(sessionStoreUnavailable(error)) : resolve())));
}

export function authHandlers(services: Services) {
  const { oauth, tokens, api, logger } = services;

  /**
   * A team whose team space is the root namespace (root != home) is browsed from that root, so
   * every later call carries Dropbox-API-Path-Root. Compare the ids; the `.tag` is unreliable
   * since Dropbox's 2023 team-space update.
   */
  async function adoptTeamSpace(req: Request, accessToken: string): Promise<void> {
    try {
      const account = await api.getCurrentAccount({ accessToken });
      if (account.rootNamespaceId && account.rootNamespaceId !== account.homeNamespaceId) req.session.pathRoot = account.rootNamespaceId;
    } catch (failure) {
      // Browsing still works from the home namespace; a later 422 would correct the root.
      logger.warn({ event: 'account_unavailable', code: (failure as AppError).code }, 'could not read the account at connect');
    }
  }

  /** @route GET /auth/dropbox */
  const start: RequestHandler = (req, res, next) => {
    const state = newState();
    const codeVerifier = newCodeVerifier();
    req.session.oauth = { state, codeVerifier };
    // Saved before redirecting: otherwise a fast return from Dropbox could find no state.
    req.session.save((error) => (error ? next(sessionStoreUnavailable(error)) : res.redirect(302, oauth.authorizeUrl(state, codeChallengeOf(codeVerifier)))));
  };

  /** @route GET /auth/dropbox/callback */
  const callback: RequestHandler = async (req, res) => {
    const pending = req.session.oauth;
    // One use only, whatever happens next: a replayed callback finds nothing to match.
    delete req.session.oauth;
    if (!pending) {
      throw callbackError(400, 'oauth_no_pending_request', 'This sign-in was not started in this browser, or it was already used. Please start again.');
    }
    const state = queryString(req, 'state');
    if (state === undefined || !statesMatch(pending.state, state)) {
      throw callbackError(400, 'oauth_state_mismatch', 'This sign-in answer does not belong to the sign-in you started, so Dropview ignored it. Please start again.');
    }
    const error = queryString(req, 'error');
    if (error === 'access_denied') {
      throw callbackError(403, 'oauth_access_denied', 'You chose not to give Dropview access to your Dropbox. Nothing was connected.');
    }
    if (error !== undefined) throw callbackError(502, 'oauth_provider_error', 'Dropbox could not complete the sign-in. Please try again.');
    const code = queryString(req, 'code');
    if (!code) throw callbackError(400, 'oauth_missing_code', 'Dropbox did not send a sign-in code. Please start again.');

    const grant = await oauth.exchangeCode(code, pending.codeVerifier).catch((failure: unknown) => {
      if (failure instanceof AppError && failure.dropboxTag === 'invalid_grant') {
        throw callbackError(400, 'oauth_code_rejected', 'This sign-in has expired or was already used. Please start again.');
      }
      throw failure;
    });

    const returnTo = safeReturnPath(req.session.returnTo) ?? DEFAULT_RETURN_PATH;
    // Connecting again while connected replaces the old connection.
    if (req.session.connectedAt !== undefined) await tokens.forget(req);
    // A new session id at the moment of connecting, so a planted id is worth nothing (fixation).
    await promisify((done) => req.session.regenerate(done));
    await tokens.connect(req, grant, services.sessionMaxAgeMs);
    await adoptTeamSpace(req, grant.accessToken);
    csrfTokenOf(req);
    await promisify((done) => req.session.save(done));
    logger.info({ event: 'connected' }, 'Dropbox connected');
    res.redirect(302, returnTo);
  };

  /** @route POST /auth/logout */
  const logout: RequestHandler = async (req, res) => {
    if (req.session.connectedAt !== undefined) {
      try {
        await tokens.withAccessToken(req, (auth) => api.revokeToken(auth, REVOKE_TIMEOUT_MS));
      } catch (failure) {
        // Best effort: the session ends either way; the grant then lapses or is revoked by the user.
        logger.warn({ event: 'revoke_failed', code: (failure as AppError).code }, 'could not revoke the Dropbox token at logout');
      }
    }
    await tokens.forget(req);
    await promisify((done) => req.session.destroy(done));
    res.clearCookie(services.sessionCookie.name, sessionCookieOptions(services.sessionCookie.secure));
    res.redirect(302, '/');
  };

  return { start, callback, logout };
}
