import type { Sealer } from '../crypto/sealer';
import type { SortChoice, SortFields } from './sort-order';

/**
 * The "Load more" cursor handed to browsers and JSON clients: the sort values of the last row
 * shown (its kind, name, lower-case name, size and date), sealed. It names a place in the
 * folder's order rather than a count of rows, so the next page starts right after that row
 * however the folder changed in between and on whichever instance: no row is skipped or shown
 * twice. Sealed (not just signed) because it carries a file name, and bound to its folder and
 * order, so it opens nowhere else.
 */

type Payload = [folder: 0 | 1, name: string, lower: string, size: number, modified: number];

function contextOf(indexId: string, sort: SortChoice): string {
  return `page:${indexId}:${sort.key}:${sort.order}`;
}

export function sealPosition(sealer: Sealer, indexId: string, sort: SortChoice, row: SortFields): string {
  const payload: Payload = [row.folder ? 1 : 0, row.name, row.lower, row.size, row.modified];
  // The same row gives the same cursor, so a page's address and HTML stay the same while the folder does.
  return sealer.seal(JSON.stringify(payload), contextOf(indexId, sort), { deterministic: true });
}

/** The position, or undefined when the cursor was made for another folder or order, or altered. */
export function openPosition(sealer: Sealer, indexId: string, sort: SortChoice, cursor: string): SortFields | undefined {
  const opened = sealer.open(cursor, contextOf(indexId, sort));
  if (opened === undefined) return undefined;
  try {
    const [folder, name, lower, size, modified] = JSON.parse(opened) as Payload;
    if (typeof name !== 'string' || typeof lower !== 'string' || typeof size !== 'number' || typeof modified !== 'number') return undefined;
    return { folder: folder === 1, name, lower, size, modified };
  } catch {
    return undefined;
  }
}
