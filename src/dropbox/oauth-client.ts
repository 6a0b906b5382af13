import type { AxiosResponse } from 'axios';
import { badAnswer, tokenFailure } from './errors';
import { DEFAULT_HTTP_OPTIONS, DropboxHttp, type HttpOptions } from './http';
import { tokenResult } from './wire';

/**
 * The Dropbox OAuth 2 client: the authorize URL, the code exchange and the refresh
 * (docs/dropbox-api.md sections 1-2). Secrets, codes and tokens go in the POST body and the Basic
 * header, never in a URL.
 */

/** Least privilege (S18): names and sizes, file bytes for downloads, and who is connected. */
export const REQUESTED_SCOPES = 'account_info.read files.content.read files.metadata.read';

export interface OAuthSettings {
  appKey: string;
  appSecret: string;
  authorizeUrl: string;
  apiUrl: string;
  redirectUri: string;
}

export interface TokenGrant {
  accessToken: string;
  expiresInSeconds: number;
  refreshToken: string;
  accountId: string;
}

export interface RefreshedAccess {
  accessToken: string;
  expiresInSeconds: number;
}

/** A token answer: its fields checked, or a DropboxError (`bad_answer`). */
function tokenBodyOf(response: AxiosResponse<string>) {
  let body: unknown;
  try {
    body = JSON.parse(response.data);
  } catch {
    throw badAnswer('oauth2/token');
  }
  const parsed = tokenResult.safeParse(body);
  if (!parsed.success) throw badAnswer('oauth2/token');
  return parsed.data;
}

export class DropboxOAuthClient {
  private readonly http: DropboxHttp;
  private readonly basicAuth: { username: string; password: string };

  constructor(
    private readonly settings: OAuthSettings,
    httpOptions: HttpOptions = DEFAULT_HTTP_OPTIONS,
  ) {
    this.http = new DropboxHttp(settings.apiUrl, httpOptions);
    this.basicAuth = { username: settings.appKey, password: settings.appSecret };
  }

  authorizeUrl(state: string, codeChallenge: string): string {
    const url = new URL(this.settings.authorizeUrl);
    url.search = new URLSearchParams({
      client_id: this.settings.appKey,
      response_type: 'code',
      token_access_type: 'offline',
      redirect_uri: this.settings.redirectUri,
      scope: REQUESTED_SCOPES,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  async exchangeCode(code: string, codeVerifier: string): Promise<TokenGrant> {
    // Not repeated: a code works once, so a retry after a lost answer could only fail.
    const body = await this.postToken({ grant_type: 'authorization_code', code, redirect_uri: this.settings.redirectUri, code_verifier: codeVerifier }, false);
    // Offline access always brings a refresh token and the account: without them there is no connection to keep.
    if (!body.refresh_token || !body.account_id) throw badAnswer('oauth2/token');
    return { accessToken: body.access_token, expiresInSeconds: body.expires_in, refreshToken: body.refresh_token, accountId: body.account_id };
  }

  /** Dropbox does not rotate refresh tokens: the caller keeps the one it has. */
  async refresh(refreshToken: string): Promise<RefreshedAccess> {
    const body = await this.postToken({ grant_type: 'refresh_token', refresh_token: refreshToken }, true);
    return { accessToken: body.access_token, expiresInSeconds: body.expires_in };
  }

  private async postToken(fields: Record<string, string>, repeatable: boolean) {
    const response = await this.http.post(
      'oauth2/token',
      '/oauth2/token',
      new URLSearchParams(fields).toString(),
      { auth: this.basicAuth, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      repeatable,
    );
    if (response.status !== 200) throw tokenFailure(response);
    return tokenBodyOf(response);
  }
}
