import { setTimeout as delay } from 'node:timers/promises';
import type { Sealer } from '../crypto/sealer';
import type { DropboxApiClient, DropboxAuth } from '../dropbox/api-client';
import { DropboxError, isDropboxFailure } from '../dropbox/errors';
import type { DropboxOAuthClient, TokenGrant } from '../dropbox/oauth-client';
import type { CredentialStore, StoredCredentials } from '../sessions/credential-store';
import { NO_TELEMETRY, type Telemetry } from '../telemetry/telemetry';
import { ConnectionError } from './errors';

/**
 * Keeps every Dropbox call supplied with a valid access token for the session making it:
 * refreshes ahead of expiry, refreshes and retries once when Dropbox says the token expired,
 * and drops the credentials when Dropbox says they are revoked. It knows sessions only by
 * their id and root (a KeeperSession), never the web framework: what a call changes about the
 * session (a new team root, a dropped connection) it reports, and the caller writes.
 *
 * A due token is refreshed once per session, however many requests and instances want it at
 * the same moment: requests in one process share one promise, and processes share a lock in
 * the credential store. Whoever loses the race waits for the winner and takes its token.
 *
 * Each sealed value is bound to where it is stored and to its field (`<key>:access`,
 * `<key>:refresh`; the key is a keyed hash of the session id), so tokens copied into another
 * session's entry do not open there.
 */

/** Refresh this long before Dropbox's stated expiry, so a token never dies mid-request. */
export const EXPIRY_BUFFER_SECONDS = 100;

/** What a call changed about its session, for the caller to write into it. */
export type SessionChange =
  /** The team's root changed (Dropbox answered 422 with the new one): later calls use it. */
  | { kind: 'root'; root: string }
  /** The connection is gone (revoked, unreadable): the session is no longer connected. */
  | { kind: 'disconnected' };

/** A session as the keeper sees it. Make one per request: credentials read for it are reused a few seconds. */
export interface KeeperSession {
  readonly id: string;
  /** The root namespace sent as Dropbox-API-Path-Root, for team spaces. */
  root?: string;
  /** Whether the session believes it is connected (it says which "no credentials" this is). */
  readonly connected: boolean;
  changed(change: SessionChange): void;
}

export interface TokenKeeperOptions {
  /** How long a refresh lock may be held; also how long a waiter waits at most. */
  lockTtlMs?: number;
  /** How often a waiter looks for the winner's token. */
  pollMs?: number;
  now?: () => number;
  /** Told of each refresh begun, each lock won or waited on, each failure. */
  telemetry?: Telemetry;
}

/** How long a session reuses the credentials it read (see credentialsFor). */
const REUSE_CREDENTIALS_MS = 5000;

/** Tokens are sealed to the key they are stored under and to their field: moved elsewhere, they do not open. */
const accessContext = (key: string) => `${key}:access`;
const refreshContext = (key: string) => `${key}:refresh`;

function isUnauthorized(error: unknown): error is DropboxError {
  return isDropboxFailure(error, 'unauthorized');
}

/** Why a refresh failed, in a word fit for a metric label: the OAuth error, the Dropbox failure's kind, or the connection problem. */
function refreshFailureReason(error: unknown): string {
  if (error instanceof ConnectionError) return error.problem;
  if (error instanceof DropboxError) return error.failure.kind === 'oauth' ? error.failure.error : error.failure.kind;
  return 'other';
}

export class TokenKeeper {
  private readonly refreshesInFlight = new Map<string, Promise<StoredCredentials>>();
  private readonly recent = new WeakMap<KeeperSession, { credentials: StoredCredentials; readAt: number }>();
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly telemetry: Telemetry;

  constructor(
    private readonly oauth: DropboxOAuthClient,
    private readonly api: DropboxApiClient,
    private readonly sealer: Sealer,
    private readonly store: CredentialStore,
    options: TokenKeeperOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.pollMs = options.pollMs ?? 20;
    this.now = options.now ?? Date.now;
    this.telemetry = options.telemetry ?? NO_TELEMETRY;
  }

  /** Stores a new connection's credentials under the session; they lapse at `deadline` with it. */
  async connect(sessionId: string, grant: TokenGrant, deadline: number): Promise<void> {
    const key = this.store.keyOf(sessionId);
    await this.store.put(
      sessionId,
      {
        accessToken: this.sealer.seal(grant.accessToken, accessContext(key)),
        expiresAt: this.expiryOf(grant.expiresInSeconds),
        refreshToken: this.sealer.seal(grant.refreshToken, refreshContext(key)),
        accountId: grant.accountId,
      },
      deadline,
    );
  }

  /** Forgets the session's credentials (they stay valid at Dropbox unless revoked first). */
  async forget(session: KeeperSession): Promise<void> {
    this.recent.delete(session);
    await this.store.delete(session.id);
  }

  /**
   * Revokes the session's grant at Dropbox (best effort, within `timeoutMs`) and forgets it.
   * The failure, if Dropbox could not be told, for the log.
   */
  async revokeAndForget(session: KeeperSession, timeoutMs: number): Promise<unknown> {
    let failure: unknown;
    if (session.connected) {
      try {
        await this.withToken(session, (auth) => this.api.revokeToken(auth, timeoutMs));
      } catch (error) {
        failure = error;
      }
    }
    await this.forget(session);
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
        if (isDropboxFailure(error, 'oauth') && error.failure.error === 'invalid_grant') return;
        throw error;
      }
    }
    await this.api.revokeToken({ accessToken }, timeoutMs);
  }

  /** The connected Dropbox account: from the credentials, which the session's Dropbox calls read anyway. */
  async accountIdOf(session: KeeperSession): Promise<string> {
    const credentials = await this.credentialsFor(session);
    if (!credentials) throw new ConnectionError(session.connected ? 'ended' : 'not_connected');
    return credentials.accountId;
  }

  /**
   * Runs `call` with the session's Dropbox auth. A team's root that changed (422 invalid_root)
   * is adopted from Dropbox's answer and the call repeated once. Throws ConnectionError when
   * the session has no usable connection, DropboxError for what Dropbox refused.
   */
  async withToken<T>(session: KeeperSession, call: (auth: DropboxAuth) => Promise<T>): Promise<T> {
    try {
      return await this.withValidToken(session, call);
    } catch (error) {
      const newRoot = isDropboxFailure(error, 'invalid_root') ? error.failure.rootNamespaceId : undefined;
      if (!newRoot) throw error;
      session.root = newRoot;
      session.changed({ kind: 'root', root: newRoot });
      return this.withValidToken(session, call);
    }
  }

  /**
   * The session's credentials, read from the store at most once every few seconds per
   * KeeperSession: a request that calls Dropbox many times (a folder read goes on after its
   * request) reads them once, and its calls go out without waiting on Redis. A stale copy is
   * harmless: an access token stays valid until it expires even after a refresh, and a
   * revoked one fails with a 401, which reads the store again.
   */
  private async credentialsFor(session: KeeperSession): Promise<StoredCredentials | undefined> {
    const kept = this.recent.get(session);
    if (kept && this.now() - kept.readAt < REUSE_CREDENTIALS_MS) return kept.credentials;
    const credentials = await this.store.get(session.id);
    this.keep(session, credentials);
    return credentials;
  }

  private keep(session: KeeperSession, credentials: StoredCredentials | undefined): void {
    if (credentials) this.recent.set(session, { credentials, readAt: this.now() });
    else this.recent.delete(session);
  }

  private async withValidToken<T>(session: KeeperSession, call: (auth: DropboxAuth) => Promise<T>): Promise<T> {
    let credentials = await this.credentialsFor(session);
    if (!credentials) throw new ConnectionError(session.connected ? 'ended' : 'not_connected');
    if (this.now() >= credentials.expiresAt) credentials = await this.refresh(session, credentials);
    try {
      return await call(await this.authOf(session, credentials));
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      this.recent.delete(session);
      if (error.leafTag !== 'expired_access_token') throw await this.disconnect(session, 'revoked');
    }
    credentials = await this.refresh(session, credentials);
    try {
      return await call(await this.authOf(session, credentials));
    } catch (error) {
      if (isUnauthorized(error)) throw await this.disconnect(session, 'revoked');
      throw error;
    }
  }

  private async authOf(session: KeeperSession, credentials: StoredCredentials): Promise<DropboxAuth> {
    const accessToken = this.sealer.open(credentials.accessToken, accessContext(credentials.key));
    if (accessToken === undefined) throw await this.disconnect(session, 'unreadable');
    return { accessToken, pathRoot: session.root };
  }

  private async refresh(session: KeeperSession, stale: StoredCredentials): Promise<StoredCredentials> {
    const sid = session.id;
    let flight = this.refreshesInFlight.get(sid);
    if (!flight) {
      this.telemetry.tokenRefresh('started');
      flight = this.refreshOnce(sid, stale)
        .catch((error: unknown) => {
          this.telemetry.tokenRefreshFailed(refreshFailureReason(error));
          throw error;
        })
        .finally(() => this.refreshesInFlight.delete(sid));
      this.refreshesInFlight.set(sid, flight);
    }
    try {
      const refreshed = await flight;
      this.keep(session, refreshed);
      return refreshed;
    } catch (error) {
      if (isDropboxFailure(error, 'oauth') && error.failure.error === 'invalid_grant') throw await this.disconnect(session, 'revoked');
      // Gone while this request was in flight (a logout elsewhere): leave the session untouched,
      // or saving it at the end of this request would bring a destroyed session back.
      if (error instanceof ConnectionError && error.problem === 'ended') throw error;
      if (error instanceof ConnectionError && error.problem === 'unreadable') throw await this.disconnect(session, 'unreadable');
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
    let waited = false;
    for (;;) {
      const lock = await this.store.tryLock(sid, this.lockTtlMs);
      if (lock) {
        this.telemetry.tokenRefresh('lock_won');
        try {
          const current = await this.currentCredentials(sid);
          if (this.isNewerAndUsable(current, stale)) return current;
          const refreshToken = this.sealer.open(current.refreshToken, refreshContext(current.key));
          if (refreshToken === undefined) throw new ConnectionError('unreadable');
          const refreshed = await this.oauth.refresh(refreshToken);
          const written = await this.store.replaceAccess(sid, current.version, {
            accessToken: this.sealer.seal(refreshed.accessToken, accessContext(current.key)),
            expiresAt: this.expiryOf(refreshed.expiresInSeconds),
          });
          if (!written) throw new ConnectionError('ended');
          return written;
        } finally {
          await lock.release();
        }
      }
      if (!waited) this.telemetry.tokenRefresh('waited');
      waited = true;
      if (this.now() >= giveUpAt) throw new ConnectionError('refresh_busy');
      await delay(this.pollMs);
      const current = await this.currentCredentials(sid);
      if (this.isNewerAndUsable(current, stale)) return current;
    }
  }

  private async currentCredentials(sid: string): Promise<StoredCredentials> {
    const current = await this.store.get(sid);
    if (!current) throw new ConnectionError('ended');
    return current;
  }

  /** True when someone replaced `stale` with a token that has not expired yet. */
  private isNewerAndUsable(current: StoredCredentials, stale: StoredCredentials): boolean {
    return current.version !== stale.version && current.expiresAt > this.now();
  }

  private async disconnect(session: KeeperSession, problem: 'revoked' | 'unreadable'): Promise<ConnectionError> {
    await this.forget(session);
    session.changed({ kind: 'disconnected' });
    return new ConnectionError(problem);
  }

  private expiryOf(expiresInSeconds: number): number {
    return this.now() + Math.max(expiresInSeconds - EXPIRY_BUFFER_SECONDS, 0) * 1000;
  }
}
