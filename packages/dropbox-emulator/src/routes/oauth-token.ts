import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorContext } from '../context';
import { sendJson, sendOAuthError } from '../wire';
import { stringParams, type Params } from './form-params';

/**
 * api.dropboxapi.com/oauth2/token (the same path answers for api.dropbox.com): both grants.
 * Parameters come from the form body or the query string (the official JS SDK sends them in
 * the query string with no body); the client authenticates by HTTP Basic, by client_id and
 * client_secret fields, or as a PKCE client with client_id and code_verifier only. Errors are
 * 400 `{error, error_description}` with Dropbox's descriptions where they are known.
 *
 * A code exchange answers access_token, expires_in, token_type "bearer", scope, account_id,
 * uid and, for offline access, refresh_token; a refresh answers only access_token, token_type
 * and expires_in, and keeps the refresh token (Dropbox does not rotate it).
 */

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

type ClientAuth = { clientId: string; confidential: boolean } | 'invalid';

/** HTTP Basic (app key and secret), the same as body fields, or a public PKCE client with only client_id. */
function authenticateClient(ctx: EmulatorContext, req: Request, params: Params): ClientAuth {
  const basic = /^Basic (.+)$/i.exec(req.get('authorization') ?? '');
  let clientId = params.client_id;
  let secret = params.client_secret;
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'invalid';
    clientId = decoded.slice(0, colon);
    secret = decoded.slice(colon + 1);
  }
  if (clientId !== ctx.app.key) return 'invalid';
  if (secret === undefined) return { clientId, confidential: false };
  return safeEqual(secret, ctx.app.secret) ? { clientId, confidential: true } : 'invalid';
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function exchangeCode(ctx: EmulatorContext, res: Response, client: { clientId: string; confidential: boolean }, params: Params): void {
  if (!params.code) return sendOAuthError(res, 'invalid_request', 'No auth code provided.');
  const grant = ctx.tokens.redeemCode(params.code);
  if (!grant || grant.clientId !== client.clientId) return sendOAuthError(res, 'invalid_grant', "code doesn't exist or has expired");
  if (grant.redirectUri !== undefined && params.redirect_uri !== grant.redirectUri) {
    return sendOAuthError(res, 'invalid_grant', 'redirect_uri mismatch');
  }
  if (grant.codeChallenge !== undefined) {
    if (!params.code_verifier || !safeEqual(s256(params.code_verifier), grant.codeChallenge)) {
      return sendOAuthError(res, 'invalid_grant', 'invalid code verifier');
    }
  } else if (!client.confidential) {
    return sendOAuthError(res, 'invalid_client', 'Invalid client_id or client_secret');
  }
  const refreshToken = grant.offline ? ctx.tokens.issueRefreshToken(grant.accountId, grant.clientId, grant.scopes) : undefined;
  const accessToken = ctx.tokens.issueAccessToken(grant.accountId, grant.scopes, refreshToken);
  sendJson(res, 200, {
    access_token: accessToken,
    expires_in: ctx.tokens.accessTokenLifetime,
    token_type: 'bearer',
    scope: grant.scopes.join(' '),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    account_id: grant.accountId,
    uid: '12345',
  });
}

function refreshAccess(ctx: EmulatorContext, res: Response, client: { clientId: string }, params: Params): void {
  if (!params.refresh_token) return sendOAuthError(res, 'invalid_request', 'No refresh token provided.');
  const grant = ctx.tokens.refreshGrant(params.refresh_token);
  if (grant === 'malformed') return sendOAuthError(res, 'invalid_grant', 'refresh token is malformed');
  if (grant === 'invalid' || grant.clientId !== client.clientId) {
    return sendOAuthError(res, 'invalid_grant', 'refresh token is invalid or revoked');
  }
  const scopes = params.scope ? params.scope.split(' ').filter(Boolean) : grant.scopes;
  if (scopes.some((scope) => !grant.scopes.includes(scope))) return sendOAuthError(res, 'invalid_scope', 'requested scope exceeds the grant');
  sendJson(res, 200, {
    access_token: ctx.tokens.issueAccessToken(grant.accountId, scopes, params.refresh_token),
    token_type: 'bearer',
    expires_in: ctx.tokens.accessTokenLifetime,
  });
}

function issueToken(ctx: EmulatorContext) {
  return (req: Request, res: Response) => {
    // The official JS SDK sends every token parameter in the query string, so both places count.
    const params = { ...stringParams(req.query), ...stringParams(req.body) };
    const client = authenticateClient(ctx, req, params);
    if (client === 'invalid') return sendOAuthError(res, 'invalid_client', 'Invalid client_id or client_secret');
    switch (params.grant_type) {
      case 'authorization_code':
        return exchangeCode(ctx, res, client, params);
      case 'refresh_token':
        return refreshAccess(ctx, res, client, params);
      case undefined:
        return sendOAuthError(res, 'invalid_request', 'No grant type provided.');
      default:
        return sendOAuthError(res, 'unsupported_grant_type', `"${params.grant_type}" is not a supported grant type.`);
    }
  };
}

export function tokenRoutes(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.post('/oauth2/token', express.urlencoded({ extended: false, limit: '16kb' }), issueToken(ctx));
  return router;
}
