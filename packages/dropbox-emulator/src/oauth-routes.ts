import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorContext } from './context';
import type { AuthorizationRequest } from './token-registry';
import { sendJson, sendOAuthError } from './wire';
import { authorizePage, authorizeErrorPage, codeOnScreenPage } from './pages';

/**
 * www.dropbox.com/oauth2/authorize and api.dropboxapi.com/oauth2/token, as dropbox-api.md
 * sections 1 and 2 describe them.
 */

export const ALL_SCOPES = ['account_info.read', 'files.content.read', 'files.metadata.read'];
const MAX_STATE_BYTES = 500;

type Params = Record<string, string | undefined>;

interface ValidAuthorization {
  request: AuthorizationRequest;
  state?: string;
}

function stringParams(source: unknown): Params {
  const params: Params = {};
  if (source && typeof source === 'object') {
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') params[key] = value;
  }
  return params;
}

function validateAuthorization(ctx: EmulatorContext, params: Params): ValidAuthorization | string {
  if (params.client_id !== ctx.app.key) return 'Invalid client_id.';
  if (params.response_type !== 'code') return `Unsupported response_type: "${params.response_type ?? ''}". This emulator serves the code flow.`;
  if (params.redirect_uri !== undefined && !ctx.app.redirectUris.includes(params.redirect_uri)) {
    return 'Invalid redirect_uri. It must exactly match one of the redirect URIs you have pre-configured for your app.';
  }
  if (params.state !== undefined && Buffer.byteLength(params.state) > MAX_STATE_BYTES) return 'The state parameter is longer than 500 bytes.';
  if (params.code_challenge !== undefined && params.code_challenge_method !== 'S256') return 'Unsupported code_challenge_method; use S256.';
  const scopes = params.scope ? params.scope.split(' ').filter(Boolean) : ALL_SCOPES;
  const unknownScope = scopes.find((scope) => !ALL_SCOPES.includes(scope));
  if (unknownScope) return `Invalid scope: ${unknownScope}.`;
  return {
    request: {
      clientId: params.client_id,
      redirectUri: params.redirect_uri,
      scopes,
      offline: params.token_access_type === 'offline',
      codeChallenge: params.code_challenge,
    },
    state: params.state,
  };
}

function finishAuthorization(ctx: EmulatorContext, res: Response, authorization: ValidAuthorization, approved: boolean): void {
  const { request, state } = authorization;
  const code = approved ? ctx.tokens.issueCode(request, ctx.account.accountId) : undefined;
  if (!request.redirectUri) {
    res.status(approved ? 200 : 403).type('html').send(codeOnScreenPage(code));
    return;
  }
  const target = new URL(request.redirectUri);
  if (code) {
    target.searchParams.set('code', code);
  } else {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'The user chose not to give your app access to their Dropbox account.');
  }
  if (state !== undefined) target.searchParams.set('state', state);
  res.redirect(302, target.toString());
}

/**
 * GET shows the consent page (or approves at once in auto-approve mode); POST is the person's
 * click on Allow or Deny. Both check the request the same way first.
 */
function authorize(ctx: EmulatorContext, method: 'show' | 'decide') {
  return (req: Request, res: Response) => {
    const params = stringParams(method === 'show' ? req.query : req.body);
    const authorization = validateAuthorization(ctx, params);
    if (typeof authorization === 'string') {
      res.status(400).type('html').send(authorizeErrorPage(authorization));
    } else if (method === 'decide' || ctx.autoApprove) {
      finishAuthorization(ctx, res, authorization, method === 'show' || params.decision === 'allow');
    } else {
      res.type('html').send(authorizePage(params, authorization.request.scopes, ctx.account.email));
    }
  };
}

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

export function oauthRoutes(ctx: EmulatorContext): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  router.get('/oauth2/authorize', authorize(ctx, 'show'));
  router.post('/oauth2/authorize', form, authorize(ctx, 'decide'));
  router.post('/oauth2/token', form, issueToken(ctx));
  return router;
}
