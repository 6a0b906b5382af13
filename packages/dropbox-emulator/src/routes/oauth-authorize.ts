import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorContext } from '../context';
import { authorizeErrorPage, authorizePage, codeOnScreenPage } from '../pages';
import type { AuthorizationRequest } from '../token-registry';
import { stringParams, type Params } from './form-params';

/**
 * www.dropbox.com/oauth2/authorize: checks client_id, response_type=code, a registered
 * redirect_uri (exact match), state (at most 500 bytes), PKCE (S256 only) and the scopes; an
 * error there is shown on the page and never redirected. Then the consent page with Allow and
 * Deny for the signed-in account (emulator.signInAs), or approval at once in auto-approve
 * mode. Allow redirects with `code` and `state`; Deny with `error=access_denied`,
 * `error_description` and `state`. Without a redirect_uri the code is shown on the page.
 */

export const ALL_SCOPES = ['account_info.read', 'files.content.read', 'files.metadata.read'];
const MAX_STATE_BYTES = 500;

interface ValidAuthorization {
  request: AuthorizationRequest;
  state?: string;
}

function validate(ctx: EmulatorContext, params: Params): ValidAuthorization | string {
  if (params.client_id !== ctx.app.key) return 'Invalid client_id.';
  if (params.response_type !== 'code') return `Unsupported response_type: "${params.response_type ?? ''}". This emulator serves the code flow.`;
  if (params.redirect_uri !== undefined && !ctx.app.redirectUris.includes(params.redirect_uri)) {
    return 'Invalid redirect_uri. It must exactly match one of the redirect URIs you have pre-configured for your app.';
  }
  if (params.state !== undefined && Buffer.byteLength(params.state) > MAX_STATE_BYTES) return 'The state parameter is longer than 500 bytes.';
  // ⚠ Whether Dropbox accepts `plain` is unconfirmed; every SDK sends S256.
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

function finish(ctx: EmulatorContext, res: Response, authorization: ValidAuthorization, approved: boolean): void {
  const { request, state } = authorization;
  const code = approved ? ctx.tokens.issueCode(request, ctx.accounts.signedInAccount.accountId) : undefined;
  if (!request.redirectUri) {
    res
      .status(approved ? 200 : 403)
      .type('html')
      .send(codeOnScreenPage(code));
    return;
  }
  const target = new URL(request.redirectUri);
  if (code) {
    target.searchParams.set('code', code);
  } else {
    target.searchParams.set('error', 'access_denied');
    // ⚠ Dropbox's exact wording is unconfirmed.
    target.searchParams.set('error_description', 'The user chose not to give your app access to their Dropbox account.');
  }
  if (state !== undefined) target.searchParams.set('state', state);
  res.redirect(302, target.toString());
}

/** GET shows the consent page (or approves at once); POST is the person's click on Allow or Deny. Both check the request first. */
function authorize(ctx: EmulatorContext, method: 'show' | 'decide') {
  return (req: Request, res: Response) => {
    const params = stringParams(method === 'show' ? req.query : req.body);
    const authorization = validate(ctx, params);
    if (typeof authorization === 'string') {
      res.status(400).type('html').send(authorizeErrorPage(authorization));
    } else if (method === 'decide' || ctx.autoApprove) {
      finish(ctx, res, authorization, method === 'show' || params.decision === 'allow');
    } else {
      res.type('html').send(authorizePage(params, authorization.request.scopes, ctx.accounts.signedInAccount.email));
    }
  };
}

export function authorizeRoutes(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.get('/oauth2/authorize', authorize(ctx, 'show'));
  router.post('/oauth2/authorize', express.urlencoded({ extended: false, limit: '16kb' }), authorize(ctx, 'decide'));
  return router;
}
