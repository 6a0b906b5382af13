import { randomBytes } from 'node:crypto';
import { BoundedMap } from './bounded';

/**
 * The emulator's memory of what it granted: authorization codes, access tokens and refresh
 * tokens, each for one account, with Dropbox's lifetimes and revocation rules: codes work once
 * and for 10 minutes (Dropbox publishes no lifetime; 10 minutes is a guess), access tokens live
 * 4 hours (`expires_in` 14400), refresh tokens until revoked, and revoking a token minted from
 * a refresh token revokes that refresh token and every access token minted from it.
 *
 * Bounded: at most MAX_CODES codes and MAX_TOKENS access and refresh tokens each; past that
 * the oldest are forgotten (and then answer as unknown: invalid_grant, invalid_access_token).
 */

export interface AuthorizationRequest {
  clientId: string;
  redirectUri?: string;
  scopes: string[];
  offline: boolean;
  codeChallenge?: string;
}

interface CodeGrant extends AuthorizationRequest {
  accountId: string;
  expiresAt: number;
}

interface AccessGrant {
  accountId: string;
  scopes: string[];
  expiresAt: number;
  refreshToken?: string;
  revoked: boolean;
}

interface RefreshGrant {
  accountId: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

export type AccessCheck = { ok: true; accountId: string; scopes: string[] } | { ok: false; reason: 'malformed' | 'invalid' | 'expired' };

const CODE_LIFETIME_MS = 10 * 60 * 1000;
/** Short-lived tokens seen from Dropbox start with `sl.` (`sl.B...`, `sl.u....`). */
const ACCESS_TOKEN_PREFIX = 'sl.u.';
export const MAX_CODES = 10_000;
export const MAX_TOKENS = 100_000;

export class TokenRegistry {
  private readonly codes = new BoundedMap<string, CodeGrant>(MAX_CODES);
  private readonly accessTokens = new BoundedMap<string, AccessGrant>(MAX_TOKENS);
  private readonly refreshTokens = new BoundedMap<string, RefreshGrant>(MAX_TOKENS);

  /** Seconds an access token lives; Dropbox issues 14400 (4 h). */
  accessTokenLifetime = 14400;

  constructor(private readonly now: () => number) {}

  issueCode(request: AuthorizationRequest, accountId: string): string {
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, { ...request, accountId, expiresAt: this.now() + CODE_LIFETIME_MS });
    return code;
  }

  /** A code works once: it is gone after the first attempt, whether that attempt succeeds or not. */
  redeemCode(code: string): CodeGrant | undefined {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || grant.expiresAt < this.now()) return undefined;
    return grant;
  }

  issueAccessToken(accountId: string, scopes: string[], refreshToken?: string): string {
    const token = `${ACCESS_TOKEN_PREFIX}${randomBytes(48).toString('base64url')}`;
    this.accessTokens.set(token, {
      accountId,
      scopes,
      refreshToken,
      expiresAt: this.now() + this.accessTokenLifetime * 1000,
      revoked: false,
    });
    return token;
  }

  issueRefreshToken(accountId: string, clientId: string, scopes: string[]): string {
    const token = randomBytes(48).toString('base64url');
    this.refreshTokens.set(token, { accountId, clientId, scopes, revoked: false });
    return token;
  }

  refreshGrant(token: string): RefreshGrant | 'malformed' | 'invalid' {
    if (!/^[A-Za-z0-9_-]{20,}$/.test(token)) return 'malformed';
    const grant = this.refreshTokens.get(token);
    return grant && !grant.revoked ? grant : 'invalid';
  }

  /** The account a code, access token or refresh token was issued for, if it is known (for the journal and rate limits). */
  accountOf(grant: { code?: string; accessToken?: string; refreshToken?: string }): string | undefined {
    if (grant.accessToken) return this.accessTokens.get(grant.accessToken)?.accountId;
    if (grant.refreshToken) return this.refreshTokens.get(grant.refreshToken)?.accountId;
    if (grant.code) return this.codes.get(grant.code)?.accountId;
    return undefined;
  }

  /** The token family an access token belongs to: its refresh token, or the token itself. */
  familyOf(accessToken: string): string {
    return this.accessTokens.get(accessToken)?.refreshToken ?? accessToken;
  }

  checkAccessToken(token: string): AccessCheck {
    if (!token.startsWith(ACCESS_TOKEN_PREFIX)) return { ok: false, reason: 'malformed' };
    const grant = this.accessTokens.get(token);
    if (!grant || grant.revoked) return { ok: false, reason: 'invalid' };
    if (grant.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, accountId: grant.accountId, scopes: grant.scopes };
  }

  /**
   * auth/token/revoke: the token itself and, when it came from a refresh token, that refresh
   * token and every access token minted from it.
   */
  revoke(accessToken: string): void {
    const grant = this.accessTokens.get(accessToken);
    if (!grant) return;
    grant.revoked = true;
    if (!grant.refreshToken) return;
    const family = grant.refreshToken;
    const refresh = this.refreshTokens.get(family);
    if (refresh) refresh.revoked = true;
    for (const sibling of this.accessTokens.values()) if (sibling.refreshToken === family) sibling.revoked = true;
  }

  /** What "the user unlinked the app" does: every grant of the account (of every account when none is named) stops working. */
  revokeAll(accountId?: string): void {
    for (const grant of [...this.accessTokens.values(), ...this.refreshTokens.values()]) if (accountId === undefined || grant.accountId === accountId) grant.revoked = true;
  }

  expireAllAccessTokens(): void {
    const now = this.now();
    for (const grant of this.accessTokens.values()) grant.expiresAt = Math.min(grant.expiresAt, now);
  }

  issuedAccessTokens(): string[] {
    return [...this.accessTokens.keys()];
  }

  issuedRefreshTokens(): string[] {
    return [...this.refreshTokens.keys()];
  }
}
