import type { Request, RequestHandler, Response } from 'express';
import type { FolderPage } from '../../dropbox/api-client';
import { AppError } from '../../errors';
import { breadcrumbsOf, listingJson, rowOf, sortEntries } from '../../views/listing';
import { cursorFrom, dropboxPathOf, hrefOf, segmentsOf } from '../dropbox-path';
import type { Services } from '../services';

/** Folder pages: the first page of a folder, or the next one when a cursor is given. */

function hasTag(error: unknown, leaf: string): boolean {
  return error instanceof AppError && error.dropboxTag?.split('/').pop() === leaf;
}

export function browseHandlers(services: Services) {
  const { api, tokens, listPageSize } = services;

  async function fetchPage(req: Request, path: string, cursor: string | undefined): Promise<{ page: FolderPage; restarted: boolean }> {
    if (cursor) {
      try {
        return { page: await tokens.withAccessToken(req, (token) => api.listFolderContinue(token, cursor)), restarted: false };
      } catch (error) {
        // A stale cursor (Dropbox `reset`) starts the listing over instead of failing.
        if (!hasTag(error, 'reset')) throw error;
      }
    }
    return { page: await tokens.withAccessToken(req, (token) => api.listFolder(token, path, listPageSize)), restarted: cursor !== undefined };
  }

  function render(req: Request, res: Response, path: string, page: FolderPage, continued: boolean, restarted: boolean): void {
    const entries = sortEntries(page.entries);
    res.format({
      html: () => {
        const crumbs = breadcrumbsOf(path);
        res.render('browse', {
          title: crumbs[crumbs.length - 1].label,
          crumbs,
          rows: entries.map(rowOf),
          folderHref: hrefOf('/browse', path),
          loadMoreHref: page.hasMore ? `${hrefOf('/browse', path)}?cursor=${encodeURIComponent(page.cursor)}` : undefined,
          continued,
          restarted,
        });
      },
      json: () => res.json(listingJson(path, page, entries)),
    });
  }

  /** @route GET /browse{/*splat} */
  const folder: RequestHandler = async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const cursor = cursorFrom(req);
    try {
      const { page, restarted } = await fetchPage(req, path, cursor);
      render(req, res, path, page, cursor !== undefined && !restarted, restarted);
    } catch (error) {
      // A file's address under /browse leads to the file itself.
      if (hasTag(error, 'not_folder')) return res.redirect(302, hrefOf('/download', path));
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
