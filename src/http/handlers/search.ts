import type { RequestHandler } from 'express';
import { AppError } from '../app-error';
import { entriesJson, rowOf } from '../../views/folder-page';
import { hrefOf, splitDropboxPath } from '../../views/hrefs';
import { cursorFrom, dropboxPathOf } from '../dropbox-path';
import { dropboxOf } from '../session-dropbox';

/** @route GET /search?q=<text>&path=<folder>[&everywhere=1][&cursor=] : files/search_v2, scoped to a folder by default. */

const RESULTS_PER_PAGE = 100;
const MAX_QUERY_LENGTH = 1000;

export function searchHandler(now: () => number): RequestHandler {
  return async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (query.length > MAX_QUERY_LENGTH) throw new AppError(400, 'query_too_long', 'That search is too long. Please use fewer words.');
    const everywhere = req.query.everywhere === '1';
    const path = everywhere || typeof req.query.path !== 'string' ? '' : dropboxPathOf(splitDropboxPath(req.query.path));
    const cursor = cursorFrom(req);
    const dropbox = dropboxOf(res);
    const page = query ? await (cursor ? dropbox.searchContinue(cursor) : dropbox.search(query, path, RESULTS_PER_PAGE)) : { entries: [], hasMore: false, cursor: undefined };
    res.format({
      html: () => {
        const more = new URLSearchParams({ q: query, ...(path ? { path } : {}), ...(everywhere ? { everywhere: '1' } : {}), ...(page.cursor ? { cursor: page.cursor } : {}) });
        res.render('search', {
          title: query ? `Search: ${query}` : 'Search',
          query,
          searchPath: path,
          everywhere,
          scopeLabel: path ? path.split('/').pop() : 'all of Dropbox',
          scopeHref: hrefOf('/browse', path),
          rows: page.entries.map((entry) => rowOf(entry, '', now())),
          view: 'list',
          folderColumn: true,
          moreHref: page.hasMore && page.cursor ? `/search?${more.toString()}` : undefined,
        });
      },
      json: () => res.json({ query, entries: entriesJson(page.entries), hasMore: page.hasMore, ...(page.hasMore && page.cursor ? { cursor: page.cursor } : {}) }),
    });
  };
}
