/**
 * What the emulated namespace is made of. Nodes are mutable: modifying a file changes its node
 * in place, so that its `id` survives, as it does on Dropbox.
 */

interface NodeBase {
  id: string;
  /** The last path component, in the case it was created with. */
  name: string;
  /** The whole path in display case, from the tree's root (`` for the root itself). */
  pathDisplay: string;
  /** The folder holding it; undefined for the root (and for a node no longer in the tree). */
  parent?: FolderNode;
  /** metadataOf(node) as JSON for one namespace prefix; cleared whenever the node changes. */
  cachedJson?: { prefix: string; json: string };
}

export interface FolderNode extends NodeBase {
  kind: 'folder';
  /** By lower-case name; a Map keeps insertion order, which is the (unsorted) listing order. */
  children: Map<string, TreeNode>;
  /** The change-journal generation of the latest change among the direct children. */
  childrenChangedAt: number;
  /** The same for any descendant. */
  subtreeChangedAt: number;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  size: number;
  /** The bytes; absent for a virtual file, whose bytes are made when read (content.ts). */
  content?: Buffer;
  /** Dropbox's content_hash; for a virtual file worked out the first time it is needed. */
  contentHash?: string;
  rev: string;
  clientModified: string;
  serverModified: string;
}

export type TreeNode = FolderNode | FileNode;

/** A file's bytes, or only its size (a virtual file); either way with optional dates. */
export type FileSpec = ({ content: string | Buffer; size?: undefined } | { size: number; content?: undefined }) & {
  /** server_modified, and client_modified too unless `clientModified` is given. Default: now. */
  modified?: Date;
  /** client_modified, when it differs (a photo's time taken, say, before its upload). */
  clientModified?: Date;
};

/** Dropbox timestamps: UTC, whole seconds, `2015-05-12T15:50:38Z`. */
export function dropboxTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Splits "/A/b c" into ["A", "b c"]; "" (the root) into []. */
export function segmentsOf(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/');
}

/** "/a/b/c.txt" -> "/a/b"; "/c.txt" -> "". */
export function parentPathOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
