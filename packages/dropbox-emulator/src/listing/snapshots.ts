import { descendantsOf } from '../tree/file-tree';
import type { FolderNode, TreeNode } from '../tree/nodes';

/**
 * The entries of a folder at the moment list_folder was called: an array of the nodes, taken
 * once and then paged through, so entries added or removed while a client pages do not shift
 * the pages (they arrive in the change feed after the listing instead).
 *
 * A folder that has not changed since its last snapshot hands out that same array again: a
 * client listing an unchanged folder of 100,000 entries over and over costs one array, not one
 * per listing. Entries are the live nodes, so a page shows a node's current metadata.
 */

interface Kept {
  stamp: number;
  entries: readonly TreeNode[];
}

const kept = new WeakMap<FolderNode, { flat?: Kept; deep?: Kept }>();

export function snapshotOf(folder: FolderNode, recursive: boolean): readonly TreeNode[] {
  const stamp = recursive ? folder.subtreeChangedAt : folder.childrenChangedAt;
  const slots = kept.get(folder) ?? {};
  const slot = recursive ? slots.deep : slots.flat;
  if (slot && slot.stamp === stamp) return slot.entries;
  const entries = recursive ? descendantsOf(folder) : [...folder.children.values()];
  if (recursive) slots.deep = { stamp, entries };
  else slots.flat = { stamp, entries };
  kept.set(folder, slots);
  return entries;
}
