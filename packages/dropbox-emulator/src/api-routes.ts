import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { HOME_NAMESPACE_ID, type EmulatorContext } from './context';
import { metadataJsonOf, metadataOf, type TreeNode } from './file-tree';
import { descendantsOf, getMetadata, getThumbnailBatch, searchContinueV2, searchV2 } from './file-routes';
import { sendApiError, sendBadInput, sendJson, sendPathError } from './wire';

/**
 * The /2/... RPC routes Dropview uses, with Dropbox's checks in Dropbox's order: the
 * Authorization header, the token, its scope, then the body (dropbox-api.md sections 3-7).
 */

type Args = Record<string, unknown>;

export interface Caller {
  accountId: string;
  accessToken: string;
  /** The folder of the namespace this call works in: `` for the root, the home path otherwise. */
  prefix: string;
}

/** The node at a caller-relative path. */
export function lookupFor(ctx: EmulatorContext, caller: Caller, path: string): TreeNode | undefined {
  return ctx.tree.lookup(`${caller.prefix}${path}`);
}

export interface RpcRoute {
  /** `files/list_folder/longpoll` takes no Authorization at all. */
  noAuth?: boolean;
  scope?: string;
  takesArgs: boolean;
  handle(ctx: EmulatorContext, args: Args, caller: Caller, req: Request, res: Response): void;
}

const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain; charset=dropbox-cors-hack'];
const LIST_FOLDER_PATH_PATTERN = /^((\/[\s\S]*)?|id:.*|ns:[0-9]+(\/[\s\S]*)?)$/;
const READ_PATH_PATTERN = /^(\/[\s\S]*|id:.*|rev:[0-9a-f]{9,}|ns:[0-9]+(\/[\s\S]*)?)$/;
const DEFAULT_LIST_LIMIT = 2000;
const TEMPORARY_LINK_LIFETIME_MS = 4 * 60 * 60 * 1000;

/** Dropbox refuses paths that end in a slash or white space with path/malformed_path. */
function isMalformedPath(path: string): boolean {
  return path !== '' && /[/\s]$/.test(path);
}

/** Looks up a ReadPath argument (get_metadata, get_temporary_link), answering Dropbox's 400 or 409 itself when it cannot. */
export function readPath(ctx: EmulatorContext, caller: Caller, route: string, path: unknown, res: Response): TreeNode | undefined {
  if (typeof path !== 'string') return void sendBadInput(res, route, "request body: missing required field 'path'");
  if (path === '') return void sendBadInput(res, route, 'request body: path: The root folder is unsupported.');
  if (!READ_PATH_PATTERN.test(path)) {
    return void sendBadInput(res, route, `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/(.|[\\r\\n])*)?)'`);
  }
  if (isMalformedPath(path)) return void sendPathError(res, 'malformed_path');
  const node = lookupFor(ctx, caller, path);
  if (!node) return void sendPathError(res, 'not_found');
  return node;
}

/** A list_folder page: `{entries, cursor, has_more}`, the entries from their kept JSON (metadataJsonOf). */
function sendListing(res: Response, page: { entries: TreeNode[]; cursor: string; hasMore: boolean }, prefix: string): void {
  res.status(200).setHeader('Content-Type', 'application/json');
  res.end(`{"entries":[${page.entries.map((node) => metadataJsonOf(node, prefix)).join(',')}],"cursor":${JSON.stringify(page.cursor)},"has_more":${page.hasMore}}`);
}

const listFolder: RpcRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const route = 'files/list_folder';
    const { path, limit, recursive } = args;
    if (typeof path !== 'string') return sendBadInput(res, route, "request body: missing required field 'path'");
    if (path === '/') return sendBadInput(res, route, 'request body: path: Specify the root folder as an empty string rather than as "/".');
    if (!LIST_FOLDER_PATH_PATTERN.test(path)) {
      return sendBadInput(res, route, `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)'`);
    }
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 2000)) {
      return sendBadInput(res, route, `request body: limit: ${JSON.stringify(limit)} is not a valid UInt32 between 1 and 2000`);
    }
    if (isMalformedPath(path)) return sendPathError(res, 'malformed_path');
    const node = lookupFor(ctx, caller, path);
    if (!node) return sendPathError(res, 'not_found');
    if (node.kind !== 'folder') return sendPathError(res, 'not_folder');
    const entries = recursive === true ? descendantsOf(node) : [...node.children.values()];
    sendListing(res, ctx.cursors.start(entries, (limit as number | undefined) ?? DEFAULT_LIST_LIMIT, node.pathDisplay.toLowerCase(), ctx.tree.generation), caller.prefix);
  },
};

const listFolderContinue: RpcRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const { cursor } = args;
    if (typeof cursor !== 'string' || cursor.length === 0) {
      return sendBadInput(res, 'files/list_folder/continue', "request body: cursor: missing required field 'cursor'");
    }
    const page = ctx.cursors.continue(cursor);
    if (page === 'reset') return sendApiError(res, 409, ['reset'], { '.tag': 'reset' });
    sendListing(res, page, caller.prefix);
  },
};

/** A cursor for "now": no entries, just the point from which changes count. */
const getLatestCursor: RpcRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const { path } = args;
    if (typeof path !== 'string') return sendBadInput(res, 'files/list_folder/get_latest_cursor', "request body: missing required field 'path'");
    const node = lookupFor(ctx, caller, path);
    if (!node) return sendPathError(res, 'not_found');
    if (node.kind !== 'folder') return sendPathError(res, 'not_folder');
    sendJson(res, 200, { cursor: ctx.cursors.start([], 1, node.pathDisplay.toLowerCase(), ctx.tree.generation).cursor });
  },
};

/**
 * notify.dropboxapi.com/2/files/list_folder/longpoll: answers `changes: true` as soon as the
 * cursor's folder changes, or `changes: false` after `timeout` seconds (30-480).
 */
const longpoll: RpcRoute = {
  noAuth: true,
  takesArgs: true,
  handle(ctx, args, _caller, _req, res) {
    const route = 'files/list_folder/longpoll';
    const timeout = args.timeout ?? 30;
    if (typeof args.cursor !== 'string') return sendBadInput(res, route, "request body: missing required field 'cursor'");
    if (!Number.isInteger(timeout) || (timeout as number) < 30 || (timeout as number) > 480) return sendBadInput(res, route, 'request body: timeout: must be between 30 and 480');
    const watched = ctx.cursors.watched(args.cursor);
    if (!watched) return sendApiError(res, 409, ['reset'], { '.tag': 'reset' });
    if (ctx.tree.changedSince(watched.folder, watched.treeGeneration)) return sendJson(res, 200, { changes: true });
    const finish = (changes: boolean) => {
      clearTimeout(timer);
      stopWatching();
      if (!res.writableEnded) sendJson(res, 200, { changes });
    };
    const stopWatching = ctx.tree.onChange((folder) => folder === watched.folder && finish(true));
    const timer = setTimeout(() => finish(false), (timeout as number) * 1000);
    // The response's close, not the request's: a request closes as soon as its body is read.
    res.on('close', () => {
      clearTimeout(timer);
      stopWatching();
    });
  },
};

const getTemporaryLink: RpcRoute = {
  scope: 'files.content.read',
  takesArgs: true,
  handle(ctx, args, caller, req, res) {
    const node = readPath(ctx, caller, 'files/get_temporary_link', args.path, res);
    if (!node) return;
    if (node.kind !== 'file') return sendPathError(res, 'not_file');
    const id = randomBytes(18).toString('base64url');
    ctx.temporaryLinks.set(id, { fileId: node.id, path: node.pathDisplay, expiresAt: ctx.now() + TEMPORARY_LINK_LIFETIME_MS });
    const link = `${req.protocol}://${req.get('host')}/temp/${id}/${encodeURIComponent(node.name)}`;
    sendJson(res, 200, { metadata: metadataOf(node, caller.prefix), link });
  },
};

const getCurrentAccount: RpcRoute = {
  scope: 'account_info.read',
  takesArgs: false,
  handle(ctx, _args, _caller, _req, res) {
    const { account } = ctx;
    sendJson(res, 200, {
      account_id: account.accountId,
      name: {
        given_name: account.givenName,
        surname: account.surname,
        familiar_name: account.givenName,
        display_name: `${account.givenName} ${account.surname}`,
        abbreviated_name: `${account.givenName[0]}${account.surname[0]}`,
      },
      email: account.email,
      email_verified: true,
      disabled: false,
      country: 'US',
      locale: 'en',
      referral_link: 'https://db.tt/emulator',
      is_paired: false,
      account_type: { '.tag': 'basic' },
      // Since the 2023 team-space update a team member may be tagged "user" with root != home.
      root_info: ctx.team
        ? { '.tag': 'user', root_namespace_id: ctx.team.rootNamespaceId, home_namespace_id: HOME_NAMESPACE_ID, home_path: ctx.team.homePath }
        : { '.tag': 'user', root_namespace_id: HOME_NAMESPACE_ID, home_namespace_id: HOME_NAMESPACE_ID },
    });
  },
};

const getSpaceUsage: RpcRoute = {
  scope: 'account_info.read',
  takesArgs: false,
  handle(ctx, _args, _caller, _req, res) {
    const used = descendantsOf(ctx.tree.root).reduce((sum, node) => sum + (node.kind === 'file' ? node.content.length : 0), 0);
    sendJson(res, 200, { used, allocation: { '.tag': 'individual', allocated: 2 * 1024 ** 3 } });
  },
};

const revokeToken: RpcRoute = {
  takesArgs: false,
  handle(ctx, _args, caller, _req, res) {
    ctx.tokens.revoke(caller.accessToken);
    sendJson(res, 200, null);
  },
};

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

function authenticate(ctx: EmulatorContext, route: string, spec: RpcRoute, req: Request, res: Response): Caller | undefined {
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
  if (!check.ok) {
    if (check.reason === 'malformed') sendBadInput(res, route, 'The given OAuth 2 access token is malformed.');
    else {
      const tag = check.reason === 'expired' ? 'expired_access_token' : 'invalid_access_token';
      sendApiError(res, 401, [tag], { '.tag': tag });
    }
    return undefined;
  }
  if (spec.scope && !check.scopes.includes(spec.scope)) {
    sendApiError(res, 401, ['missing_scope'], { '.tag': 'missing_scope', required_scope: spec.scope });
    return undefined;
  }
  const prefix = namespaceOf(ctx, route, req, res);
  if (prefix === undefined) return undefined;
  return { accountId: check.accountId, accessToken: bearer[1], prefix };
}

/**
 * Dropbox-API-Path-Root (dropbox-api.md section 10): without it, calls work in the home
 * namespace; `root` must name the user's current root, or the answer is 422 `invalid_root`
 * carrying the current root info.
 */
function namespaceOf(ctx: EmulatorContext, route: string, req: Request, res: Response): string | undefined {
  const homePrefix = ctx.team?.homePath ?? '';
  const rootId = ctx.team?.rootNamespaceId ?? HOME_NAMESPACE_ID;
  const header = req.get('dropbox-api-path-root');
  if (header === undefined) return homePrefix;
  let pathRoot: { '.tag'?: unknown; root?: unknown; namespace_id?: unknown };
  try {
    pathRoot = JSON.parse(header);
  } catch {
    sendBadInput(res, route, `Invalid value in HTTP header "Dropbox-API-Path-Root": ${header}`);
    return undefined;
  }
  const rootInfo = ctx.team
    ? { '.tag': 'team', root_namespace_id: rootId, home_namespace_id: HOME_NAMESPACE_ID, home_path: ctx.team.homePath }
    : { '.tag': 'user', root_namespace_id: rootId, home_namespace_id: HOME_NAMESPACE_ID };
  if (pathRoot['.tag'] === 'home') return homePrefix;
  if (pathRoot['.tag'] === 'root') {
    if (pathRoot.root === rootId) return '';
    sendApiError(res, 422, ['invalid_root'], { '.tag': 'invalid_root', invalid_root: rootInfo });
    return undefined;
  }
  if (pathRoot['.tag'] === 'namespace_id' && (pathRoot.namespace_id === rootId || pathRoot.namespace_id === HOME_NAMESPACE_ID)) {
    return pathRoot.namespace_id === rootId ? '' : homePrefix;
  }
  sendApiError(res, 422, ['no_permission'], { '.tag': 'no_permission' });
  return undefined;
}

/** Decodes the RPC body, or answers the 400 Dropbox gives and returns undefined. */
function decodeArgs(route: string, spec: RpcRoute, req: Request, res: Response): Args | undefined {
  const contentType = req.get('content-type');
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (!spec.takesArgs && contentType === undefined && body === '') return {};
  if (!JSON_CONTENT_TYPES.includes((contentType ?? '').toLowerCase())) {
    sendBadInput(res, route, `Bad HTTP "Content-Type" header: "${contentType ?? ''}".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`);
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

function contentTypeOf(name: string): string {
  const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    txt: 'text/plain', md: 'text/markdown', pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg',
    jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', json: 'application/json', csv: 'text/csv', mp3: 'audio/mpeg',
  };
  return types[extension] ?? 'application/octet-stream';
}

export function apiRoutes(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.post('/2/*route', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const route = (req.params as { route: string[] }).route.join('/');
    const spec = RPC_ROUTES[route];
    if (!spec) return sendBadInput(res, route, 'Unknown API function');
    const caller = spec.noAuth ? { accountId: '', accessToken: '', prefix: '' } : authenticate(ctx, route, spec, req, res);
    if (!caller) return;
    const args = decodeArgs(route, spec, req, res);
    if (!args) return;
    spec.handle(ctx, args, caller, req, res);
  });
  router.get('/temp/:id/:name', (req, res) => {
    const link = ctx.temporaryLinks.get(req.params.id);
    if (!link) return void res.status(404).type('text').send('Not found');
    if (link.expiresAt <= ctx.now()) return void res.status(410).type('text').send('Gone: this temporary link has expired.');
    const node = ctx.tree.lookup(link.path);
    if (!node || node.kind !== 'file' || node.id !== link.fileId) return void res.status(404).type('text').send('Not found');
    res.setHeader('Content-Type', contentTypeOf(node.name));
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(node.name)}`);
    res.end(node.content);
  });
  return router;
}
