import type { FolderEntry } from '../dropbox/api-client';
import { hasThumbnail } from '../file-types/file-types';
import type { SortChoice, SortKey } from '../folders/sort-order';
import type { Localizer } from '../i18n/localizer';
import { fileKindOf, iconHrefOf, type FileKind } from './format';
import { hrefOf, parentOf, splitDropboxPath } from './hrefs';

/** The order a folder opens in when the address names none. */
export const DEFAULT_SORT: SortChoice = { key: 'name', order: 'asc' };

/** What folder, search and file pages show, derived from Dropbox entries. */

export type ViewMode = 'list' | 'grid';

/** How the listing is shown; lives in the URL so it survives reload and sharing. */
export interface Presentation {
  sort: SortChoice;
  view: ViewMode;
}

export function presentationFrom(query: Record<string, unknown>): Presentation {
  const key = ['name', 'size', 'modified'].includes(query.sort as string) ? (query.sort as SortKey) : DEFAULT_SORT.key;
  const order = query.order === 'desc' ? 'desc' : 'asc';
  return { sort: { key, order }, view: query.view === 'grid' ? 'grid' : 'list' };
}

/** The query string of a presentation, leaving defaults out: `?sort=size&order=desc&view=grid`. */
export function queryOf(presentation: Presentation, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (presentation.sort.key !== DEFAULT_SORT.key || presentation.sort.order !== DEFAULT_SORT.order) {
    params.set('sort', presentation.sort.key);
    params.set('order', presentation.sort.order);
  }
  if (presentation.view !== 'list') params.set('view', presentation.view);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** "Load more" is a GET form (a real button that works without JavaScript) carrying the view and the cursor. */
export function loadMoreForm(action: string, presentation: Presentation, cursor: string): { action: string; fields: { name: string; value: string }[] } {
  const params = new URLSearchParams(queryOf(presentation, { cursor }).slice(1));
  return { action, fields: [...params.entries()].map(([name, value]) => ({ name, value })) };
}

export interface Breadcrumb {
  label: string;
  href: string;
}

export function breadcrumbsOf(path: string, query = ''): Breadcrumb[] {
  const crumbs: Breadcrumb[] = [{ label: 'Dropbox', href: `/browse${query}` }];
  const segments = splitDropboxPath(path);
  segments.forEach((segment, index) => crumbs.push({ label: segment, href: `${hrefOf('/browse', `/${segments.slice(0, index + 1).join('/')}`)}${query}` }));
  return crumbs;
}

export interface EntryRow {
  type: 'folder' | 'file';
  name: string;
  href: string;
  kind: FileKind;
  /** The kind in words, for screen readers. */
  kindLabel: string;
  icon: string;
  size: string;
  /** The day and the time of day it was modified, in UTC; public/app.js shows them in the reader's time zone. */
  day: string;
  clock: string;
  modifiedIso?: string;
  /** For image files: a thumbnail URL pinned to the file's revision (so it can be cached). */
  thumbnailHref?: string;
  /** The folder holding the entry, for search results. */
  folder: { label: string; href: string };
}

export function thumbnailHrefOf(entry: FolderEntry, size: string): string | undefined {
  // SVG, HEIC and photos over 20 MB get no thumbnail from Dropbox: their icon shows instead of a broken image.
  if (entry.type !== 'file' || !hasThumbnail(entry.name, entry.size) || !entry.rev) return undefined;
  return `${hrefOf('/thumbnail', entry.path)}?size=${size}&rev=${encodeURIComponent(entry.rev)}`;
}

export function rowOf(entry: FolderEntry, localizer: Localizer, query: string): EntryRow {
  const kind = fileKindOf(entry.type, entry.name);
  const parent = parentOf(entry.path);
  return {
    type: entry.type,
    name: entry.name,
    // The presentation goes along to a file's page too: a photo steps through the folder in the order it was shown in.
    href: `${hrefOf(entry.type === 'folder' ? '/browse' : '/file', entry.path)}${query}`,
    kind,
    kindLabel: localizer.t(`kind.${kind}`),
    icon: iconHrefOf(kind),
    size: localizer.size(entry.size),
    day: localizer.date(entry.modified),
    clock: localizer.time(entry.modified),
    modifiedIso: entry.modified,
    thumbnailHref: thumbnailHrefOf(entry, 'w256h256'),
    folder: { label: parent || 'Dropbox', href: `${hrefOf('/browse', parent)}${query}` },
  };
}

export interface SortLink {
  key: SortKey;
  label: string;
  /** The link's name, saying what following it does: "Size, sort descending". */
  actionLabel: string;
  href: string;
  current: boolean;
  /** Where the current choice points, for the arrow and aria-sort. */
  order?: 'ascending' | 'descending';
}

const COLUMN_LABELS = { name: 'column.name', size: 'column.size', modified: 'column.modified' } as const;

/** Links that sort by each key (the column headers of a list); the current one flips its order. */
export function sortLinksOf(folderHref: string, presentation: Presentation, localizer: Localizer): SortLink[] {
  return (['name', 'size', 'modified'] as SortKey[]).map((key) => {
    const current = presentation.sort.key === key;
    const order = current && presentation.sort.order === 'asc' ? 'desc' : 'asc';
    const label = localizer.t(COLUMN_LABELS[key]);
    return {
      key,
      label,
      actionLabel: localizer.t(order === 'asc' ? 'sort.ascending' : 'sort.descending', { column: label }),
      href: `${folderHref}${queryOf({ ...presentation, sort: { key, order } })}`,
      current,
      order: current ? (presentation.sort.order === 'asc' ? 'ascending' : 'descending') : undefined,
    };
  });
}

/** The List and Grid choices; `hrefOfView` keeps the rest of the address. */
export function viewLinksOf(hrefOfView: (view: ViewMode) => string, current: ViewMode, localizer: Localizer) {
  return (['list', 'grid'] as const).map((mode) => ({ mode, label: localizer.t(mode === 'list' ? 'view.list' : 'view.grid'), href: hrefOfView(mode), current: current === mode }));
}

/** The JSON listing of docs/contract.md: `{path, entries, hasMore, cursor?}` (search: `query` for `path`); folder pages add `complete` and `total`. */
export function entriesJson(entries: FolderEntry[]) {
  return entries.map((entry) => ({ type: entry.type, name: entry.name, path: entry.path, size: entry.size, modified: entry.modified }));
}
