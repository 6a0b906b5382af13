import { ascending, displayOrder, indexOf, merge, type SortChoice, type SortFields, type SortKey } from './sort-order';

/**
 * One folder's entries in this process's memory, in every order a page may ask for. Built from
 * the batches a folder index holds (the pages of its first listing, then the changes Dropbox
 * reported since) and kept in order as batches arrive: a large batch is sorted once and merged,
 * a small one (the usual change: a photo added) is placed by binary search, so an unchanged or
 * slightly changed folder of any size is never sorted again.
 */

export interface IndexEntry extends SortFields {
  /** A file's revision: part of its thumbnail's address, so a cached thumbnail is never stale. */
  rev?: string;
}

export type Change = { kind: 'upsert'; entry: IndexEntry } | { kind: 'delete'; lower: string };

/** Changes up to this many are placed one by one; more are sorted and merged. */
const SMALL_BATCH = 64;

export class FolderSnapshot {
  private readonly byLower = new Map<string, IndexEntry>();
  /** Every entry in ascending name order (folders first), except those still in `unsorted`. */
  private nameOrder: IndexEntry[] = [];
  /** Entries of large batches not yet merged into `nameOrder`: sorting waits until a page needs it. */
  private unsorted: IndexEntry[] = [];
  /** Ascending size and date orders, kept once built. */
  private readonly keyOrders = new Map<SortKey, IndexEntry[]>();
  /** Descending orders, derived from the ascending ones and dropped on any change. */
  private readonly descending = new Map<SortKey, IndexEntry[]>();

  /** Counts content changes, so that derived work (rendered rows) can tell it is stale. */
  version = 0;

  get size(): number {
    return this.byLower.size;
  }

  has(lower: string): boolean {
    return this.byLower.has(lower);
  }

  /** Applies Dropbox's entries in order; true when the contents changed. */
  apply(changes: readonly Change[]): boolean {
    if (changes.length === 0) return false;
    const changed = changes.length > SMALL_BATCH ? this.applyLarge(changes) : this.applySmall(changes);
    if (changed) {
      this.version += 1;
      this.descending.clear();
    }
    return changed;
  }

  /**
   * Appends entries that are already in ascending name order (a compacted index), checking
   * that they are: an order written by another Node version's collator is sorted again.
   */
  appendInNameOrder(entries: readonly IndexEntry[]): void {
    const compare = ascending('name');
    let ordered = this.unsorted.length === 0;
    let last = this.nameOrder[this.nameOrder.length - 1];
    for (const entry of entries) {
      const replaced = this.byLower.get(entry.lower);
      if (replaced) {
        ordered = false;
        this.dropEverywhere(new Set([replaced]));
      }
      this.byLower.set(entry.lower, entry);
      if (ordered && (!last || compare(last, entry) < 0)) this.nameOrder.push(entry);
      else {
        ordered = false;
        this.unsorted.push(entry);
      }
      last = entry;
    }
    this.keyOrders.clear();
    this.descending.clear();
    this.version += 1;
  }

  /** The whole folder in `choice`'s order. The array is this snapshot's own: read it, do not keep it. */
  order(choice: SortChoice): readonly IndexEntry[] {
    const ascendingEntries = this.ascendingBy(choice.key);
    if (choice.order === 'asc') return ascendingEntries;
    let shown = this.descending.get(choice.key);
    if (!shown) {
      shown = displayOrder(ascendingEntries, choice);
      this.descending.set(choice.key, shown);
    }
    return shown;
  }

  /** Every entry in ascending name order, for writing the index back compacted. */
  inNameOrder(): readonly IndexEntry[] {
    return this.ascendingBy('name');
  }

  private ascendingBy(key: SortKey): IndexEntry[] {
    this.mergePending();
    if (key === 'name') return this.nameOrder;
    let order = this.keyOrders.get(key);
    if (!order) {
      // The name order is already the tie-break: a stable sort on the key alone keeps it.
      order = [...this.nameOrder].sort((a, b) => (a.folder !== b.folder ? (a.folder ? -1 : 1) : a[key] - b[key]));
      this.keyOrders.set(key, order);
    }
    return order;
  }

  private mergePending(): void {
    if (this.unsorted.length === 0) return;
    const compare = ascending('name');
    this.nameOrder = merge(this.nameOrder, this.unsorted.sort(compare), compare);
    this.unsorted = [];
  }

  private applyLarge(changes: readonly Change[]): boolean {
    const dropped = new Set<IndexEntry>();
    const added = new Map<string, IndexEntry>();
    for (const change of changes) {
      const lower = change.kind === 'upsert' ? change.entry.lower : change.lower;
      const existing = this.byLower.get(lower);
      if (existing) {
        if (added.get(lower) === existing) added.delete(lower);
        else dropped.add(existing);
      }
      if (change.kind === 'upsert') {
        this.byLower.set(lower, change.entry);
        added.set(lower, change.entry);
      } else {
        this.byLower.delete(lower);
      }
    }
    if (dropped.size === 0 && added.size === 0) return false;
    if (dropped.size) this.dropEverywhere(dropped);
    this.unsorted.push(...added.values());
    this.keyOrders.clear();
    return true;
  }

  private applySmall(changes: readonly Change[]): boolean {
    this.mergePending();
    let changed = false;
    for (const change of changes) {
      const lower = change.kind === 'upsert' ? change.entry.lower : change.lower;
      const existing = this.byLower.get(lower);
      if (existing) {
        this.removeSorted(existing);
        this.byLower.delete(lower);
        changed = true;
      }
      if (change.kind === 'upsert') {
        this.byLower.set(lower, change.entry);
        this.insertSorted(change.entry);
        changed = true;
      }
    }
    return changed;
  }

  private dropEverywhere(dropped: Set<IndexEntry>): void {
    this.nameOrder = this.nameOrder.filter((entry) => !dropped.has(entry));
    this.unsorted = this.unsorted.filter((entry) => !dropped.has(entry));
    this.keyOrders.clear();
  }

  private ordersInPlace(): [IndexEntry[], SortKey][] {
    return [[this.nameOrder, 'name'], ...[...this.keyOrders].map(([key, order]): [IndexEntry[], SortKey] => [order, key])];
  }

  private insertSorted(entry: IndexEntry): void {
    for (const [order, key] of this.ordersInPlace()) order.splice(indexOf(order, entry, ascending(key)), 0, entry);
  }

  private removeSorted(entry: IndexEntry): void {
    for (const [order, key] of this.ordersInPlace()) {
      const at = indexOf(order, entry, ascending(key));
      // Equal neighbours cannot exist (the lower-case name breaks every tie), but look anyway.
      const found = order[at] === entry ? at : order.indexOf(entry);
      if (found >= 0) order.splice(found, 1);
    }
  }
}
