import { LRUCache } from 'lru-cache';
import type { FolderEntry } from '../dropbox/api-client';
import { rowOf, type ViewMode } from './folder-page';
import type { Templates } from './templates';

/**
 * The rows of a folder page as HTML, kept while what they show stays the same: the caller
 * names a rendering by the folder's version and the page asked for, so a repeated view of an
 * unchanged folder renders only the page around these rows. Rows show relative dates ("3
 * minutes ago"), so a rendering is reused within one minute only. A rendering is kept as
 * UTF-8 bytes: encoding the page's text for the socket on every view (its rows are most of its
 * 40 KB) was a seventh of a folder page's CPU (npm run bench:profile), and the page around the
 * rows is small.
 */

const REUSE_WITHIN_MS = 60_000;
const RENDERINGS_KEPT = 1000;

export class EntryRows {
  private readonly renderings: LRUCache<string, Buffer>;

  constructor(
    private readonly templates: Templates,
    private readonly now: () => number,
  ) {
    this.renderings = new LRUCache<string, Buffer>({ max: RENDERINGS_KEPT, ttl: REUSE_WITHIN_MS, ttlAutopurge: false, perf: { now } });
  }

  /** `key` names what the rows show (folder version and page); `query` is the presentation's query string, which folder links carry along. */
  html(key: string, entries: () => readonly FolderEntry[], view: ViewMode, query: string): Buffer {
    const fullKey = `${key}\n${view}${query}`;
    const kept = this.renderings.get(fullKey);
    if (kept !== undefined) return kept;
    const now = this.now();
    const html = Buffer.from(this.templates.render('partials/entry-rows', { view, folderColumn: false, rows: entries().map((entry) => rowOf(entry, query, now)) }));
    this.renderings.set(fullKey, html);
    return html;
  }
}
