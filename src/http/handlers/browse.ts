import type { NextFunction, RequestHandler, Response } from 'express';
import type { FolderEntry } from '../../dropbox/api-client';
import { isRouteError } from '../../dropbox/errors';
import type { FolderIndex, FolderPage } from '../../folders/folder-index';
import type { IndexEntry } from '../../folders/folder-snapshot';
import { breadcrumbsOf, loadMoreForm, presentationFrom, queryOf, sortLinksOf, viewLinksOf, type Presentation } from '../../views/folder-page';
import type { EntryRows } from '../../views/entry-rows';
import { dropboxWebHrefOf, hrefOf } from '../../views/hrefs';
import { cursorFrom, dropboxPathOf, segmentsOf } from '../dropbox-path';
import { localizerOf } from '../middleware/language';
import { dropboxOf } from '../session-dropbox';

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

export interface BrowseParts {
  folders: FolderIndex;
  entryRows: EntryRows;
  /** Rows per folder page. */
  listPageSize: number;
}

/**
 * Where the page's rows go: the page is rendered around this mark and the rows, kept as bytes
 * (views/entry-rows.ts), are put in its place. Nothing a person named can render as it (`<` is
 * escaped in every name).
 */
const ROWS_MARK = '<!--dropview:rows-->';

/** The page with its rows in place of ROWS_MARK, as the bytes to send. */
function pageBytes(html: string, rows: Buffer): Buffer | string {
  const at = html.indexOf(ROWS_MARK);
  if (at < 0) return html;
  return Buffer.concat([Buffer.from(html.slice(0, at)), rows, Buffer.from(html.slice(at + ROWS_MARK.length))]);
}

export function browseHandlers({ folders, entryRows, listPageSize }: BrowseParts) {
  /** `after` and `through`: the page cursors the address carried (`?cursor=`, `?through=`). */
  function render(res: Response, next: NextFunction, presentation: Presentation, page: FolderPage, after: string | undefined, through: string | undefined): void {
    // Dropbox's own spelling of the folder (`/Photos`, even when the address says `/photos`).
    const folderPath = page.displayPath;
    res.format({
      html: () => {
        const localizer = localizerOf(res);
        const query = queryOf(presentation);
        const folderHref = hrefOf('/browse', folderPath);
        const crumbs = breadcrumbsOf(folderPath, query);
        const renderingKey = `${page.version}\n${presentation.sort.key}.${presentation.sort.order}\n${after ?? ''}\n${through ?? ''}`;
        const rows = entryRows.html(renderingKey, () => page.entries.map((entry) => entryOf(folderPath, entry)), presentation.view, query, localizer);
        const locals = {
          title: crumbs[crumbs.length - 1].label,
          crumbs,
          entryRowsHtml: ROWS_MARK,
          empty: page.entries.length === 0,
          presentation,
          searchPath: folderPath,
          sortLinks: sortLinksOf(folderHref, presentation, localizer),
          viewLinks: viewLinksOf((view) => `${folderHref}${queryOf({ ...presentation, view })}`, presentation.view, localizer),
          folderHref: `${folderHref}${query}`,
          // Dropbox zips folders, not the whole Dropbox (download_zip takes no root path).
          zipHref: folderPath ? hrefOf('/zip', folderPath) : undefined,
          dropboxHref: dropboxWebHrefOf(folderPath),
          eventsHref: `/events${folderHref}?${new URLSearchParams({ version: page.version })}`,
          loadMore: page.hasMore && page.cursor ? loadMoreForm(folderHref, presentation, page.cursor) : undefined,
          throughCursor: page.cursor ?? '',
          extended: through !== undefined,
          continued: after !== undefined,
          reading: !page.complete,
          truncated: page.truncated,
          stale: page.stale,
          total: page.total,
          shown: page.entries.length,
        };
        res.render('browse', locals, (error: Error | null, html: string) => {
          if (error) return next(error);
          res.type('html').send(pageBytes(html, rows));
        });
      },
      json: () => res.json(listingJson(folderPath, page)),
    });
  }

  /** @route GET /browse{/*splat}[?cursor=|?through=] */
  const folder: RequestHandler = async (req, res, next) => {
    const path = dropboxPathOf(segmentsOf(req));
    const presentation = presentationFrom(req.query);
    const after = cursorFrom(req, 'cursor');
    const through = cursorFrom(req, 'through');
    let page: FolderPage;
    try {
      page = await folders.page(dropboxOf(res), path, { sort: presentation.sort, after, through, limit: listPageSize });
    } catch (error) {
      // A file's address under /browse leads to the file's page.
      if (isRouteError(error, 'not_folder')) return res.redirect(302, hrefOf('/file', path));
      throw error;
    }
    render(res, next, presentation, page, after, through);
  };

  /** @route GET / : the invitation to connect; a connected person goes on to their root folder (`folder`). */
  const welcome: RequestHandler = (req, res, next) => {
    if (req.session.connectedAt !== undefined) return next();
    res.render('home', { title: localizerOf(res).t('home.pageTitle'), disconnected: req.query.disconnected === '1' });
  };

  return { folder, welcome };
}
