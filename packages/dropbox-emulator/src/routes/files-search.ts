import type { Response } from 'express';
import type { EmulatorContext } from '../context';
import { after } from '../latency';
import { descendantsOf } from '../tree/file-tree';
import { metadataOf } from '../tree/metadata';
import type { TreeNode } from '../tree/nodes';
import { newCursor } from '../ids';
import { sendApiError, sendBadInput, sendJson, sendPathError } from '../wire';
import { lookupFor } from './paths';
import type { UserRoute } from './rpc-types';

/**
 * files/search_v2 and files/search/continue_v2: file-name search (every word of the query in
 * the name), at most 10,000 matches in all, `max_results` (1-1000, default 100) per page.
 * Matches are double-wrapped as Dropbox does (`{metadata: {".tag": "metadata", metadata: {...}}}`).
 * A search cursor belongs to the account that searched.
 */

const MAX_SEARCH_MATCHES = 10_000;
/** continue_v2 takes no max_results; Dropbox's page size there is its default. */
const CONTINUE_PAGE = 100;

function sendSearchPage(ctx: EmulatorContext, res: Response, accountId: string, prefix: string, matches: TreeNode[], maxResults: number): void {
  const page = matches.slice(0, maxResults);
  const rest = matches.slice(maxResults);
  let cursor: string | undefined;
  if (rest.length) {
    cursor = newCursor();
    ctx.searchCursors.set(cursor, { accountId, prefix, matches: rest });
  }
  const body = {
    matches: page.map((node) => ({ metadata: { '.tag': 'metadata', metadata: metadataOf(node, prefix) }, match_type: { '.tag': 'filename' } })),
    has_more: rest.length > 0,
    ...(cursor ? { cursor } : {}),
  };
  after(ctx.latency.forEntries(page.length), () => {
    if (!res.writableEnded && !res.destroyed) sendJson(res, 200, body);
  });
}

export const searchV2: UserRoute = {
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
    const scope = lookupFor(caller, typeof options.path === 'string' ? options.path : '');
    if (!scope) return sendPathError(res, 'not_found');
    if (scope.kind !== 'folder') return sendPathError(res, 'not_folder');
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return sendApiError(res, 409, ['invalid_argument'], { '.tag': 'invalid_argument', invalid_argument: 'empty query' });
    const matches = descendantsOf(scope)
      .filter((node) => words.every((word) => node.name.toLowerCase().includes(word)))
      .slice(0, MAX_SEARCH_MATCHES);
    sendSearchPage(ctx, res, caller.account.accountId, caller.prefix, matches, maxResults as number);
  },
};

export const searchContinueV2: UserRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const rest = typeof args.cursor === 'string' ? ctx.searchCursors.get(args.cursor) : undefined;
    if (!rest || rest.accountId !== caller.account.accountId) return sendBadInput(res, 'files/search/continue_v2', 'request body: cursor: invalid cursor');
    ctx.searchCursors.delete(args.cursor as string);
    sendSearchPage(ctx, res, rest.accountId, rest.prefix, rest.matches, CONTINUE_PAGE);
  },
};
