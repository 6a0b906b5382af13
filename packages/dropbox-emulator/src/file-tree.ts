import { createHash, randomBytes } from 'node:crypto';

/**
 * The emulated Dropbox namespace: folders and files kept in memory, looked up the way Dropbox
 * does it, case-insensitively but case-preserving (dropbox-api.md section 5).
 */

export interface FolderNode {
  kind: 'folder';
  id: string;
  name: string;
  pathDisplay: string;
  children: Map<string, TreeNode>;
}

export interface FileNode {
  kind: 'file';
  id: string;
  name: string;
  pathDisplay: string;
  content: Buffer;
  contentHash: string;
  rev: string;
  clientModified: string;
  serverModified: string;
}

export type TreeNode = FolderNode | FileNode;

export interface FileSpec {
  content: string | Buffer;
  modified?: Date;
}

function newId(): string {
  return `id:${randomBytes(12).toString('base64url')}`;
}

/** Dropbox timestamps: UTC, no fractional seconds (dropbox-api.md "JSON encoding rules"). */
export function dropboxTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Splits "/A/b c" into ["A", "b c"]; "" (the root) into []. */
function segmentsOf(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/');
}

export class FileTree {
  readonly root: FolderNode = { kind: 'folder', id: newId(), name: '', pathDisplay: '', children: new Map() };

  /** Bumped on every change, so listings can tell that a cursor went stale. */
  generation = 0;
  /** For each folder (lower-case path), the generation of its latest change. */
  private readonly changedAt = new Map<string, number>();
  private readonly listeners = new Set<(folder: string) => void>();

  /** Called with a folder's lower-case path whenever its direct contents change. */
  onChange(listener: (folder: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the folder at `folder` (lower-case path) changed after `generation`. */
  changedSince(folder: string, generation: number): boolean {
    return (this.changedAt.get(folder) ?? 0) > generation;
  }

  private changed(folder: FolderNode): void {
    this.generation += 1;
    const key = folder.pathDisplay.toLowerCase();
    this.changedAt.set(key, this.generation);
    for (const listener of this.listeners) listener(key);
  }

  lookup(path: string): TreeNode | undefined {
    let node: TreeNode = this.root;
    for (const segment of segmentsOf(path)) {
      if (node.kind !== 'folder') return undefined;
      const child = node.children.get(segment.toLowerCase());
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  addFolder(path: string): FolderNode {
    let node: FolderNode = this.root;
    for (const segment of segmentsOf(path)) {
      const key = segment.toLowerCase();
      let child = node.children.get(key);
      if (!child) {
        child = { kind: 'folder', id: newId(), name: segment, pathDisplay: `${node.pathDisplay}/${segment}`, children: new Map() };
        node.children.set(key, child);
        this.changed(node);
      }
      if (child.kind !== 'folder') throw new Error(`${child.pathDisplay} is a file, not a folder`);
      node = child;
    }
    return node;
  }

  addFile(path: string, spec: FileSpec): FileNode {
    const segments = segmentsOf(path);
    const name = segments.pop();
    if (!name) throw new Error('a file needs a name');
    const parent = this.addFolder(segments.length ? `/${segments.join('/')}` : '');
    const content = typeof spec.content === 'string' ? Buffer.from(spec.content) : spec.content;
    const modified = dropboxTimestamp(spec.modified ?? new Date());
    const file: FileNode = {
      kind: 'file',
      id: newId(),
      name,
      pathDisplay: `${parent.pathDisplay}/${name}`,
      content,
      contentHash: contentHash(content),
      rev: createHash('sha1').update(randomBytes(8)).digest('hex').slice(0, 12),
      clientModified: modified,
      serverModified: modified,
    };
    parent.children.set(name.toLowerCase(), file);
    this.changed(parent);
    return file;
  }

  remove(path: string): void {
    const segments = segmentsOf(path);
    const name = segments.pop();
    const parent = this.lookup(segments.length ? `/${segments.join('/')}` : '');
    if (name && parent?.kind === 'folder' && parent.children.delete(name.toLowerCase())) this.changed(parent);
  }
}

/**
 * The Metadata JSON of a node, as files/list_folder and get_metadata return it. Paths are
 * relative to the namespace the caller works in (`prefix` is that namespace's folder, or ``).
 */
export function metadataOf(node: TreeNode, prefix = ''): Record<string, unknown> {
  const pathDisplay = node.pathDisplay.slice(prefix.length);
  const common = { name: node.name, path_lower: pathDisplay.toLowerCase(), path_display: pathDisplay, id: node.id };
  if (node.kind === 'folder') return { '.tag': 'folder', ...common };
  return {
    '.tag': 'file',
    ...common,
    client_modified: node.clientModified,
    server_modified: node.serverModified,
    rev: node.rev,
    size: node.content.length,
    is_downloadable: true,
    content_hash: node.contentHash,
  };
}

const serializedMetadata = new WeakMap<TreeNode, Map<string, string>>();

/**
 * metadataOf as JSON text, kept per node: nodes never change (a rewrite makes a new node), and
 * serializing every entry of every listing took a fifth of the emulator's CPU under
 * `npm run bench`, CPU the app under test then lacks on a small machine.
 */
export function metadataJsonOf(node: TreeNode, prefix = ''): string {
  let byPrefix = serializedMetadata.get(node);
  if (!byPrefix) {
    byPrefix = new Map();
    serializedMetadata.set(node, byPrefix);
  }
  let json = byPrefix.get(prefix);
  if (json === undefined) {
    json = JSON.stringify(metadataOf(node, prefix));
    byPrefix.set(prefix, json);
  }
  return json;
}

/** Dropbox's content hash: SHA-256 over the concatenated SHA-256 digests of each 4 MiB block. */
function contentHash(content: Buffer): string {
  const blockSize = 4 * 1024 * 1024;
  const outer = createHash('sha256');
  for (let offset = 0; offset < content.length; offset += blockSize) {
    outer.update(createHash('sha256').update(content.subarray(offset, offset + blockSize)).digest());
  }
  return outer.digest('hex');
}
