import express, { type RequestHandler, type Router } from 'express';
import type { TokenKeeper } from '../auth/token-keeper';
import type { DropboxApiClient } from '../dropbox/api-client';
import type { ThumbnailBatcher } from '../dropbox/thumbnail-batcher';
import type { FolderWatcher } from '../folders/folder-watcher';
import { authHandlers, type AuthParts } from './handlers/auth';
import { browseHandlers, type BrowseParts } from './handlers/browse';
import { downloadHandler } from './handlers/download';
import { fileHandler } from './handlers/file';
import { contentHandler, previewHandler, zipHandler } from './handlers/file-content';
import { folderEventsHandler } from './handlers/folder-events';
import { searchHandler } from './handlers/search';
import { thumbnailHandler } from './handlers/thumbnail';
import { requireCsrfToken } from './middleware/csrf';
import { requireConnection } from './middleware/require-connection';

/** What the route handlers work with, built once by the composition root. */
export interface RouteParts extends AuthParts, BrowseParts {
  keeper: TokenKeeper;
  api: DropboxApiClient;
  watcher: FolderWatcher;
  thumbnails: ThumbnailBatcher;
  /** Limits what starts or completes a sign-in (middleware/rate-limit.ts). */
  authLimiter: RequestHandler;
}

/** `/browse/Photos/` is the folder `/browse/Photos`: a typed or pasted address with a trailing slash goes there (Dropbox names never end in "/"). */
const withoutTrailingSlash: RequestHandler = (req, res, next) => {
  if (!req.path.endsWith('/')) return next();
  const query = req.originalUrl.slice(req.originalUrl.indexOf('?') === -1 ? req.originalUrl.length : req.originalUrl.indexOf('?'));
  res.redirect(301, `${req.path.replace(/\/+$/, '')}${query}`);
};

/** The route table (docs/contract.md "Routes"); the handlers live in ./handlers. */
export function routes(parts: RouteParts): Router {
  const auth = authHandlers(parts);
  const browse = browseHandlers(parts);
  const connected = requireConnection(parts.keeper, parts.api);
  const form = express.urlencoded({ extended: false, limit: '2kb' });

  const router = express.Router();
  router.get('/', browse.welcome, connected, browse.folder);
  // Only what starts or completes a sign-in is limited: disconnecting must always work.
  router.get('/auth/dropbox', parts.authLimiter, auth.start);
  router.get('/auth/dropbox/callback', parts.authLimiter, auth.callback);
  router.post('/auth/logout', form, requireCsrfToken, auth.logout);
  router.get(['/browse/*splat', '/file/*splat'], withoutTrailingSlash);
  router.get('/browse{/*splat}', connected, browse.folder);
  router.get('/download/*splat', connected, downloadHandler);
  router.get('/file/*splat', connected, fileHandler({ folders: parts.folders, now: parts.now }));
  router.get('/content/*splat', connected, contentHandler);
  router.get('/preview/*splat', connected, previewHandler);
  router.get('/zip/*splat', connected, zipHandler);
  router.get('/search', connected, searchHandler());
  router.get('/thumbnail/*splat', connected, thumbnailHandler(parts.thumbnails));
  router.get('/events/browse{/*splat}', connected, folderEventsHandler(parts.watcher));
  return router;
}
