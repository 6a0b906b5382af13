import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorContext } from '../context';
import { sendBadInput } from '../wire';
import { revokeToken } from './auth';
import { authenticate } from './caller';
import { getLatestCursor, listFolder, listFolderContinue } from './files-list';
import { getMetadata, getTemporaryLink, getThumbnailBatch } from './files-read';
import { searchContinueV2, searchV2 } from './files-search';
import { longpoll } from './longpoll';
import type { Args, RpcRoute } from './rpc-types';
import { getCurrentAccount, getSpaceUsage } from './users';

/**
 * POST /2/<namespace>/<route>: the route table, the caller check (caller.ts) and the body
 * decoding, with Dropbox's 400s for bodies it will not take. The api, content and notify
 * hosts are all this one port.
 */

export const RPC_ROUTES: Record<string, RpcRoute> = {
  'files/list_folder': listFolder,
  'files/list_folder/continue': listFolderContinue,
  'files/list_folder/get_latest_cursor': getLatestCursor,
  'files/list_folder/longpoll': longpoll,
  'files/get_temporary_link': getTemporaryLink,
  'files/get_metadata': getMetadata,
  'files/search_v2': searchV2,
  'files/search/continue_v2': searchContinueV2,
  'files/get_thumbnail_batch': getThumbnailBatch,
  'users/get_current_account': getCurrentAccount,
  'users/get_space_usage': getSpaceUsage,
  'auth/token/revoke': revokeToken,
};

const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain; charset=dropbox-cors-hack'];

/**
 * Decodes the RPC body, or answers the 400 Dropbox gives and returns undefined. A no-argument
 * route takes no body and no Content-Type (what the JS SDK sends) or a JSON `null`.
 */
function decodeArgs(route: string, spec: RpcRoute, req: Request, res: Response): Args | undefined {
  const contentType = req.get('content-type');
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (!spec.takesArgs && contentType === undefined && body === '') return {};
  if (!JSON_CONTENT_TYPES.includes((contentType ?? '').toLowerCase())) {
    sendBadInput(
      res,
      route,
      `Bad HTTP "Content-Type" header: "${contentType ?? ''}".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`,
    );
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    sendBadInput(res, route, 'request body: could not decode input as JSON');
    return undefined;
  }
  if (!spec.takesArgs) return {};
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    sendBadInput(res, route, 'request body: expected an object');
    return undefined;
  }
  return parsed as Args;
}

export function rpcRoutes(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.post('/2/*route', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const route = req.params.route.join('/');
    const spec = RPC_ROUTES[route];
    if (!spec) return sendBadInput(res, route, 'Unknown API function');
    if (spec.noAuth) {
      const args = decodeArgs(route, spec, req, res);
      if (args) spec.handle(ctx, args, req, res);
      return;
    }
    const caller = authenticate(ctx, route, spec, req, res);
    if (!caller) return;
    const args = decodeArgs(route, spec, req, res);
    if (args) spec.handle(ctx, args, caller, req, res);
  });
  return router;
}
