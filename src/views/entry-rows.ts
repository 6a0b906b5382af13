import type { FolderEntry } from '../dropbox/api-client';
import { rowOf, type ViewMode } from './listing';
import type { Templates } from './templates';

/**
 * The rows of a folder page as HTML, kept for as long as the page's entries stay the same.
 * The folder reader hands out the same entries array while a folder is unchanged, so a
 * repeated view of it renders only the page around these rows. Rows show relative dates
 * ("3 minutes ago"), so a rendering is reused within one minute only.
 *
 * Kept per entries array (a WeakMap): the rows go when the folder reader lets go of the entries.
 */

const REUSE_WITHIN_MS = 60_000;

interface Rendering {
  html: string;
  renderedAt: number;
}

export class EntryRows {
  private readonly renderings = new WeakMap<readonly FolderEntry[], Map<string, Rendering>>();

  constructor(
    private readonly templates: Templates,
    private readonly now: () => number,
  ) {}

  /** `query` is the presentation's query string, which folder links carry along. */
  html(entries: readonly FolderEntry[], view: ViewMode, query: string): string {
    const now = this.now();
    let byPresentation = this.renderings.get(entries);
    if (!byPresentation) {
      byPresentation = new Map();
      this.renderings.set(entries, byPresentation);
    }
    const key = `${view}${query}`;
    const kept = byPresentation.get(key);
    if (kept && now - kept.renderedAt < REUSE_WITHIN_MS) return kept.html;
    const html = this.templates.render('partials/entry-rows', { view, folderColumn: false, rows: entries.map((entry) => rowOf(entry, query, now)) });
    byPresentation.set(key, { html, renderedAt: now });
    return html;
  }
}
