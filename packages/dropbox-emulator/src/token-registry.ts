import { randomBytes } from 'node:crypto';

/**
 * The emulator's memory of what it granted: authorization codes, access tokens and refresh
 * tokens, with the lifetimes and revocation rules of dropbox-api.md section 2.
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

export type AccessCheck =
  | { ok: true; accountId: string; scopes: string[] }
  | { ok: false; reason: 'malformed' | 'invalid' | 'expired' };

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const ACCESS_TOKEN_PREFIX = 'sl.u.';

export class TokenRegistry {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

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

  /** What "the user unlinked the app" does: every grant of every account stops working. */
  revokeAll(): void {
    for (const grant of this.accessTokens.values()) grant.revoked = true;
    for (const grant of this.refreshTokens.values()) grant.revoked = true;
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
