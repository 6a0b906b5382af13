import { contentHashOf } from './content';
import type { TreeNode } from './nodes';

/**
 * The Metadata JSON of list_folder, get_metadata and the rest. Paths are relative to the
 * namespace the caller works in: `prefix` is that namespace's folder in the tree, or ``.
 */

/** The path a caller sees: the tree path without the caller's namespace prefix. */
export function visiblePath(pathDisplay: string, prefix: string): string {
  return pathDisplay.slice(prefix.length);
}

/**
 * Every field Dropbox sends for an ordinary file (one not shared, locked or exported):
 * `.tag`, name, path_lower, path_display, id, client_modified, server_modified, rev, size,
 * is_downloadable, content_hash; and for a folder `.tag`, name, path_lower, path_display, id.
 * Optional fields that would be null are left out, as Dropbox does.
 */
export function metadataOf(node: TreeNode, prefix = ''): Record<string, unknown> {
  const pathDisplay = visiblePath(node.pathDisplay, prefix);
  const common = { name: node.name, path_lower: pathDisplay.toLowerCase(), path_display: pathDisplay, id: node.id };
  if (node.kind === 'folder') return { '.tag': 'folder', ...common };
  return {
    '.tag': 'file',
    ...common,
    client_modified: node.clientModified,
    server_modified: node.serverModified,
    rev: node.rev,
    size: node.size,
    is_downloadable: true,
    content_hash: contentHashOf(node),
  };
}

/**
 * metadataOf as JSON text, kept on the node until the node changes (the tree clears it on
 * every modify and rename): serializing every entry of every listing took a fifth of the
 * emulator's CPU under `npm run bench`, CPU the app under test then lacked on a small machine.
 * One prefix is kept per node; a node seen through two namespaces is serialized again.
 */
export function metadataJsonOf(node: TreeNode, prefix = ''): string {
  const cached = node.cachedJson;
  if (cached && cached.prefix === prefix) return cached.json;
  const json = JSON.stringify(metadataOf(node, prefix));
  node.cachedJson = { prefix, json };
  return json;
}

/** A change feed's entry for a path that no longer exists: exactly these four fields. */
export function deletedJsonOf(pathDisplay: string, prefix = ''): string {
  const path = visiblePath(pathDisplay, prefix);
  return JSON.stringify({ '.tag': 'deleted', name: path.slice(path.lastIndexOf('/') + 1), path_lower: path.toLowerCase(), path_display: path });
}
