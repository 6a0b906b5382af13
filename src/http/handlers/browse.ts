import type { Request, RequestHandler, Response } from 'express';
import { hasDropboxTag } from '../../dropbox/errors';
import type { FolderView } from '../../listing/folder-reader';
import { breadcrumbsOf, entriesJson, loadMoreForm, presentationFrom, queryOf, sortLinksOf, type Presentation } from '../../views/listing';
import { cursorFrom, dropboxPathOf, hrefOf, segmentsOf } from '../dropbox-path';
import type { Services } from '../services';

/** Folder pages: the first page of a folder, or the next one when a cursor is given. */

export function browseHandlers(services: Services) {
  const { tokens, folders, entryRows } = services;

  async function fetchPage(req: Request, path: string, presentation: Presentation, cursor: string | undefined): Promise<{ view: FolderView; restarted: boolean }> {
    const read = (from?: string) => tokens.withAccessToken(req, (auth) => folders.page(auth, req.sessionID, path, presentation.sort, from));
    if (cursor) {
      try {
        return { view: await read(cursor), restarted: false };
      } catch (error) {
        // A stale cursor (Dropbox `reset`) starts the listing over instead of failing.
        if (!hasDropboxTag(error, 'reset')) throw error;
        return { view: await read(), restarted: true };
      }
    }
    return { view: await read(), restarted: false };
  }

  function render(req: Request, res: Response, path: string, presentation: Presentation, view: FolderView, restarted: boolean): void {
    res.format({
      html: () => {
        const query = queryOf(presentation);
        const folderHref = hrefOf('/browse', path);
        const crumbs = breadcrumbsOf(path, query);
        res.render('browse', {
          title: crumbs[crumbs.length - 1].label,
          crumbs,
          entryRowsHtml: entryRows.html(view.entries, presentation.view, query),
          empty: view.entries.length === 0,
          presentation,
          searchPath: path,
          sortLinks: sortLinksOf(folderHref, presentation),
          viewLinks: (['list', 'grid'] as const).map((mode) => ({ mode, href: `${folderHref}${queryOf({ ...presentation, view: mode })}`, current: presentation.view === mode })),
          folderHref: `${folderHref}${query}`,
          eventsHref: `/events${folderHref}`,
          loadMore: view.hasMore && view.cursor ? loadMoreForm(folderHref, presentation, view.cursor) : undefined,
          continued: view.continued && !restarted,
          restarted,
          partialSort: !view.wholeFolderSorted,
        });
      },
      json: () => res.json({ path: path || '/', entries: entriesJson(view.entries), hasMore: view.hasMore, ...(view.hasMore && view.cursor ? { cursor: view.cursor } : {}) }),
    });
  }

  /** @route GET /browse{/*splat} */
  const folder: RequestHandler = async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const cursor = cursorFrom(req);
    const presentation = presentationFrom(req.query);
    try {
      const { view, restarted } = await fetchPage(req, path, presentation, cursor);
      render(req, res, path, presentation, view, restarted);
    } catch (error) {
      // A file's address under /browse leads to the file itself.
      if (hasDropboxTag(error, 'not_folder')) return res.redirect(302, hrefOf('/download', path));
      throw error;
    }
  };

  /** @route GET / : the root folder when connected, the invitation to connect otherwise. */
  const home: RequestHandler = async (req, res, next) => {
    if (req.session.connectedAt === undefined) return res.render('home', { title: 'Connect your Dropbox' });
    return folder(req, res, next);
  };

  return { folder, home };
}
