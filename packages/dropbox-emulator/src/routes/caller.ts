import type { Request, Response } from 'express';
import type { EmulatedAccount } from '../accounts';
import type { EmulatorContext } from '../context';
import { sendApiError, sendBadInput } from '../wire';
import type { Caller, UserRoute } from './rpc-types';

/**
 * Who a /2/ call is from, checked in Dropbox's order: the Authorization header (400 text when
 * missing or not Bearer), the token (400 when malformed, 401 invalid_access_token or
 * expired_access_token), its scope (401 missing_scope), then the Dropbox-API-Path-Root header.
 */

export function authenticate(ctx: EmulatorContext, route: string, spec: UserRoute, req: Request, res: Response): Caller | undefined {
  const header = req.get('authorization');
  if (!header) {
    sendBadInput(res, route, 'Must provide HTTP header "Authorization" or URL parameter "authorization".');
    return undefined;
  }
  const bearer = /^Bearer (.*)$/.exec(header);
  if (!bearer) {
    sendBadInput(res, route, `Invalid authorization value in HTTP header "Authorization": "${header.slice(0, 12)}…".  Expecting "Bearer <oauth2-access-token>".`);
    return undefined;
  }
  const check = ctx.tokens.checkAccessToken(bearer[1]);
  const account = check.ok ? ctx.accounts.get(check.accountId) : undefined;
  if (!check.ok || !account) {
    if (!check.ok && check.reason === 'malformed') sendBadInput(res, route, 'The given OAuth 2 access token is malformed.');
    else {
      const tag = !check.ok && check.reason === 'expired' ? 'expired_access_token' : 'invalid_access_token';
      sendApiError(res, 401, [tag], { '.tag': tag });
    }
    return undefined;
  }
  if (spec.scope && !check.scopes.includes(spec.scope)) {
    sendApiError(res, 401, ['missing_scope'], { '.tag': 'missing_scope', required_scope: spec.scope });
    return undefined;
  }
  const prefix = namespaceOf(account, route, req, res);
  if (prefix === undefined) return undefined;
  return { account, accessToken: bearer[1], prefix };
}

/** The account's RootInfo, as get_current_account and the 422 invalid_root body carry it. */
export function rootInfoOf(account: EmulatedAccount, tag: 'user' | 'team'): Record<string, string> {
  return account.team
    ? { '.tag': tag, root_namespace_id: account.rootNamespaceId, home_namespace_id: account.homeNamespaceId, home_path: account.team.homePath }
    : { '.tag': 'user', root_namespace_id: account.homeNamespaceId, home_namespace_id: account.homeNamespaceId };
}

/**
 * Dropbox-API-Path-Root: without it, calls work in the home namespace. `{".tag": "home"}` is
 * the same; `{".tag": "root", "root": id}` must name the user's current root namespace, or the
 * answer is 422 invalid_root carrying the current root info; `{".tag": "namespace_id", ...}`
 * may name any namespace the user can reach (here: their root and home), else 422 no_permission.
 */
function namespaceOf(account: EmulatedAccount, route: string, req: Request, res: Response): string | undefined {
  const header = req.get('dropbox-api-path-root');
  if (header === undefined) return account.homePrefix;
  let pathRoot: { '.tag'?: unknown; root?: unknown; namespace_id?: unknown };
  try {
    pathRoot = JSON.parse(header) as typeof pathRoot;
  } catch {
    sendBadInput(res, route, `Invalid value in HTTP header "Dropbox-API-Path-Root": ${header}`);
    return undefined;
  }
  if (pathRoot['.tag'] === 'home') return account.homePrefix;
  if (pathRoot['.tag'] === 'root') {
    if (pathRoot.root === account.rootNamespaceId) return '';
    sendApiError(res, 422, ['invalid_root'], { '.tag': 'invalid_root', invalid_root: rootInfoOf(account, 'team') });
    return undefined;
  }
  if (pathRoot['.tag'] === 'namespace_id') {
    if (pathRoot.namespace_id === account.rootNamespaceId) return '';
    if (pathRoot.namespace_id === account.homeNamespaceId) return account.homePrefix;
  }
  sendApiError(res, 422, ['no_permission'], { '.tag': 'no_permission' });
  return undefined;
}
