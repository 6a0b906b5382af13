import type { Response } from 'express';
import type { EmulatorContext } from '../context';
import { after } from '../latency';
import type { Page } from '../listing/folder-cursors';
import type { ListingEntry, ListingScope } from '../listing/listing';
import { snapshotOf } from '../listing/snapshots';
import { deletedJsonOf, metadataJsonOf } from '../tree/metadata';
import { sendApiError, sendBadInput, sendJson } from '../wire';
import { checkListFolderPath, folderFor } from './paths';
import type { Args, Caller, UserRoute } from './rpc-types';

/**
 * files/list_folder, files/list_folder/continue and files/list_folder/get_latest_cursor.
 * Entries come in the folder's insertion order, which is no useful order: Dropbox documents
 * none, and a client must sort for itself. The cursor semantics live in listing/.
 */

/** When `limit` is left out. Dropbox's own default is undocumented; 2,000 is its maximum. */
const DEFAULT_LIST_LIMIT = 2000;

function entryJson(entry: ListingEntry, prefix: string): string {
  return entry.kind === 'deleted' ? deletedJsonOf(entry.pathDisplay, prefix) : metadataJsonOf(entry, prefix);
}

/** A page `{entries, cursor, has_more}`, after the latency model's cost for its entries. */
function sendPage(ctx: EmulatorContext, res: Response, page: Page): void {
  const body = `{"entries":[${page.entries.map((entry) => entryJson(entry, page.prefix)).join(',')}],"cursor":${JSON.stringify(page.cursor)},"has_more":${page.hasMore}}`;
  after(ctx.latency.forEntries(page.entries.length), () => {
    if (res.writableEnded || res.destroyed) return;
    res.status(200).setHeader('Content-Type', 'application/json');
    res.end(body);
  });
}

/** The scope of a list_folder-style call (list_folder, get_latest_cursor), or undefined after answering its 400 or 409. */
function scopeOf(route: string, args: Args, caller: Caller, res: Response): ListingScope | undefined {
  const path = checkListFolderPath(route, args.path, res);
  if (path === undefined) return undefined;
  const { limit } = args;
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 2000)) {
    return void sendBadInput(res, route, `request body: limit: ${JSON.stringify(limit)} is not a valid UInt32 between 1 and 2000`);
  }
  const folder = folderFor(caller, path, res);
  if (!folder) return undefined;
  return {
    accountId: caller.account.accountId,
    folderLower: folder.pathDisplay.toLowerCase(),
    folderId: folder.id,
    recursive: args.recursive === true,
    prefix: caller.prefix,
    limit: (limit as number | undefined) ?? DEFAULT_LIST_LIMIT,
  };
}

export const listFolder: UserRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const scope = scopeOf('files/list_folder', args, caller, res);
    if (!scope) return;
    const { tree } = caller.account;
    const folder = tree.lookup(scope.folderLower);
    if (folder?.kind !== 'folder') return;
    sendPage(ctx, res, ctx.cursors.start(scope, snapshotOf(folder, scope.recursive), tree.generation));
  },
};

/** The next page of a listing, or (on a last page's cursor) the changes since the listing began. */
export const listFolderContinue: UserRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const { cursor } = args;
    if (typeof cursor !== 'string' || cursor.length === 0) {
      return sendBadInput(res, 'files/list_folder/continue', "request body: cursor: missing required field 'cursor'");
    }
    const page = ctx.cursors.continue(cursor, caller.account.accountId);
    if (page === 'reset') return sendApiError(res, 409, ['reset'], { '.tag': 'reset' });
    sendPage(ctx, res, page);
  },
};

/** A cursor for "now": no entries; continue on it returns only what changes later. */
export const getLatestCursor: UserRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(ctx, args, caller, _req, res) {
    const scope = scopeOf('files/list_folder/get_latest_cursor', args, caller, res);
    if (scope) sendJson(res, 200, { cursor: ctx.cursors.latest(scope, caller.account.tree.generation) });
  },
};
