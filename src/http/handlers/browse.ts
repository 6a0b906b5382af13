import type { Request, RequestHandler, Response } from 'express';
import { hasDropboxTag } from '../../dropbox/errors';
import type { FolderEntry } from '../../dropbox/api-client';
import { AppError } from '../../errors';
import { PageCursorError, type FolderPage } from '../../folders/folder-index';
import type { IndexEntry } from '../../folders/folder-snapshot';
import { breadcrumbsOf, loadMoreForm, presentationFrom, queryOf, sortLinksOf, type Presentation } from '../../views/listing';
import { cursorFrom, dropboxPathOf, hrefOf, segmentsOf } from '../dropbox-path';
import { folderSourceOf } from '../folder-source';
import type { Services } from '../services';

/** Folder pages: a page of a folder in the order asked for, from its folder index (src/folders). */

function entryOf(folderPath: string, entry: IndexEntry): FolderEntry {
  const path = `${folderPath}/${entry.name}`;
  if (entry.folder) return { type: 'folder', name: entry.name, path };
  return { type: 'file', name: entry.name, path, size: entry.size, modified: new Date(entry.modified * 1000).toISOString().replace('.000Z', 'Z'), rev: entry.rev };
}

/** The JSON listing of the contract: `{path, entries, hasMore, cursor?, complete}`. */
function listingJson(folderPath: string, page: FolderPage) {
  return {
    path: folderPath || '/',
    entries: page.entries.map((entry) => {
      const { type, name, path, size, modified } = entryOf(folderPath, entry);
      return type === 'folder' ? { type, name, path } : { type, name, path, size, modified };
    }),
    hasMore: page.hasMore,
    ...(page.hasMore && page.cursor ? { cursor: page.cursor } : {}),
    complete: page.complete,
    total: page.total,
  };
}

function malformedCursor(): AppError {
  return new AppError(400, 'malformed_cursor', 'That "Load more" link is not valid. Open the folder again.', { title: 'That link does not look right' });
}

export function browseHandlers(services: Services) {
  const { tokens, api, folders, entryRows, listPageSize } = services;

  function render(req: Request, res: Response, presentation: Presentation, page: FolderPage, continued: boolean): void {
    // Dropbox's own spelling of the folder (`/Photos`, even when the address says `/photos`).
    const folderPath = page.displayPath;
    res.format({
      html: () => {
        const query = queryOf(presentation);
        const folderHref = hrefOf('/browse', folderPath);
        const crumbs = breadcrumbsOf(folderPath, query);
        const renderingKey = `${page.version}\n${presentation.sort.key}.${presentation.sort.order}\n${req.query.cursor ?? ''}\n${req.query.through ?? ''}`;
        res.render('browse', {
          title: crumbs[crumbs.length - 1].label,
          crumbs,
          entryRowsHtml: entryRows.html(renderingKey, () => page.entries.map((entry) => entryOf(folderPath, entry)), presentation.view, query),
          empty: page.entries.length === 0,
          presentation,
          searchPath: folderPath,
          sortLinks: sortLinksOf(folderHref, presentation),
          viewLinks: (['list', 'grid'] as const).map((mode) => ({ mode, href: `${folderHref}${queryOf({ ...presentation, view: mode })}`, current: presentation.view === mode })),
          folderHref: `${folderHref}${query}`,
          eventsHref: `/events${folderHref}`,
          loadMore: page.hasMore && page.cursor ? loadMoreForm(folderHref, presentation, page.cursor) : undefined,
          throughCursor: page.cursor ?? '',
          extended: req.query.through !== undefined,
          continued,
          reading: !page.complete,
          truncated: page.truncated,
          stale: page.stale,
          total: page.total,
        });
      },
      json: () => res.json(listingJson(folderPath, page)),
    });
  }

  /** @route GET /browse{/*splat}[?cursor=|?through=] */
  const folder: RequestHandler = async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const presentation = presentationFrom(req.query);
    const after = cursorFrom(req, 'cursor');
    const through = cursorFrom(req, 'through');
    const source = await folderSourceOf(req, tokens, api);
    let page: FolderPage;
    try {
      page = await folders.page(source, path, { sort: presentation.sort, after, through, limit: listPageSize });
    } catch (error) {
      // A file's address under /browse leads to the file's page.
      if (hasDropboxTag(error, 'not_folder')) return res.redirect(302, hrefOf('/file', path));
      if (error instanceof PageCursorError) throw malformedCursor();
      throw error;
    }
    render(req, res, presentation, page, after !== undefined);
  };

  /** @route GET / : the root folder when connected, the invitation to connect otherwise. */
  const home: RequestHandler = async (req, res, next) => {
    if (req.session.connectedAt === undefined) return res.render('home', { title: 'Connect your Dropbox' });
    return folder(req, res, next);
  };

  return { folder, home };
}
