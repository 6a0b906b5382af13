import type { FolderEntry, FolderPage } from '../dropbox/api-client';
import { hrefOf, splitDropboxPath } from '../http/dropbox-path';
import { fileKindOf, formatDate, formatSize, KIND_ICONS } from './format';

/** What a folder page shows, derived from a page of Dropbox entries. */

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Folders first, then files; each by name, so that "file 2" comes before "file 10". */
export function sortEntries(entries: FolderEntry[]): FolderEntry[] {
  return [...entries].sort((a, b) => (a.type === b.type ? byName.compare(a.name, b.name) : a.type === 'folder' ? -1 : 1));
}

export interface Breadcrumb {
  label: string;
  href: string;
}

export function breadcrumbsOf(path: string): Breadcrumb[] {
  const crumbs: Breadcrumb[] = [{ label: 'Dropbox', href: '/browse' }];
  const segments = splitDropboxPath(path);
  segments.forEach((segment, index) => crumbs.push({ label: segment, href: hrefOf('/browse', `/${segments.slice(0, index + 1).join('/')}`) }));
  return crumbs;
}

export interface EntryRow {
  type: 'folder' | 'file';
  name: string;
  href: string;
  kind: string;
  icon: string;
  size: string;
  modified: string;
  modifiedIso?: string;
}

export function rowOf(entry: FolderEntry): EntryRow {
  const kind = fileKindOf(entry.type, entry.name);
  return {
    type: entry.type,
    name: entry.name,
    href: hrefOf(entry.type === 'folder' ? '/browse' : '/download', entry.path),
    kind,
    icon: KIND_ICONS[kind],
    size: formatSize(entry.size),
    modified: formatDate(entry.modified),
    modifiedIso: entry.modified,
  };
}

/** The JSON listing of CONTRACT.md: `{path, entries, hasMore, cursor?}`. */
export function listingJson(path: string, page: FolderPage, entries: FolderEntry[]) {
  return {
    path: path || '/',
    entries: entries.map((entry) => ({ type: entry.type, name: entry.name, path: entry.path, size: entry.size, modified: entry.modified })),
    hasMore: page.hasMore,
    ...(page.hasMore ? { cursor: page.cursor } : {}),
  };
}
