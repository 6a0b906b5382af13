import { randomUUID } from 'node:crypto';
import type { TreeNode } from './file-tree';

/**
 * list_folder cursors. A listing is a snapshot of a folder's entries taken by list_folder;
 * each cursor is a position in one snapshot. Cursors can be invalidated all at once, which is
 * what a Dropbox `reset` means to a client.
 */

/** Bounds the emulator's memory under long soak runs; the oldest cursor is forgotten first. */
const MAX_LIVE_CURSORS = 50_000;

interface Listing {
  entries: TreeNode[];
  limit: number;
  generation: number;
  /** The listed folder (lower-case tree path) and the tree's generation when it was listed, for longpoll. */
  folder: string;
  treeGeneration: number;
}

interface Position {
  listing: Listing;
  offset: number;
}

export interface Page {
  entries: TreeNode[];
  cursor: string;
  hasMore: boolean;
}

export class FolderCursors {
  private positions = new Map<string, Position>();
  private validGeneration = 0;

  start(entries: TreeNode[], limit: number, folder: string, treeGeneration: number): Page {
    return this.pageFrom({ listing: { entries, limit, generation: this.validGeneration, folder, treeGeneration }, offset: 0 });
  }

  /** What a cursor watches: its folder and the moment it was listed; undefined if unknown or reset. */
  watched(cursor: string): { folder: string; treeGeneration: number } | undefined {
    const position = this.positions.get(cursor);
    if (!position || position.listing.generation !== this.validGeneration) return undefined;
    return { folder: position.listing.folder, treeGeneration: position.listing.treeGeneration };
  }

  /** The next page, or `reset` when the cursor was never issued or has been invalidated. */
  continue(cursor: string): Page | 'reset' {
    const position = this.positions.get(cursor);
    if (!position || position.listing.generation !== this.validGeneration) return 'reset';
    return this.pageFrom(position);
  }

  invalidateAll(): void {
    this.validGeneration += 1;
    this.positions.clear();
  }

  private pageFrom(position: Position): Page {
    const entries = position.listing.entries.slice(position.offset, position.offset + position.listing.limit);
    const next: Position = { listing: position.listing, offset: position.offset + entries.length };
    // randomUUID draws from a buffered pool; randomBytes asked the system on every call.
    const cursor = `AAH${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`;
    this.positions.set(cursor, next);
    if (this.positions.size > MAX_LIVE_CURSORS) this.positions.delete(this.positions.keys().next().value as string);
    return { entries, cursor, hasMore: next.offset < position.listing.entries.length };
  }
}
