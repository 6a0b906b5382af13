import type { Request } from 'express';
import { AppError, notConnected, reconnectRequired } from '../errors';
import type { DropboxOAuthClient, TokenGrant } from '../dropbox/oauth-client';
import type { TokenSealer } from '../sessions/token-sealer';

/**
 * Keeps every Dropbox call supplied with a valid access token for the session making it:
 * refreshes ahead of expiry, refreshes and retries once when Dropbox says the token expired,
 * and drops the credentials when Dropbox says they are revoked.
 */

/** The session's Dropbox credentials; both tokens are sealed (encrypted) at rest. */
export interface StoredCredentials {
  accessToken: string;
  /** ms since epoch: issue time + expires_in minus EXPIRY_BUFFER_SECONDS. */
  expiresAt: number;
  refreshToken: string;
  accountId: string;
}

/** Refresh this long before Dropbox's stated expiry, so a token never dies mid-request. */
export const EXPIRY_BUFFER_SECONDS = 100;

const REVOKED_MESSAGE =
  'Dropbox no longer accepts Dropview\'s access to your account. This happens when the app is disconnected in your Dropbox settings. Connect again to continue.';
const UNREADABLE_MESSAGE = 'Your saved Dropbox connection could not be read (the server\'s keys changed). Connect again to continue.';

/** How many sessions' latest refresh this process remembers. */
const REMEMBERED_REFRESHES = 10_000;

interface RememberedRefresh {
  /** The sealed access token this refresh replaced. */
  replaced: string;
  fresh: StoredCredentials;
}

export class TokenKeeper {
  /** One refresh per session at a time: concurrent requests share the one in flight. */
  private readonly refreshesInFlight = new Map<string, Promise<StoredCredentials>>();
  /**
   * Requests that loaded the session before a refresh was saved still carry the old token; the
   * refresh they would start has already happened, so they take its result instead.
   */
  private readonly latestRefresh = new Map<string, RememberedRefresh>();

  constructor(
    private readonly oauth: DropboxOAuthClient,
    private readonly sealer: TokenSealer,
    private readonly now: () => number = Date.now,
  ) {}

  credentialsFrom(grant: TokenGrant): StoredCredentials {
    return {
      accessToken: this.sealer.seal(grant.accessToken),
      expiresAt: this.expiryOf(grant.expiresInSeconds),
      refreshToken: this.sealer.seal(grant.refreshToken),
      accountId: grant.accountId,
    };
  }

  async withAccessToken<T>(req: Request, call: (accessToken: string) => Promise<T>): Promise<T> {
    let credentials = req.session.credentials;
    if (!credentials) throw notConnected();
    if (this.now() >= credentials.expiresAt) credentials = await this.refresh(req, credentials);
    try {
      return await call(this.openToken(req, credentials.accessToken));
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      if (error.dropboxTag !== 'expired_access_token') throw this.disconnect(req, REVOKED_MESSAGE);
    }
    credentials = await this.refresh(req, credentials);
    try {
      return await call(this.openToken(req, credentials.accessToken));
    } catch (error) {
      if (isUnauthorized(error)) throw this.disconnect(req, REVOKED_MESSAGE);
      throw error;
    }
  }

  /** The plain access token for revocation at logout, if the session still has a readable one. */
  currentAccessToken(req: Request): string | undefined {
    const sealed = req.session.credentials?.accessToken;
    return sealed === undefined ? undefined : this.sealer.open(sealed);
  }

  private async refresh(req: Request, stale: StoredCredentials): Promise<StoredCredentials> {
    const key = req.sessionID;
    const remembered = this.latestRefresh.get(key);
    if (remembered?.replaced === stale.accessToken && remembered.fresh.expiresAt > this.now()) {
      req.session.credentials = remembered.fresh;
      return remembered.fresh;
    }
    let flight = this.refreshesInFlight.get(key);
    if (!flight) {
      flight = this.refreshWithDropbox(req, stale)
        .then((fresh) => this.remember(key, stale.accessToken, fresh))
        .finally(() => this.refreshesInFlight.delete(key));
      this.refreshesInFlight.set(key, flight);
    }
    try {
      const fresh = await flight;
      req.session.credentials = fresh;
      return fresh;
    } catch (error) {
      if (error instanceof AppError && error.dropboxTag === 'invalid_grant') throw this.disconnect(req, REVOKED_MESSAGE);
      throw error;
    }
  }

  private remember(key: string, replaced: string, fresh: StoredCredentials): StoredCredentials {
    this.latestRefresh.delete(key);
    this.latestRefresh.set(key, { replaced, fresh });
    if (this.latestRefresh.size > REMEMBERED_REFRESHES) this.latestRefresh.delete(this.latestRefresh.keys().next().value as string);
    return fresh;
  }

  private async refreshWithDropbox(req: Request, stale: StoredCredentials): Promise<StoredCredentials> {
    const refreshed = await this.oauth.refresh(this.openToken(req, stale.refreshToken));
    return { ...stale, accessToken: this.sealer.seal(refreshed.accessToken), expiresAt: this.expiryOf(refreshed.expiresInSeconds) };
  }

  private openToken(req: Request, sealed: string): string {
    const token = this.sealer.open(sealed);
    if (token === undefined) throw this.disconnect(req, UNREADABLE_MESSAGE);
    return token;
  }

  private disconnect(req: Request, reason: string): AppError {
    delete req.session.credentials;
    delete req.session.connectedAt;
    return reconnectRequired(reason);
  }

  private expiryOf(expiresInSeconds: number): number {
    return this.now() + Math.max(expiresInSeconds - EXPIRY_BUFFER_SECONDS, 0) * 1000;
  }
}

function isUnauthorized(error: unknown): error is AppError {
  return error instanceof AppError && error.status === 401 && error.code === 'dropbox_unauthorized';
}
