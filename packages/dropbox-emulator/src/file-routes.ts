import type { EmulatorContext } from './context';
import { metadataOf, type FolderNode, type TreeNode } from './file-tree';
import { jpegThumbnail, thumbnailBox } from './images';
import { sendApiError, sendBadInput, sendJson, sendPathError } from './wire';
import { lookupFor, readPath, type RpcRoute } from './api-routes';

/**
 * files/get_metadata, files/search_v2 (+ continue_v2) and files/get_thumbnail_batch, as
 * dropbox-api.md section 6 describes them.
 */

const MAX_SEARCH_MATCHES = 10_000;
const MAX_BATCH = 25;
const THUMBNAIL_EXTENSIONS = ['jpg', 'jpeg', 'png', 'tiff', 'tif', 'gif', 'webp', 'ppm', 'bmp'];

export function descendantsOf(folder: FolderNode): TreeNode[] {
  const all: TreeNode[] = [];
  for (const child of folder.children.values()) {
    all.push(child);
    if (child.kind === 'folder') all.push(...descendantsOf(child));
  }
  return all;
}

export const getMetadata: RpcRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const node = readPath(ctx, caller, 'files/get_metadata', args.path, res);
    if (node) sendJson(res, 200, metadataOf(node, caller.prefix));
  },
};

function searchPage(ctx: EmulatorContext, matches: TreeNode[], maxResults: number, prefix: string) {
  const page = matches.slice(0, maxResults);
  const rest = matches.slice(maxResults);
  let cursor: string | undefined;
  if (rest.length) {
    cursor = `SRCH${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    ctx.searchCursors.set(cursor, rest);
    if (ctx.searchCursors.size > 1000) ctx.searchCursors.delete(ctx.searchCursors.keys().next().value as string);
  }
  return {
    matches: page.map((node) => ({ metadata: { '.tag': 'metadata', metadata: metadataOf(node, prefix) }, match_type: { '.tag': 'filename' } })),
    has_more: rest.length > 0,
    ...(cursor ? { cursor } : {}),
  };
}

export const searchV2: RpcRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const route = 'files/search_v2';
    const { query } = args;
    const options = (args.options ?? {}) as { path?: unknown; max_results?: unknown };
    if (typeof query !== 'string') return sendBadInput(res, route, "request body: missing required field 'query'");
    if (query.length > 1000) return sendBadInput(res, route, 'request body: query: longer than 1000');
    const maxResults = options.max_results ?? 100;
    if (!Number.isInteger(maxResults) || (maxResults as number) < 1 || (maxResults as number) > 1000) {
      return sendBadInput(res, route, 'request body: options.max_results: must be between 1 and 1000');
    }
    const scope = lookupFor(ctx, caller, typeof options.path === 'string' ? options.path : '');
    if (!scope) return sendPathError(res, 'not_found');
    if (scope.kind !== 'folder') return sendPathError(res, 'not_folder');
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return sendApiError(res, 409, ['invalid_argument'], { '.tag': 'invalid_argument', invalid_argument: 'empty query' });
    const matches = descendantsOf(scope)
      .filter((node) => words.every((word) => node.name.toLowerCase().includes(word)))
      .slice(0, MAX_SEARCH_MATCHES);
    sendJson(res, 200, searchPage(ctx, matches, maxResults as number, caller.prefix));
  },
};

export const searchContinueV2: RpcRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const rest = typeof args.cursor === 'string' ? ctx.searchCursors.get(args.cursor) : undefined;
    if (!rest) return sendBadInput(res, 'files/search/continue_v2', 'request body: cursor: invalid cursor');
    ctx.searchCursors.delete(args.cursor as string);
    sendJson(res, 200, searchPage(ctx, rest, 100, caller.prefix));
  },
};

export const getThumbnailBatch: RpcRoute = {
  scope: 'files.content.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const route = 'files/get_thumbnail_batch';
    if (!Array.isArray(args.entries)) return sendBadInput(res, route, "request body: missing required field 'entries'");
    if (args.entries.length > MAX_BATCH) return sendApiError(res, 409, ['too_many_files'], { '.tag': 'too_many_files' });
    const entries = (args.entries as { path?: unknown; size?: unknown; format?: unknown }[]).map((entry) => {
      const box = thumbnailBox(typeof entry.size === 'string' ? entry.size : 'w64h64');
      if (!box) return undefined;
      const node = typeof entry.path === 'string' ? lookupFor(ctx, caller, entry.path) : undefined;
      if (!node) return { '.tag': 'failure', failure: { '.tag': 'path', path: { '.tag': 'not_found' } } };
      if (node.kind !== 'file') return { '.tag': 'failure', failure: { '.tag': 'path', path: { '.tag': 'not_file' } } };
      const extension = node.name.slice(node.name.lastIndexOf('.') + 1).toLowerCase();
      if (!THUMBNAIL_EXTENSIONS.includes(extension)) return { '.tag': 'failure', failure: { '.tag': 'unsupported_extension' } };
      const thumbnail = jpegThumbnail(node.content, box);
      if (!thumbnail) return { '.tag': 'failure', failure: { '.tag': 'conversion_error' } };
      return { '.tag': 'success', metadata: metadataOf(node, caller.prefix), thumbnail: thumbnail.toString('base64') };
    });
    if (entries.includes(undefined)) return sendBadInput(res, route, 'request body: entries: size: unknown thumbnail size');
    sendJson(res, 200, { entries });
  },
};
