import type { DropboxApiClient, DropboxAuth, FolderEntry } from '../dropbox/api-client';

/**
 * Reads folders for display. A folder of up to FULL_READ_LIMIT entries is read whole (2,000
 * per call), sorted on the server and shown in pages, so sorting covers the whole folder and
 * not just the loaded page. Larger folders are sorted over what was read, and their remaining
 * entries follow through Dropbox's own cursor.
 *
 * Page cursors handed to clients are either `dv1.<offset>` (a position in the sorted folder)
 * or a raw Dropbox cursor (entries beyond the first FULL_READ_LIMIT).
 *
 * A first page is read from Dropbox on every view, so it is never stale. When what Dropbox
 * returns equals what was read before, the earlier read is kept, with its sorted orders and
 * first pages: a repeated view hands out the same entries array, neither sorted nor rendered
 * again (src/views/entry-rows.ts).
 */

export type SortKey = 'name' | 'size' | 'modified';
export type SortOrder = 'asc' | 'desc';
export interface SortChoice {
  key: SortKey;
  order: SortOrder;
}

export const DEFAULT_SORT: SortChoice = { key: 'name', order: 'asc' };
export const FULL_READ_LIMIT = 10_000;
const DROPBOX_PAGE_LIMIT = 2000;
const OFFSET_CURSOR = /^dv1\.(\d{1,6})$/;

export interface FolderView {
  entries: FolderEntry[];
  hasMore: boolean;
  cursor?: string;
  /** False when the folder holds more than FULL_READ_LIMIT entries: sorting covers only what was read. */
  wholeFolderSorted: boolean;
  /** Whether this page continues an earlier one. */
  continued: boolean;
}

interface ReadFolder {
  entries: FolderEntry[];
  /** Where Dropbox's listing continues, when the folder was larger than FULL_READ_LIMIT. */
  dropboxCursor?: string;
  readAt: number;
  /** The entries in each order asked for so far, with the first page of each. */
  orders: Map<string, { sorted: FolderEntry[]; firstPage: FolderEntry[] }>;
}

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Folders first, always; within each group by the chosen key, ties broken by name. */
export function sortEntries(entries: FolderEntry[], sort: SortChoice = DEFAULT_SORT): FolderEntry[] {
  const direction = sort.order === 'asc' ? 1 : -1;
  const keyOf = (entry: FolderEntry): number => (sort.key === 'size' ? (entry.size ?? 0) : Date.parse(entry.modified ?? '') || 0);
  return [...entries].sort((a, b) => {
    if (a.type !== b.type) return a.type === 'folder' ? -1 : 1;
    if (sort.key !== 'name' && a.type === 'file') {
      const difference = keyOf(a) - keyOf(b);
      if (difference !== 0) return difference * direction;
    }
    return byName.compare(a.name, b.name) * (sort.key === 'name' ? direction : 1);
  });
}

/** Equal in every field a FolderEntry has, in the same order. */
function sameEntries(a: FolderEntry[], b: FolderEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i];
    const y = b[i];
    if (x.type !== y.type || x.name !== y.name || x.path !== y.path || x.size !== y.size || x.modified !== y.modified || x.rev !== y.rev) return false;
  }
  return true;
}

export function isDropviewCursor(cursor: string): boolean {
  return OFFSET_CURSOR.test(cursor);
}

export interface FolderReaderOptions {
  pageSize: number;
  /** How long a read folder serves "Load more" pages before it is read again. */
  cacheTtlMs?: number;
  /** Entries kept across all cached folders of this process. */
  cacheEntryBudget?: number;
  now?: () => number;
}

export class FolderReader {
  private readonly cache = new Map<string, ReadFolder>();
  private cachedEntries = 0;
  private readonly cacheTtlMs: number;
  private readonly cacheEntryBudget: number;
  private readonly now: () => number;

  constructor(
    private readonly api: DropboxApiClient,
    private readonly options: FolderReaderOptions,
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
    this.cacheEntryBudget = options.cacheEntryBudget ?? 200_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * One page of a folder. `cacheKey` ties cached reads to one session, since what a folder
   * holds depends on whose Dropbox it is.
   */
  async page(auth: DropboxAuth, cacheKey: string, path: string, sort: SortChoice, cursor?: string): Promise<FolderView> {
    const { pageSize } = this.options;
    if (cursor && !isDropviewCursor(cursor)) {
      const next = await this.api.listFolderContinue(auth, cursor);
      return { entries: sortEntries(next.entries, sort), hasMore: next.hasMore, cursor: next.hasMore ? next.cursor : undefined, wholeFolderSorted: false, continued: true };
    }
    const offset = cursor ? Number(OFFSET_CURSOR.exec(cursor)?.[1]) : 0;
    const key = `${cacheKey}\n${path}`;
    const folder = (offset > 0 && this.fresh(key)) || (await this.read(auth, key, path));
    const order = this.orderOf(key, folder, sort);
    const sorted = order.sorted;
    const entries = offset === 0 ? order.firstPage : sorted.slice(offset, offset + pageSize);
    const nextOffset = offset + entries.length;
    const moreRead = nextOffset < sorted.length;
    return {
      entries,
      hasMore: moreRead || folder.dropboxCursor !== undefined,
      cursor: moreRead ? `dv1.${nextOffset}` : folder.dropboxCursor,
      wholeFolderSorted: folder.dropboxCursor === undefined,
      continued: offset > 0,
    };
  }

  /** Forgets what this process read of a folder, e.g. when it changed. */
  forget(cacheKey: string, path: string): void {
    this.evict(`${cacheKey}\n${path}`);
  }

  private async read(auth: DropboxAuth, key: string, path: string): Promise<ReadFolder> {
    let page = await this.api.listFolder(auth, path, DROPBOX_PAGE_LIMIT);
    const entries = [...page.entries];
    while (page.hasMore && entries.length < FULL_READ_LIMIT) {
      page = await this.api.listFolderContinue(auth, page.cursor);
      entries.push(...page.entries);
    }
    const dropboxCursor = page.hasMore ? page.cursor : undefined;
    const earlier = this.cache.get(key);
    if (earlier && sameEntries(earlier.entries, entries)) {
      earlier.readAt = this.now();
      earlier.dropboxCursor = dropboxCursor;
      // Most recently used last: eviction takes the first.
      this.cache.delete(key);
      this.cache.set(key, earlier);
      return earlier;
    }
    const folder: ReadFolder = { entries, dropboxCursor, readAt: this.now(), orders: new Map() };
    this.evict(key);
    this.cache.set(key, folder);
    this.cachedEntries += entries.length;
    this.keepWithinBudget();
    return folder;
  }

  private orderOf(key: string, folder: ReadFolder, sort: SortChoice): { sorted: FolderEntry[]; firstPage: FolderEntry[] } {
    const name = `${sort.key} ${sort.order}`;
    let order = folder.orders.get(name);
    if (!order) {
      const sorted = sortEntries(folder.entries, sort);
      order = { sorted, firstPage: sorted.slice(0, this.options.pageSize) };
      // A folder no longer cached (a newer read replaced it) keeps no orders: nobody would count them.
      if (this.cache.get(key) === folder) {
        folder.orders.set(name, order);
        this.cachedEntries += sorted.length;
        this.keepWithinBudget();
      }
    }
    return order;
  }

  private keepWithinBudget(): void {
    while (this.cachedEntries > this.cacheEntryBudget && this.cache.size > 1) this.evict(this.cache.keys().next().value as string);
  }

  private fresh(key: string): ReadFolder | undefined {
    const folder = this.cache.get(key);
    return folder && this.now() - folder.readAt < this.cacheTtlMs ? folder : undefined;
  }

  private evict(key: string): void {
    const folder = this.cache.get(key);
    if (!folder) return;
    this.cachedEntries -= folder.entries.length;
    for (const order of folder.orders.values()) this.cachedEntries -= order.sorted.length;
    this.cache.delete(key);
  }
}
