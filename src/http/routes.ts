import express, { type RequestHandler, type Router } from 'express';
import { authHandlers } from './handlers/auth';
import { browseHandlers } from './handlers/browse';
import { downloadHandlers } from './handlers/download';
import { fileHandler } from './handlers/file';
import { folderEventsHandler } from './handlers/folder-events';
import { searchHandler } from './handlers/search';
import { thumbnailHandler } from './handlers/thumbnail';
import { requireCsrfToken } from './middleware/csrf';
import { loadAccount } from './middleware/account';
import { requireConnection } from './middleware/require-connection';
import type { Services } from './services';

/** The route table (CONTRACT.md "Routes"); the handlers live in ./handlers. */
export function routes(services: Services, authLimiter: RequestHandler): Router {
  const auth = authHandlers(services);
  const browse = browseHandlers(services);
  const download = downloadHandlers(services);
  const form = express.urlencoded({ extended: false, limit: '2kb' });
  const page = [requireConnection, loadAccount(services)];

  const router = express.Router();
  router.get('/', loadAccount(services), browse.home);
  // Only what starts or completes a sign-in is limited: disconnecting must always work.
  router.get('/auth/dropbox', authLimiter, auth.start);
  router.get('/auth/dropbox/callback', authLimiter, auth.callback);
  router.post('/auth/logout', form, requireCsrfToken, auth.logout);
  router.get('/browse{/*splat}', page, browse.folder);
  router.get('/download/*splat', requireConnection, download.file);
  router.get('/file/*splat', page, fileHandler(services));
  router.get('/search', page, searchHandler(services));
  router.get('/thumbnail/*splat', requireConnection, thumbnailHandler(services));
  router.get('/events/browse{/*splat}', requireConnection, folderEventsHandler(services));
  return router;
}
