import { compareNames } from './name-key';

/**
 * The orders a folder can be shown in. Every order is total: folders first, then by the chosen
 * key, then by name, then by the entry's lower-case name (unique within a folder), so that a
 * position in it can be named by one entry's values (see page-cursor.ts) and found again after
 * the folder changed.
 */

export type SortKey = 'name' | 'size' | 'modified';
export type SortOrder = 'asc' | 'desc';

export interface SortChoice {
  key: SortKey;
  order: SortOrder;
}

export const SORT_KEYS: readonly SortKey[] = ['name', 'size', 'modified'];

/** What sorting looks at in an entry; an index entry has it, and so does a page cursor. */
export interface SortFields {
  folder: boolean;
  name: string;
  /** The name's sort key (name-key.ts), made when first compared; null when the name has none. */
  nameKey?: string | null;
  /** The last component of Dropbox's `path_lower`: the entry's identity within its folder. */
  lower: string;
  /** Bytes; 0 for folders. */
  size: number;
  /** Seconds since the epoch (Dropbox's `server_modified`); 0 for folders. */
  modified: number;
}

/** Numeric ("file 2" before "file 10"), case- and accent-insensitive, as people read names (name-key.ts). */
function byName(a: SortFields, b: SortFields): number {
  return compareNames(a, b) || (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0);
}

export type Comparator = (a: SortFields, b: SortFields) => number;

function ascendingBy(key: SortKey): Comparator {
  if (key === 'name') return (a, b) => (a.folder !== b.folder ? (a.folder ? -1 : 1) : byName(a, b));
  return (a, b) => {
    if (a.folder !== b.folder) return a.folder ? -1 : 1;
    return a[key] - b[key] || byName(a, b);
  };
}

const ASCENDING: Record<SortKey, Comparator> = { name: ascendingBy('name'), size: ascendingBy('size'), modified: ascendingBy('modified') };

/** Ascending order by `key`, folders first. Folders have no size or date: they go by name. */
export function ascending(key: SortKey): Comparator {
  return ASCENDING[key];
}

/**
 * The order as shown. Descending reverses files; folders reverse only when sorting by name,
 * since by size or date they have nothing to reverse and stay in name order.
 */
export function displayComparator(choice: SortChoice): Comparator {
  const asc = ascending(choice.key);
  if (choice.order === 'asc') return asc;
  const foldersReverse = choice.key === 'name';
  return (a, b) => {
    if (a.folder !== b.folder) return a.folder ? -1 : 1;
    return a.folder && !foldersReverse ? asc(a, b) : asc(b, a);
  };
}

/** An ascending array (folders first) as shown in `choice`'s order: parts reversed as displayComparator says. */
export function displayOrder<T extends SortFields>(ascendingEntries: readonly T[], choice: SortChoice): T[] {
  if (choice.order === 'asc') return ascendingEntries as T[];
  let folders = 0;
  while (folders < ascendingEntries.length && ascendingEntries[folders].folder) folders += 1;
  const folderPart = ascendingEntries.slice(0, folders);
  const filePart = ascendingEntries.slice(folders).reverse();
  return [...(choice.key === 'name' ? folderPart.reverse() : folderPart), ...filePart];
}

/** The index of the first entry that comes after `position` in `sorted` (ordered by `compare`). */
export function indexAfter<T extends SortFields>(sorted: readonly T[], position: SortFields, compare: Comparator): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle], position) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where `entry` goes in `sorted`, or where it is. */
export function indexOf<T extends SortFields>(sorted: readonly T[], entry: SortFields, compare: Comparator): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle], entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Merges `right` into `left`, both sorted by `compare`, into a new array. Each element of the
 * (usually much smaller) right side is placed by binary search in what remains of the left, so
 * merging a page of 2,000 new entries into 100,000 costs some 20,000 comparisons, not 100,000.
 */
export function merge<T>(left: readonly T[], right: readonly T[], compare: (a: T, b: T) => number): T[] {
  const merged: T[] = [];
  let from = 0;
  for (const item of right) {
    let low = from;
    let high = left.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(left[middle], item) <= 0) low = middle + 1;
      else high = middle;
    }
    for (let i = from; i < low; i += 1) merged.push(left[i]);
    merged.push(item);
    from = low;
  }
  for (let i = from; i < left.length; i += 1) merged.push(left[i]);
  return merged;
}
