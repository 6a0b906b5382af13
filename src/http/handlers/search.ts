import type { RequestHandler } from 'express';
import { AppError } from '../app-error';
import { entriesJson, rowOf, viewLinksOf } from '../../views/folder-page';
import { hrefOf, splitDropboxPath } from '../../views/hrefs';
import { cursorFrom, dropboxPathOf } from '../dropbox-path';
import { localizerOf } from '../middleware/language';
import { dropboxOf } from '../session-dropbox';

/**
 * @route GET /search?q=<text>&path=<folder>[&everywhere=1][&view=grid][&cursor=] : files/search_v2,
 * scoped to the folder it was started from unless `everywhere`. The folder stays in the address
 * either way, so the results page can switch between the two.
 */

const RESULTS_PER_PAGE = 100;
const MAX_QUERY_LENGTH = 1000;

export function searchHandler(): RequestHandler {
  return async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (query.length > MAX_QUERY_LENGTH) throw new AppError(400, 'query_too_long', 'errors.queryTooLong');
    const everywhere = req.query.everywhere === '1';
    const folder = typeof req.query.path === 'string' ? dropboxPathOf(splitDropboxPath(req.query.path)) : '';
    const path = everywhere ? '' : folder;
    const view = req.query.view === 'grid' ? 'grid' : 'list';
    const cursor = cursorFrom(req);
    const dropbox = dropboxOf(res);
    const page = query ? await (cursor ? dropbox.searchContinue(cursor) : dropbox.search(query, path, RESULTS_PER_PAGE)) : { entries: [], hasMore: false, cursor: undefined };
    res.format({
      html: () => {
        const localizer = localizerOf(res);
        const addressOf = (changes: { everywhere?: boolean; view?: string; cursor?: string }) => {
          const params = new URLSearchParams({ q: query });
          if (folder) params.set('path', folder);
          if (changes.everywhere ?? everywhere) params.set('everywhere', '1');
          if ((changes.view ?? view) === 'grid') params.set('view', 'grid');
          if (changes.cursor) params.set('cursor', changes.cursor);
          return `/search?${params.toString()}`;
        };
        const folderName = folder.slice(folder.lastIndexOf('/') + 1);
        res.render('search', {
          title: query ? localizer.t('search.titleFor', { query }) : localizer.t('search.title'),
          query,
          searchPath: folder,
          everywhere,
          scopeFolder: folder,
          scopeFolderName: folderName,
          scopes: folder
            ? [
                { label: localizer.t('search.scopeFolder', { folder: folderName }), href: addressOf({ everywhere: false }), current: !everywhere },
                { label: localizer.t('search.scopeEverywhere'), href: addressOf({ everywhere: true }), current: everywhere },
              ]
            : [],
          everywhereHref: folder ? addressOf({ everywhere: true }) : undefined,
          rows: page.entries.map((entry) => rowOf(entry, localizer, '')),
          hasMore: page.hasMore,
          view,
          viewLinks: viewLinksOf((mode) => addressOf({ view: mode }), view, localizer),
          folderColumn: true,
          moreHref: page.hasMore && page.cursor ? addressOf({ cursor: page.cursor }) : undefined,
          folderHref: hrefOf('/browse', folder),
        });
      },
      json: () => res.json({ query, entries: entriesJson(page.entries), hasMore: page.hasMore, ...(page.hasMore && page.cursor ? { cursor: page.cursor } : {}) }),
    });
  };
}
