import type { TreeNode } from '../tree/nodes';

/** What list_folder cursors point into: a listing's scope, and the entries a page can hold. */

export interface ListingScope {
  /** The account whose tree was listed: only its tokens may continue the cursor. */
  accountId: string;
  /** The listed folder: its lower-case tree path, and its id then (a folder deleted and made again is another folder). */
  folderLower: string;
  folderId: string;
  recursive: boolean;
  /** The caller's namespace folder in the tree when listing; entries keep being shown relative to it. */
  prefix: string;
  /** Entries per page, for the listing and for the change feeds that follow it. */
  limit: number;
}

/** A change-feed entry for a path that no longer exists, with the path as it was displayed. */
export interface DeletedEntry {
  kind: 'deleted';
  pathDisplay: string;
}

export type ListingEntry = TreeNode | DeletedEntry;

/** Whether a change at `pathLower` (under `parentLower`) is inside the scope's folder. */
export function inScope(scope: ListingScope, pathLower: string, parentLower: string): boolean {
  return scope.recursive ? pathLower.startsWith(`${scope.folderLower}/`) : parentLower === scope.folderLower;
}
