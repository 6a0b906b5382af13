import { LRUCache } from 'lru-cache';
import type { FolderEntry } from '../dropbox/api-client';
import type { Localizer } from '../i18n/localizer';
import { rowOf, type ViewMode } from './folder-page';
import type { Templates } from './templates';

/**
 * The rows of a folder page as HTML, kept while what they show stays the same: the caller
 * names a rendering by the folder's version and the page asked for, so a repeated view of an
 * unchanged folder renders only the page around these rows, in each language it was asked in.
 * A rendering is kept for one minute at most, so that the cache holds what is being viewed now.
 * It is kept as UTF-8 bytes: encoding the page's text for the socket on every view (its rows
 * are most of its 40 KB) was a seventh of a folder page's CPU (npm run bench:profile), and the
 * page around the rows is small.
 */

const REUSE_WITHIN_MS = 60_000;
const RENDERINGS_KEPT = 1000;

export class EntryRows {
  private readonly renderings: LRUCache<string, Buffer>;

  constructor(
    private readonly templates: Templates,
    now: () => number,
  ) {
    this.renderings = new LRUCache<string, Buffer>({ max: RENDERINGS_KEPT, ttl: REUSE_WITHIN_MS, ttlAutopurge: false, perf: { now } });
  }

  /** `key` names what the rows show (folder version and page); `query` is the presentation's query string, which folder links carry along. */
  html(key: string, entries: () => readonly FolderEntry[], view: ViewMode, query: string, localizer: Localizer): Buffer {
    const fullKey = `${key}\n${view}${query}\n${localizer.language}`;
    const kept = this.renderings.get(fullKey);
    if (kept !== undefined) return kept;
    const html = Buffer.from(this.templates.render('partials/entry-rows', { view, folderColumn: false, rows: entries().map((entry) => rowOf(entry, localizer, query)) }));
    this.renderings.set(fullKey, html);
    return html;
  }
}
