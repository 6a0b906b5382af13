import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { codeChallengeOf, newCodeVerifier, newState, statesMatch } from '../../auth/pkce';
import { DEFAULT_RETURN_PATH, safeReturnPath } from '../../auth/return-to';
import type { KeeperSession, TokenKeeper } from '../../auth/token-keeper';
import type { DropboxApiClient } from '../../dropbox/api-client';
import { isDropboxFailure } from '../../dropbox/errors';
import type { DropboxOAuthClient, TokenGrant } from '../../dropbox/oauth-client';
import type { FolderWatcher } from '../../folders/folder-watcher';
import { SessionStoreError } from '../../sessions/errors';
import { sessionCookieOptions } from '../../sessions/session-middleware';
import type { MessageKey } from '../../i18n/catalogs';
import type { Telemetry } from '../../telemetry/telemetry';
import { AppError, type ErrorAction } from '../app-error';
import { csrfTokenOf } from '../middleware/csrf';
import { localizerOf } from '../middleware/language';

/** Connecting and disconnecting Dropbox: the OAuth 2 code flow with PKCE, and logout. */

const TRY_AGAIN: ErrorAction = { href: '/auth/dropbox', label: 'action.tryAgain' };
const REVOKE_TIMEOUT_MS = 3000;
/** A sign-in not finished within this long is forgotten: its session is only there to hold state and verifier. */
const PENDING_SIGN_IN_MS = 10 * 60_000;
/** Starts of a sign-in that a page of another site can set off: they are confirmed, not followed. */
const FOREIGN_SITES = new Set(['cross-site', 'same-site']);

export interface AuthParts {
  oauth: DropboxOAuthClient;
  api: DropboxApiClient;
  keeper: TokenKeeper;
  watcher: FolderWatcher;
  logger: Logger;
  sessionCookie: { name: string; secure: boolean };
  /** When a connected session's credentials lapse (sessions/lifetime.ts). */
  deadlineOf(session: Request['session']): number;
  now: () => number;
  telemetry: Telemetry;
}

function callbackError(status: number, code: string, message: MessageKey): AppError {
  return new AppError(status, code, message, { title: 'errorTitle.notConnected', action: TRY_AGAIN });
}

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

function promisify(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(new SessionStoreError(error)) : resolve())));
}

/** The session as the token keeper sees it, for logout: nothing it reports needs writing, the session is destroyed next. */
function leavingSession(req: Request): KeeperSession {
  return { id: req.sessionID, root: req.session.pathRoot, connected: req.session.connectedAt !== undefined, changed: () => undefined };
}

export function authHandlers(parts: AuthParts) {
  const { oauth, api, keeper, logger } = parts;

  /**
   * What a new connection needs to know of the account, with its fresh token, the two calls
   * beside each other: the summary the header shows (name, e-mail, space used), and for a
   * team whose team space is the root namespace (root != home) that root, so that later calls
   * carry Dropbox-API-Path-Root. Compare the ids: the `.tag` is unreliable since Dropbox's 2023
   * team-space update. Neither stops the connection: the header then shows less, and a later
   * 422 would correct the root.
   */
  async function learnAccount(req: Request, grant: TokenGrant): Promise<void> {
    const auth = { accessToken: grant.accessToken };
    const [account, usage] = await Promise.allSettled([api.getCurrentAccount(auth), api.getSpaceUsage(auth)]);
    if (account.status === 'rejected') {
      logger.warn({ event: 'account_unavailable', tag: (account.reason as { logTag?: string }).logTag }, 'could not read the account at connect');
      return;
    }
    const { rootNamespaceId, homeNamespaceId, displayName, email } = account.value;
    if (rootNamespaceId && rootNamespaceId !== homeNamespaceId) req.session.pathRoot = rootNamespaceId;
    const space = usage.status === 'fulfilled' ? usage.value : { used: 0, allocated: 0 };
    req.session.account = { name: displayName, email, used: space.used, allocated: space.allocated };
  }

  /**
   * @route GET /auth/dropbox[?return_to=<path>] : starts a sign-in. A connected person goes to
   * their folders (Dropbox sends an already-approved user straight back, so a link could
   * otherwise re-run the connection unseen). A start set off by another site's page is
   * confirmed first: the person clicks to continue.
   */
  const start: RequestHandler = (req, res, next) => {
    const returnTo = safeReturnPath(queryString(req, 'return_to'));
    if (req.session.connectedAt !== undefined) return res.redirect(302, returnTo ?? DEFAULT_RETURN_PATH);
    if (FOREIGN_SITES.has(req.get('sec-fetch-site') ?? '')) {
      return res.render('connect', { title: localizerOf(res).t('connect.title'), continueHref: returnTo ? `/auth/dropbox?${new URLSearchParams({ return_to: returnTo })}` : '/auth/dropbox' });
    }
    const state = newState();
    const codeVerifier = newCodeVerifier();
    req.session.oauth = { state, codeVerifier, ...(returnTo ? { returnTo } : {}) };
    req.session.cookie.maxAge = PENDING_SIGN_IN_MS;
    // Saved before redirecting: otherwise a fast return from Dropbox could find no state.
    req.session.save((error) => (error ? next(new SessionStoreError(error)) : res.redirect(302, oauth.authorizeUrl(state, codeChallengeOf(codeVerifier)))));
  };

  /** @route GET /auth/dropbox/callback */
  const callback: RequestHandler = async (req, res) => {
    const pending = req.session.oauth;
    if (!pending) {
      throw callbackError(400, 'oauth_no_pending_request', 'errors.signInNotStarted');
    }
    const state = queryString(req, 'state');
    // A forged answer (wrong state) is ignored and leaves the person's own sign-in in place:
    // otherwise any page could cancel it by sending the browser here.
    if (state === undefined || !statesMatch(pending.state, state)) {
      throw callbackError(400, 'oauth_state_mismatch', 'errors.signInMismatch');
    }
    // The answer to our request: used once, whatever happens next, so a replay finds nothing to match.
    delete req.session.oauth;
    const error = queryString(req, 'error');
    if (error === 'access_denied') {
      throw callbackError(403, 'oauth_access_denied', 'errors.accessDenied');
    }
    if (error !== undefined) throw callbackError(502, 'oauth_provider_error', 'errors.tokenError');
    const code = queryString(req, 'code');
    if (!code) throw callbackError(400, 'oauth_missing_code', 'errors.noCode');

    const grant = await oauth.exchangeCode(code, pending.codeVerifier).catch((failure: unknown) => {
      if (isDropboxFailure(failure, 'oauth') && failure.failure.error === 'invalid_grant') {
        throw callbackError(400, 'oauth_code_rejected', 'errors.codeRejected');
      }
      throw failure;
    });

    const returnTo = safeReturnPath(pending.returnTo) ?? DEFAULT_RETURN_PATH;
    // A connected session never has a sign-in pending (start sends it to its folders), so no
    // grant is replaced here. A new session id at the moment of connecting, so a planted id is
    // worth nothing (fixation).
    await promisify((done) => req.session.regenerate(done));
    req.session.connectedAt = parts.now();
    await Promise.all([keeper.connect(req.sessionID, grant, parts.deadlineOf(req.session)), learnAccount(req, grant)]);
    csrfTokenOf(req);
    await promisify((done) => req.session.save(done));
    parts.telemetry.sessionCreated();
    logger.info({ event: 'connected' }, 'Dropbox connected');
    res.redirect(302, returnTo);
  };

  /** @route POST /auth/logout */
  const logout: RequestHandler = async (req, res) => {
    parts.watcher.endSession(req.sessionID);
    // Best effort: the session ends either way; a grant Dropbox could not be told about lapses with it.
    const failure = await keeper.revokeAndForget(leavingSession(req), REVOKE_TIMEOUT_MS);
    if (failure) logger.warn({ event: 'revoke_failed', tag: (failure as { logTag?: string }).logTag }, 'could not revoke the Dropbox token at logout');
    await promisify((done) => req.session.destroy(done));
    res.clearCookie(parts.sessionCookie.name, sessionCookieOptions(parts.sessionCookie.secure));
    // Thumbnails and pages of this account may sit in the browser's cache: the next person at
    // this computer should not find them.
    res.setHeader('Clear-Site-Data', '"cache", "storage"');
    // The home page then says that it worked.
    res.redirect(302, '/?disconnected=1');
  };

  return { start, callback, logout };
}
