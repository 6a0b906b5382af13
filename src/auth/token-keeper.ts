import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { AppError, notConnected, reconnectRequired } from '../errors';
import type { DropboxApiClient, DropboxAuth } from '../dropbox/api-client';
import type { DropboxOAuthClient, TokenGrant } from '../dropbox/oauth-client';
import type { CredentialStore, StoredCredentials } from '../sessions/credential-store';
import { credentialDeadlineOf } from '../sessions/lifetime';
import type { Sealer } from '../crypto/sealer';

/**
 * Keeps every Dropbox call supplied with a valid access token for the session making it:
 * refreshes ahead of expiry, refreshes and retries once when Dropbox says the token expired,
 * and drops the credentials when Dropbox says they are revoked.
 *
 * A due token is refreshed once per session, however many requests and instances want it at
 * the same moment: requests in one process share one promise, and processes share a lock in
 * the credential store. Whoever loses the race waits for the winner and takes its token.
 *
 * Each sealed value is bound to where it is stored and to its field (`<key>:access`,
 * `<key>:refresh`; the key is a keyed hash of the session id), so tokens copied into another
 * session's entry do not open there. A grant that is replaced (the
 * user connects again) or lapses with its session is revoked at Dropbox, not left valid.
 */

/** Refresh this long before Dropbox's stated expiry, so a token never dies mid-request. */
export const EXPIRY_BUFFER_SECONDS = 100;

export interface TokenKeeperOptions {
  /** SESSION_MAX_AGE: credentials never outlive connectedAt + this. */
  maxAgeMs: number;
  /** How long a refresh lock may be held; also how long a waiter waits at most. */
  lockTtlMs?: number;
  /** How often a waiter looks for the winner's token. */
  pollMs?: number;
  now?: () => number;
}

const REVOKED_MESSAGE =
  'Dropbox no longer accepts Dropview\'s access to your account. This happens when the app is disconnected in your Dropbox settings. Connect again to continue.';
const UNREADABLE_MESSAGE = 'Your saved Dropbox connection could not be read (the server\'s keys changed). Connect again to continue.';
const ENDED_MESSAGE = 'Your Dropbox connection has ended. Connect again to continue.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TokenKeeper {
  private readonly refreshesInFlight = new Map<string, Promise<StoredCredentials>>();
  private readonly recent = new WeakMap<Request, { credentials: StoredCredentials; readAt: number }>();
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly oauth: DropboxOAuthClient,
    private readonly api: DropboxApiClient,
    private readonly sealer: Sealer,
    private readonly store: CredentialStore,
    options: TokenKeeperOptions,
  ) {
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.pollMs = options.pollMs ?? 20;
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs;
  }

  /**
   * When a session's credentials lapse: when its cookie does (the idle timeout, renewed on
   * use), and never later than its absolute lifetime.
   */
  deadlineOf(session: Pick<SessionData, 'cookie' | 'connectedAt'>): number {
    return credentialDeadlineOf(session, this.maxAgeMs, this.now());
  }

  /** Stores a new connection's credentials under the session; they lapse with the session. */
  async connect(req: Request, grant: TokenGrant): Promise<void> {
    const sid = req.sessionID;
    req.session.connectedAt = this.now();
    await this.store.put(
      sid,
      {
        accessToken: this.sealer.seal(grant.accessToken, accessContext(this.store.keyOf(sid))),
        expiresAt: this.expiryOf(grant.expiresInSeconds),
        refreshToken: this.sealer.seal(grant.refreshToken, refreshContext(this.store.keyOf(sid))),
        accountId: grant.accountId,
      },
      this.deadlineOf(req.session),
    );
  }

  /**
   * Revokes the session's grant at Dropbox (best effort, bounded by `timeoutMs`) and forgets
   * it: at logout, and when a new connection replaces it.
   */
  async revokeAndForget(req: Request, timeoutMs: number): Promise<AppError | undefined> {
    let failure: AppError | undefined;
    if (req.session.connectedAt !== undefined) {
      try {
        await this.withAccessToken(req, (auth) => this.api.revokeToken(auth, timeoutMs));
      } catch (error) {
        failure = error instanceof AppError ? error : new AppError(502, 'revoke_failed', 'Dropbox could not be told to end the old connection.');
      }
    }
    await this.forget(req);
    return failure;
  }

  /**
   * Revokes a grant whose session lapsed (the grant sweeper took it from the store): with its
   * access token while that is valid, else with a fresh one from its refresh token.
   */
  async revokeLapsed(credentials: StoredCredentials, timeoutMs: number): Promise<void> {
    let accessToken = credentials.expiresAt > this.now() ? this.sealer.open(credentials.accessToken, accessContext(credentials.key)) : undefined;
    if (accessToken === undefined) {
      const refreshToken = this.sealer.open(credentials.refreshToken, refreshContext(credentials.key));
      if (refreshToken === undefined) return;
      try {
        accessToken = (await this.oauth.refresh(refreshToken)).accessToken;
      } catch (error) {
        // Already revoked (the user unlinked the app): nothing is left to end.
        if (error instanceof AppError && error.dropboxTag === 'invalid_grant') return;
        throw error;
      }
    }
    await this.api.revokeToken({ accessToken }, timeoutMs);
  }

  /** Forgets the session's credentials (they stay valid at Dropbox unless revoked first). */
  async forget(req: Request): Promise<void> {
    this.recent.delete(req);
    delete req.session.connectedAt;
    delete req.session.pathRoot;
    await this.store.delete(req.sessionID);
  }

  /** The connected Dropbox account: from the credentials, which the request's Dropbox calls read anyway. */
  async accountIdOf(req: Request): Promise<string> {
    const credentials = await this.credentialsFor(req);
    if (!credentials) throw req.session.connectedAt === undefined ? notConnected() : reconnectRequired(ENDED_MESSAGE);
    return credentials.accountId;
  }

  /**
   * Runs `call` with the session's Dropbox auth. A team's root that changed (422 invalid_root)
   * is adopted from Dropbox's answer and the call repeated once.
   */
  async withAccessToken<T>(req: Request, call: (auth: DropboxAuth) => Promise<T>): Promise<T> {
    try {
      return await this.withValidToken(req, call);
    } catch (error) {
      const newRoot = error instanceof AppError && error.code === 'dropbox_invalid_root' ? error.data?.rootNamespaceId : undefined;
      if (!newRoot) throw error;
      req.session.pathRoot = newRoot;
      return this.withValidToken(req, call);
    }
  }

  /**
   * The session's credentials, read from the store at most once every few seconds per request:
   * a request that calls Dropbox many times (a folder read goes on after its request) reads
   * them once, and its calls go out without waiting on Redis. A stale copy is harmless: an
   * access token stays valid until it expires even after a refresh, and a revoked one fails
   * with a 401, which reads the store again.
   */
  private async credentialsFor(req: Request): Promise<StoredCredentials | undefined> {
    const kept = this.recent.get(req);
    if (kept && this.now() - kept.readAt < REUSE_CREDENTIALS_MS) return kept.credentials;
    const credentials = await this.store.get(req.sessionID);
    this.keep(req, credentials);
    return credentials;
  }

  private keep(req: Request, credentials: StoredCredentials | undefined): void {
    if (credentials) this.recent.set(req, { credentials, readAt: this.now() });
    else this.recent.delete(req);
  }

  private async withValidToken<T>(req: Request, call: (auth: DropboxAuth) => Promise<T>): Promise<T> {
    let credentials = await this.credentialsFor(req);
    if (!credentials) throw req.session.connectedAt === undefined ? notConnected() : reconnectRequired(ENDED_MESSAGE);
    if (this.now() >= credentials.expiresAt) credentials = await this.refresh(req, credentials);
    try {
      return await call(await this.authOf(req, credentials));
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      this.recent.delete(req);
      if (error.dropboxTag !== 'expired_access_token') throw await this.disconnect(req, REVOKED_MESSAGE);
    }
    credentials = await this.refresh(req, credentials);
    try {
      return await call(await this.authOf(req, credentials));
    } catch (error) {
      if (isUnauthorized(error)) throw await this.disconnect(req, REVOKED_MESSAGE);
      throw error;
    }
  }

  private async authOf(req: Request, credentials: StoredCredentials): Promise<DropboxAuth> {
    return { accessToken: await this.openToken(req, credentials.accessToken, accessContext(credentials.key)), pathRoot: req.session.pathRoot };
  }

  private async refresh(req: Request, stale: StoredCredentials): Promise<StoredCredentials> {
    const sid = req.sessionID;
    let flight = this.refreshesInFlight.get(sid);
    if (!flight) {
      flight = this.refreshOnce(sid, stale).finally(() => this.refreshesInFlight.delete(sid));
      this.refreshesInFlight.set(sid, flight);
    }
    try {
      const refreshed = await flight;
      this.keep(req, refreshed);
      return refreshed;
    } catch (error) {
      if (error instanceof AppError && error.dropboxTag === 'invalid_grant') throw await this.disconnect(req, REVOKED_MESSAGE);
      // Gone while this request was in flight (a logout elsewhere): leave the session untouched,
      // or saving it at the end of this request would bring a destroyed session back.
      if (error instanceof AppError && error.code === 'credentials_gone') throw reconnectRequired(ENDED_MESSAGE);
      if (error instanceof AppError && error.code === 'credentials_unreadable') throw await this.disconnect(req, UNREADABLE_MESSAGE);
      throw error;
    }
  }

  /**
   * Either takes a token someone else just refreshed, or wins the lock and refreshes. The
   * stored credentials are re-read after the lock is won: the previous holder may have
   * refreshed between our read and our win.
   */
  private async refreshOnce(sid: string, stale: StoredCredentials): Promise<StoredCredentials> {
    const giveUpAt = this.now() + this.lockTtlMs;
    for (;;) {
      const lock = await this.store.tryLock(sid, this.lockTtlMs);
      if (lock) {
        try {
          const current = await this.currentCredentials(sid);
          if (this.isNewerAndUsable(current, stale)) return current;
          const refreshToken = this.sealer.open(current.refreshToken, refreshContext(current.key));
          if (refreshToken === undefined) throw new AppError(401, 'credentials_unreadable', UNREADABLE_MESSAGE);
          const refreshed = await this.oauth.refresh(refreshToken);
          const written = await this.store.replaceAccess(sid, current.version, {
            accessToken: this.sealer.seal(refreshed.accessToken, accessContext(current.key)),
            expiresAt: this.expiryOf(refreshed.expiresInSeconds),
          });
          if (!written) throw credentialsGone();
          return written;
        } finally {
          await lock.release();
        }
      }
      if (this.now() >= giveUpAt) {
        throw new AppError(503, 'refresh_busy', 'Dropview is renewing your Dropbox access. Please try again in a moment.', { retryAfter: 2 });
      }
      await sleep(this.pollMs);
      const current = await this.currentCredentials(sid);
      if (this.isNewerAndUsable(current, stale)) return current;
    }
  }

  private async currentCredentials(sid: string): Promise<StoredCredentials> {
    const current = await this.store.get(sid);
    if (!current) throw credentialsGone();
    return current;
  }

  /** True when someone replaced `stale` with a token that has not expired yet. */
  private isNewerAndUsable(current: StoredCredentials, stale: StoredCredentials): boolean {
    return current.version !== stale.version && current.expiresAt > this.now();
  }

  private async openToken(req: Request, sealed: string, context: string): Promise<string> {
    const token = this.sealer.open(sealed, context);
    if (token === undefined) throw await this.disconnect(req, UNREADABLE_MESSAGE);
    return token;
  }

  private async disconnect(req: Request, reason: string): Promise<AppError> {
    await this.forget(req);
    return reconnectRequired(reason);
  }

  private expiryOf(expiresInSeconds: number): number {
    return this.now() + Math.max(expiresInSeconds - EXPIRY_BUFFER_SECONDS, 0) * 1000;
  }
}

/** How long a request reuses the credentials it read (see credentialsFor). */
const REUSE_CREDENTIALS_MS = 5000;
/** Tokens are sealed to the key they are stored under and to their field: moved elsewhere, they do not open. */
const accessContext = (key: string) => `${key}:access`;
const refreshContext = (key: string) => `${key}:refresh`;

function credentialsGone(): AppError {
  return new AppError(401, 'credentials_gone', ENDED_MESSAGE);
}

function isUnauthorized(error: unknown): error is AppError {
  return error instanceof AppError && error.status === 401 && error.code === 'dropbox_unauthorized';
}
