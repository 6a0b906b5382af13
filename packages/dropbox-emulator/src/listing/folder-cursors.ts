import { BoundedMap } from '../bounded';
import { newCursor } from '../ids';
import type { FileTree } from '../tree/file-tree';
import { changedSince, changesSince, type FeedProblem } from './change-feed';
import type { ListingEntry, ListingScope } from './listing';

/**
 * list_folder cursors. A cursor names one of two positions:
 * - `page`: the next page of a listing (list_folder's entries, or a change feed's), issued
 *   with `has_more: true`;
 * - `feed`: "changes after generation G" of the listed folder, issued with a listing's last
 *   page (G = the generation at which that listing began), by get_latest_cursor (G = now),
 *   and with the last page of every change feed.
 *
 * Cursors belong to the account that listed: another account's token gets `reset`.
 *
 * Bounds: at most MAX_CURSORS cursors; listings with more than one page are held (for their
 * page cursors) up to MAX_HELD_LISTINGS listings and MAX_HELD_ENTRIES entries in all. Past
 * any bound the oldest go first, and their cursors answer `reset`.
 */

export const MAX_CURSORS = 50_000;
export const MAX_HELD_LISTINGS = 10_000;
export const MAX_HELD_ENTRIES = 2_000_000;

interface Listing {
  scope: ListingScope;
  /** Emptied when the listing is evicted, so that its entries can be collected. */
  entries: readonly ListingEntry[];
  /** The tree's generation when the listing's entries were taken: its change feed starts there. */
  startedAt: number;
  evicted: boolean;
}

type Position = { kind: 'page'; listing: Listing; offset: number } | { kind: 'feed'; scope: ListingScope; generation: number };

export interface Page {
  entries: readonly ListingEntry[];
  cursor: string;
  hasMore: boolean;
  /** The namespace prefix the entries are shown relative to. */
  prefix: string;
}

/** What a cursor watches, for longpoll. */
export interface Watch {
  scope: ListingScope;
  tree: FileTree;
  generation: number;
}

export class FolderCursors {
  private positions = new BoundedMap<string, Position>(MAX_CURSORS);
  /** Listings that page cursors point into, oldest first; entry arrays shared by listings count once. */
  private readonly held = new Set<Listing>();
  private readonly holders = new Map<readonly ListingEntry[], number>();
  private heldEntries = 0;
  private readonly invalidated = new Set<() => void>();

  /** @param treeOf the tree of an account, for cursors that outlive a request (continue, longpoll). */
  constructor(private readonly treeOf: (accountId: string) => FileTree | undefined) {}

  /** list_folder: the first page of a listing of `entries`, taken at `startedAt`. */
  start(scope: ListingScope, entries: readonly ListingEntry[], startedAt: number): Page {
    return this.pageOf({ scope, entries, startedAt, evicted: false }, 0);
  }

  /** get_latest_cursor: a feed cursor at `generation` (now). */
  latest(scope: ListingScope, generation: number): string {
    return this.issue({ kind: 'feed', scope, generation });
  }

  /** list_folder/continue for `accountId`. */
  continue(cursor: string, accountId: string): Page | FeedProblem {
    const position = this.positions.get(cursor);
    if (!position) return 'reset';
    const scope = position.kind === 'page' ? position.listing.scope : position.scope;
    // ⚠ What real Dropbox answers when another account continues a cursor is unconfirmed;
    // a cursor is useless outside its account, and `reset` is the answer clients handle.
    if (scope.accountId !== accountId) return 'reset';
    if (position.kind === 'page') return position.listing.evicted ? 'reset' : this.pageOf(position.listing, position.offset);
    const tree = this.treeOf(scope.accountId);
    if (!tree) return 'reset';
    const startedAt = tree.generation;
    const changes = changesSince(tree, scope, position.generation);
    if (changes === 'reset') return 'reset';
    return this.pageOf({ scope, entries: changes, startedAt, evicted: false }, 0);
  }

  /** longpoll: what the cursor watches, from where; `reset` when it is unknown or no longer answerable. */
  watch(cursor: string): Watch | FeedProblem {
    const position = this.positions.get(cursor);
    if (!position || (position.kind === 'page' && position.listing.evicted)) return 'reset';
    const scope = position.kind === 'page' ? position.listing.scope : position.scope;
    const generation = position.kind === 'page' ? position.listing.startedAt : position.generation;
    const tree = this.treeOf(scope.accountId);
    if (!tree) return 'reset';
    return { scope, tree, generation };
  }

  /** Whether the watched folder changed after the watch's generation, or `reset`. */
  static changed(watch: Watch): boolean | FeedProblem {
    return changedSince(watch.tree, watch.scope, watch.generation);
  }

  /** Every cursor answers `reset` from now on; held longpolls are woken (their next continue says so). */
  invalidateAll(): void {
    this.positions = new BoundedMap(MAX_CURSORS);
    for (const listing of [...this.held]) this.evict(listing);
    for (const listener of [...this.invalidated]) listener();
  }

  /** Told when every cursor is invalidated; returns the function that stops telling. */
  onInvalidateAll(listener: () => void): () => void {
    this.invalidated.add(listener);
    return () => this.invalidated.delete(listener);
  }

  private pageOf(listing: Listing, offset: number): Page {
    const { limit } = listing.scope;
    const entries = listing.entries.slice(offset, offset + limit);
    const nextOffset = offset + entries.length;
    const hasMore = nextOffset < listing.entries.length;
    if (hasMore) this.hold(listing);
    const cursor = hasMore ? this.issue({ kind: 'page', listing, offset: nextOffset }) : this.issue({ kind: 'feed', scope: listing.scope, generation: listing.startedAt });
    return { entries, cursor, hasMore, prefix: listing.scope.prefix };
  }

  private issue(position: Position): string {
    const cursor = newCursor();
    this.positions.set(cursor, position);
    return cursor;
  }

  private hold(listing: Listing): void {
    if (this.held.has(listing)) return;
    this.held.add(listing);
    const holders = this.holders.get(listing.entries) ?? 0;
    this.holders.set(listing.entries, holders + 1);
    if (holders === 0) this.heldEntries += listing.entries.length;
    for (const oldest of this.held) {
      if ((this.heldEntries <= MAX_HELD_ENTRIES && this.held.size <= MAX_HELD_LISTINGS) || oldest === listing) break;
      this.evict(oldest);
    }
  }

  private evict(listing: Listing): void {
    this.held.delete(listing);
    const holders = (this.holders.get(listing.entries) ?? 1) - 1;
    if (holders > 0) this.holders.set(listing.entries, holders);
    else {
      this.holders.delete(listing.entries);
      this.heldEntries -= listing.entries.length;
    }
    listing.evicted = true;
    listing.entries = [];
  }
}
