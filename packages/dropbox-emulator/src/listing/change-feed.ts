import type { Change } from '../tree/change-journal';
import type { FileTree } from '../tree/file-tree';
import { inScope, type ListingEntry, type ListingScope } from './listing';

/**
 * What list_folder/continue returns on the cursor of a listing's last page: the changes inside
 * the listed folder since the cursor's generation (for a listing, the moment it began, so that
 * what changed while a client paged arrives afterwards).
 *
 * Each changed path is reported once, at the place of its latest change, with its state now:
 * its metadata if it exists, a `deleted` entry if not. One more rule keeps a copy right: when
 * a folder was deleted and something exists at its path again, the `deleted` entry comes first
 * (where the deletion happened), because only it tells the client to drop what the old folder
 * held. Case-only renames are not journaled, so they are never reported.
 */

/** Why a feed cannot be answered: the journal no longer reaches back, or the folder is gone. */
export type FeedProblem = 'reset';

/** The listed folder still there, and still the same folder? */
function folderIntact(tree: FileTree, scope: ListingScope): boolean {
  const folder = tree.lookup(scope.folderLower);
  return folder?.kind === 'folder' && folder.id === scope.folderId;
}

export function changesSince(tree: FileTree, scope: ListingScope, generation: number): ListingEntry[] | FeedProblem {
  if (!tree.changes.covers(generation) || !folderIntact(tree, scope)) return 'reset';
  // Map order is insertion order: deleting a key before setting it moves it to the end.
  const latest = new Map<string, Change>();
  for (const change of tree.changes.since(generation)) {
    if (!inScope(scope, change.pathLower, change.parentLower)) continue;
    if (change.action === 'delete' && change.folder) {
      const marker = `\0${change.pathLower}`;
      latest.delete(marker);
      latest.set(marker, change);
    }
    latest.delete(change.pathLower);
    latest.set(change.pathLower, change);
  }
  const entries: ListingEntry[] = [];
  for (const [key, change] of latest) {
    const node = tree.lookup(change.pathLower);
    if (key.startsWith('\0')) {
      // Only needed when the path is in use again; otherwise the path's own entry says deleted.
      if (node) entries.push({ kind: 'deleted', pathDisplay: change.pathDisplay });
    } else {
      entries.push(node ?? { kind: 'deleted', pathDisplay: change.pathDisplay });
    }
  }
  return entries;
}

/** For longpoll: `reset`, or whether anything inside the folder changed after `generation`. */
export function changedSince(tree: FileTree, scope: ListingScope, generation: number): boolean | FeedProblem {
  if (!tree.changes.covers(generation) || !folderIntact(tree, scope)) return 'reset';
  for (const change of tree.changes.since(generation)) if (inScope(scope, change.pathLower, change.parentLower)) return true;
  return false;
}

/**
 * Whether one new change wakes a longpoll on this scope: a change inside the folder, or the
 * deletion of the folder itself or of a folder above it (the next continue then says reset).
 */
export function wakes(scope: ListingScope, change: Change): boolean {
  if (inScope(scope, change.pathLower, change.parentLower)) return true;
  return change.action === 'delete' && (scope.folderLower === change.pathLower || scope.folderLower.startsWith(`${change.pathLower}/`));
}
