import { ChangeJournal, type Change, type ChangeAction } from './change-journal';
import { newNodeId, newRev } from '../ids';
import { contentHash } from './content';
import { dropboxTimestamp, parentPathOf, segmentsOf, type FileNode, type FileSpec, type FolderNode, type TreeNode } from './nodes';

/**
 * One account's Dropbox: folders and files in memory, looked up the way Dropbox does it,
 * case-insensitively but case-preserving. Every add, modify and delete goes into the change
 * journal and out to change listeners (longpoll); a rename that only changes case does
 * neither, as Dropbox does not report those.
 */

export interface FileTreeOptions {
  /** How many changes the journal holds (default 100,000). */
  changeJournalSize?: number;
  /** The clock for server_modified (the emulator's, which tests can move). */
  now?: () => number;
}

export class FileTree {
  readonly root: FolderNode = { kind: 'folder', id: newNodeId(), name: '', pathDisplay: '', children: new Map(), childrenChangedAt: 0, subtreeChangedAt: 0 };
  readonly changes: ChangeJournal;
  private readonly listeners = new Set<(change: Change) => void>();
  private readonly now: () => number;
  private revisions = 0;
  private bytes = 0;

  constructor(options: FileTreeOptions = {}) {
    this.changes = new ChangeJournal(options.changeJournalSize);
    this.now = options.now ?? Date.now;
  }

  /** The generation of the latest change: list_folder remembers it as the listing's start. */
  get generation(): number {
    return this.changes.generation;
  }

  /** The sum of all file sizes, for users/get_space_usage. */
  get usedBytes(): number {
    return this.bytes;
  }

  /** Called with every journaled change, as it happens. Returns the unsubscribe function. */
  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lookup(path: string): TreeNode | undefined {
    let node: TreeNode = this.root;
    for (const segment of segmentsOf(path)) {
      if (node.kind !== 'folder') return undefined;
      const child: TreeNode | undefined = node.children.get(segment.toLowerCase());
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  /** The entries of the folder at `path`, in listing order (insertion order, not sorted). */
  list(path: string): TreeNode[] {
    const folder = this.lookup(path);
    if (folder?.kind !== 'folder') throw new Error(`${path || 'the root'} is not a folder`);
    return [...folder.children.values()];
  }

  /** Creates the folder and any missing parents; an existing folder is returned as it is. */
  addFolder(path: string): FolderNode {
    return this.folderAt(segmentsOf(path));
  }

  /**
   * Creates the file (and its parent folders). When a file is there already it is overwritten,
   * as Dropbox's `overwrite` write mode does: same node, same `id`, new rev (see modifyFile).
   */
  addFile(path: string, spec: FileSpec): FileNode {
    const segments = segmentsOf(path);
    const name = segments.pop();
    if (!name) throw new Error('a file needs a name');
    const parent = this.folderAt(segments);
    const existing = parent.children.get(name.toLowerCase());
    if (existing?.kind === 'file') return this.modify(existing, spec);
    if (existing) throw new Error(`${existing.pathDisplay} is a folder, not a file`);
    const file: FileNode = { kind: 'file', id: newNodeId(), name, pathDisplay: `${parent.pathDisplay}/${name}`, parent, size: 0, rev: '', clientModified: '', serverModified: '' };
    this.write(file, spec);
    parent.children.set(name.toLowerCase(), file);
    this.journal('add', file);
    return file;
  }

  /** A new version of an existing file: the same `id`; a new rev, server_modified, content_hash and size. */
  modifyFile(path: string, spec: FileSpec): FileNode {
    const file = this.lookup(path);
    if (file?.kind !== 'file') throw new Error(`no file at ${path}`);
    return this.modify(file, spec);
  }

  private modify(file: FileNode, spec: FileSpec): FileNode {
    this.write(file, spec);
    this.journal('modify', file);
    return file;
  }

  /** The folder at these path segments, made (with its parents) where missing. */
  private folderAt(segments: string[]): FolderNode {
    let node: FolderNode = this.root;
    for (const segment of segments) {
      let child = node.children.get(segment.toLowerCase());
      if (!child) {
        child = { kind: 'folder', id: newNodeId(), name: segment, pathDisplay: `${node.pathDisplay}/${segment}`, parent: node, children: new Map(), childrenChangedAt: 0, subtreeChangedAt: 0 };
        node.children.set(segment.toLowerCase(), child);
        this.journal('add', child);
      }
      if (child.kind !== 'folder') throw new Error(`${child.pathDisplay} is a file, not a folder`);
      node = child;
    }
    return node;
  }

  /** Deletes a file, or a folder with everything in it. Returns whether there was anything. */
  remove(path: string): boolean {
    const node = this.lookup(path);
    if (!node?.parent) return false;
    node.parent.children.delete(node.name.toLowerCase());
    this.bytes -= sizeOf(node);
    // One record for a folder: a deleted folder entry tells a client to drop all it held there.
    this.journal('delete', node);
    node.parent = undefined;
    return true;
  }

  /**
   * Moves or renames a node, keeping its id. A change of case only is not journaled (Dropbox
   * does not report those); any other move is a delete at the old path and adds at the new one,
   * for the node and everything inside it.
   */
  rename(from: string, to: string): TreeNode {
    const node = this.lookup(from);
    if (!node?.parent) throw new Error(`nothing at ${from}`);
    const name = segmentsOf(to).pop();
    if (!name) throw new Error('a node needs a name');
    if (from.toLowerCase() === to.toLowerCase()) {
      node.name = name;
      this.repath(node, `${parentPathOf(node.pathDisplay)}/${name}`);
      return node;
    }
    if (this.lookup(to)) throw new Error(`${to} exists already`);
    const newParent = this.addFolder(parentPathOf(to));
    if (newParent === node || newParent.pathDisplay.toLowerCase().startsWith(`${node.pathDisplay.toLowerCase()}/`)) throw new Error('a folder cannot move into itself');
    node.parent.children.delete(node.name.toLowerCase());
    this.journal('delete', node);
    node.name = name;
    node.parent = newParent;
    this.repath(node, `${newParent.pathDisplay}/${name}`);
    newParent.children.set(name.toLowerCase(), node);
    for (const moved of [node, ...(node.kind === 'folder' ? descendantsOf(node) : [])]) this.journal('add', moved);
    return node;
  }

  private write(file: FileNode, spec: FileSpec): void {
    const content = spec.content === undefined ? undefined : typeof spec.content === 'string' ? Buffer.from(spec.content) : spec.content;
    const size = content ? content.length : spec.size;
    if (!Number.isInteger(size) || (size as number) < 0) throw new Error('a file needs content or a whole, non-negative size');
    const serverModified = dropboxTimestamp(spec.modified ?? new Date(this.now()));
    this.bytes += (size as number) - file.size;
    this.revisions += 1;
    file.size = size as number;
    file.content = content;
    // A virtual file's hash is worked out when first asked for (content.ts).
    file.contentHash = content ? contentHash(content) : undefined;
    file.rev = newRev(this.revisions);
    file.serverModified = serverModified;
    file.clientModified = spec.clientModified ? dropboxTimestamp(spec.clientModified) : serverModified;
    file.cachedJson = undefined;
  }

  /** Gives `node` a new display path, and its descendants with it. */
  private repath(node: TreeNode, pathDisplay: string): void {
    node.pathDisplay = pathDisplay;
    node.cachedJson = undefined;
    if (node.kind === 'folder') for (const child of node.children.values()) this.repath(child, `${pathDisplay}/${child.name}`);
  }

  private journal(action: ChangeAction, node: TreeNode): void {
    const change = this.changes.record(action, node.pathDisplay, node.kind === 'folder');
    // Stamp the parent (its direct children changed) and every ancestor (their subtree changed).
    if (node.parent) node.parent.childrenChangedAt = change.generation;
    for (let folder = node.parent; folder; folder = folder.parent) folder.subtreeChangedAt = change.generation;
    for (const listener of this.listeners) listener(change);
  }
}

export function descendantsOf(folder: FolderNode): TreeNode[] {
  const all: TreeNode[] = [];
  const visit = (node: FolderNode) => {
    for (const child of node.children.values()) {
      all.push(child);
      if (child.kind === 'folder') visit(child);
    }
  };
  visit(folder);
  return all;
}

function sizeOf(node: TreeNode): number {
  if (node.kind === 'file') return node.size;
  return descendantsOf(node).reduce((sum, child) => sum + (child.kind === 'file' ? child.size : 0), 0);
}
