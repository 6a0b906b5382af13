import type { Response } from 'express';
import type { FolderNode, TreeNode } from '../tree/nodes';
import { sendBadInput, sendPathError } from '../wire';
import type { Caller } from './rpc-types';

/**
 * Path arguments as Dropbox checks them: the spec's patterns (400 text when a path does not
 * match), `""` for the root where allowed, `/` refused for the root, a trailing slash or white
 * space answered 409 path/malformed_path, and lookups case-insensitive.
 */

/** list_folder's PathROrId: `""`, `/...`, `id:...`, `ns:<digits>[/...]`. */
const LIST_FOLDER_PATH_PATTERN = /^((\/[\s\S]*)?|id:.*|ns:[0-9]+(\/[\s\S]*)?)$/;
/** ReadPath (get_metadata, get_temporary_link, thumbnails): no `""`, but `rev:<hex>`. */
const READ_PATH_PATTERN = /^(\/[\s\S]*|id:.*|rev:[0-9a-f]{9,}|ns:[0-9]+(\/[\s\S]*)?)$/;

/** Dropbox refuses paths that end in a slash or white space with path/malformed_path. */
export function isMalformedPath(path: string): boolean {
  return path !== '' && /[/\s]$/.test(path);
}

/** The node at a caller-relative path, in the caller's account and namespace. */
export function lookupFor(caller: Caller, path: string): TreeNode | undefined {
  return caller.account.tree.lookup(`${caller.prefix}${path}`);
}

/** Checks list_folder's `path` (and get_latest_cursor's); answers the 400 itself and returns undefined when it fails. */
export function checkListFolderPath(route: string, path: unknown, res: Response): string | undefined {
  if (typeof path !== 'string') return void sendBadInput(res, route, "request body: missing required field 'path'");
  if (path === '/') return void sendBadInput(res, route, 'request body: path: Specify the root folder as an empty string rather than as "/".');
  if (!LIST_FOLDER_PATH_PATTERN.test(path)) {
    return void sendBadInput(res, route, `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)'`);
  }
  return path;
}

/** The folder a list_folder-style call names, or undefined after answering the 409 Dropbox gives. */
export function folderFor(caller: Caller, path: string, res: Response): FolderNode | undefined {
  if (isMalformedPath(path)) return void sendPathError(res, 'malformed_path');
  const node = lookupFor(caller, path);
  if (!node) return void sendPathError(res, 'not_found');
  if (node.kind !== 'folder') return void sendPathError(res, 'not_folder');
  return node;
}

/** Looks up a ReadPath argument, answering Dropbox's 400 or 409 itself when it cannot. */
export function readPath(caller: Caller, route: string, path: unknown, res: Response): TreeNode | undefined {
  if (typeof path !== 'string') return void sendBadInput(res, route, "request body: missing required field 'path'");
  // ⚠ Dropbox's exact wording for the root here is unconfirmed; the spec says root metadata is unsupported.
  if (path === '') return void sendBadInput(res, route, 'request body: path: The root folder is unsupported.');
  if (!READ_PATH_PATTERN.test(path)) {
    return void sendBadInput(res, route, `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/(.|[\\r\\n])*)?)'`);
  }
  if (isMalformedPath(path)) return void sendPathError(res, 'malformed_path');
  const node = lookupFor(caller, path);
  if (!node) return void sendPathError(res, 'not_found');
  return node;
}
