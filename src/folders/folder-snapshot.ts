import { ascending, displayOrder, indexOf, merge, type SortChoice, type SortFields, type SortKey } from './sort-order';

/**
 * One folder's entries in this process's memory, in every order a page may ask for. Built from
 * the batches a folder index holds (the pages of its first listing, then the changes Dropbox
 * reported since) and kept in order as batches arrive: a large batch is sorted once and merged,
 * a small one (the usual change: a photo added) is placed by binary search, so an unchanged or
 * slightly changed folder of any size is never sorted again.
 *
 * Loading a compacted index (entries already in name order) does no comparing at all: the
 * lookup of entries by name, needed only to apply changes, is built the first time one comes.
 */

export interface IndexEntry extends SortFields {
  /** A file's revision: part of its thumbnail's address, so a cached thumbnail is never stale. */
  rev?: string;
}

export type Change = { kind: 'upsert'; entry: IndexEntry } | { kind: 'delete'; lower: string };

/** Changes up to this many are placed one by one; more are sorted and merged. */
const SMALL_BATCH = 64;

export class FolderSnapshot {
  /** Entries by lower-case name; built on first need (see class comment). */
  private lookup?: Map<string, IndexEntry>;
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
    return this.lookup ? this.lookup.size : this.nameOrder.length + this.unsorted.length;
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
   * Appends entries that are already in ascending name order (a compacted index). Unless
   * `trusted` (sorted by this very collator version), they are checked: an order written by
   * another ICU version's collator is sorted again.
   */
  appendInNameOrder(entries: readonly IndexEntry[], trusted = false): void {
    if (trusted && !this.lookup && this.unsorted.length === 0) {
      for (const entry of entries) this.nameOrder.push(entry);
    } else {
      this.apply(entries.map((entry) => ({ kind: 'upsert', entry })));
      return;
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

  private byLower(): Map<string, IndexEntry> {
    if (!this.lookup) {
      this.lookup = new Map();
      for (const entry of this.nameOrder) this.lookup.set(entry.lower, entry);
      for (const entry of this.unsorted) this.lookup.set(entry.lower, entry);
    }
    return this.lookup;
  }

  private ascendingBy(key: SortKey): IndexEntry[] {
    this.mergePending();
    if (key === 'name') return this.nameOrder;
    let order = this.keyOrders.get(key);
    if (!order) {
      order = sortedByNumber(this.nameOrder, key);
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
    const byLower = this.byLower();
    const dropped = new Set<IndexEntry>();
    const added = new Map<string, IndexEntry>();
    for (const change of changes) {
      const lower = change.kind === 'upsert' ? change.entry.lower : change.lower;
      const existing = byLower.get(lower);
      if (existing) {
        if (added.get(lower) === existing) added.delete(lower);
        else dropped.add(existing);
      }
      if (change.kind === 'upsert') {
        byLower.set(lower, change.entry);
        added.set(lower, change.entry);
      } else {
        byLower.delete(lower);
      }
    }
    if (dropped.size === 0 && added.size === 0) return false;
    const keep = (entry: IndexEntry) => !dropped.has(entry);
    if (dropped.size) {
      this.nameOrder = this.nameOrder.filter(keep);
      this.unsorted = this.unsorted.filter(keep);
    }
    this.unsorted.push(...added.values());
    // Size and date orders already built take the batch in at once (their keys compare as
    // numbers, so this is cheap): a page asked for while a big folder is read is not a re-sort.
    for (const [key, order] of this.keyOrders) {
      const compare = ascending(key);
      this.keyOrders.set(key, merge(dropped.size ? order.filter(keep) : order, [...added.values()].sort(compare), compare));
    }
    return true;
  }

  private applySmall(changes: readonly Change[]): boolean {
    this.mergePending();
    const byLower = this.byLower();
    let changed = false;
    for (const change of changes) {
      const lower = change.kind === 'upsert' ? change.entry.lower : change.lower;
      const existing = byLower.get(lower);
      if (existing) {
        this.removeSorted(existing);
        byLower.delete(lower);
        changed = true;
      }
      if (change.kind === 'upsert') {
        byLower.set(lower, change.entry);
        this.insertSorted(change.entry);
        changed = true;
      }
    }
    return changed;
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

/**
 * `entries` (in name order, folders first) by size or date, ties left in name order: a stable
 * radix sort of the files on the key's bytes, 100,000 entries in a few milliseconds. Folders
 * have no size or date and stay first, in name order.
 */
function sortedByNumber(entries: readonly IndexEntry[], key: 'size' | 'modified'): IndexEntry[] {
  let folders = 0;
  while (folders < entries.length && entries[folders].folder) folders += 1;
  const count = entries.length - folders;
  // Sizes reach past 32 bits (files over 4 GB): two 32-bit halves, low half first.
  const high = new Uint32Array(count);
  const low = new Uint32Array(count);
  let wide = false;
  for (let i = 0; i < count; i += 1) {
    const value = Math.max(0, Math.floor(entries[folders + i][key]));
    low[i] = value % 0x1_0000_0000;
    high[i] = Math.floor(value / 0x1_0000_0000);
    if (high[i]) wide = true;
  }
  let order = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) order[i] = i;
  let spare = new Uint32Array(count);
  const counts = new Uint32Array(257);
  for (const words of wide ? [low, high] : [low]) {
    for (let shift = 0; shift < 32; shift += 8) {
      counts.fill(0);
      for (let i = 0; i < count; i += 1) counts[((words[order[i]] >>> shift) & 0xff) + 1] += 1;
      for (let bucket = 1; bucket < 257; bucket += 1) counts[bucket] += counts[bucket - 1];
      for (let i = 0; i < count; i += 1) spare[counts[(words[order[i]] >>> shift) & 0xff]++] = order[i];
      [order, spare] = [spare, order];
    }
  }
  const sorted = entries.slice(0, folders);
  for (let i = 0; i < count; i += 1) sorted.push(entries[folders + order[i]]);
  return sorted;
}
