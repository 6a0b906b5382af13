import { sendJson } from '../wire';
import type { UserRoute } from './rpc-types';

/**
 * auth/token/revoke: disables the calling token and, when it was minted from a refresh token,
 * that refresh token and every access token minted from it. The result type is Void; the
 * body is `null` (⚠ Dropbox's exact success body is unconfirmed; clients accept either).
 */
export const revokeToken: UserRoute = {
  takesArgs: false,
  handle(ctx, _args, caller, _req, res) {
    ctx.tokens.revoke(caller.accessToken);
    sendJson(res, 200, null);
  },
};
