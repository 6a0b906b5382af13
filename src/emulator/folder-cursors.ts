import { randomBytes } from 'node:crypto';
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

  start(entries: TreeNode[], limit: number): Page {
    return this.pageFrom({ listing: { entries, limit, generation: this.validGeneration }, offset: 0 });
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
    const cursor = `AAH${randomBytes(24).toString('base64url')}`;
    this.positions.set(cursor, next);
    if (this.positions.size > MAX_LIVE_CURSORS) this.positions.delete(this.positions.keys().next().value as string);
    return { entries, cursor, hasMore: next.offset < position.listing.entries.length };
  }
}
