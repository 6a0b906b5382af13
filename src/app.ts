import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { TokenKeeper } from './auth/token-keeper';
import type { Config } from './config';
import type { DropboxApiClient } from './dropbox/api-client';
import type { DropboxOAuthClient } from './dropbox/oauth-client';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthHandler } from './http/handlers/health';
import { csrfTokenOf } from './http/middleware/csrf';
import { authRateLimit } from './http/middleware/rate-limit';
import { routes } from './http/routes';
import type { Services } from './http/services';
import { hasDropboxTag } from './dropbox/errors';
import { ThumbnailBatcher } from './dropbox/thumbnail-batcher';
import { AppError } from './errors';
import { FolderIndex } from './folders/folder-index';
import { MemoryFolderIndexStore, RedisFolderIndexStore, type FolderIndexStore } from './folders/index-store';
import { createHttpLogger } from './logging/logger';
import { createSessionMiddleware, sessionCookieName } from './sessions/session-middleware';
import type { SessionBackend } from './sessions/session-store';
import { Sealer } from './crypto/sealer';
import { EntryRows } from './views/entry-rows';
import { Templates } from './views/templates';

/**
 * Builds the Dropview web app from its parts. Nothing here listens or connects: server.ts
 * does that, and tests build the same app with real parts on free ports.
 */

export interface AppDeps {
  config: Config;
  sessions: SessionBackend;
  oauth: DropboxOAuthClient;
  api: DropboxApiClient;
  logger: Logger;
  /** Entries per folder page. */
  listPageSize?: number;
  now?: () => number;
}

const ROOT = path.join(__dirname, '..');
export const DEFAULT_LIST_PAGE_SIZE = 200;
const AUTH_RATE_WINDOW_MS = 15 * 60 * 1000;
/** Folder indexes kept without Redis: sealed and compressed, about 40 bytes an entry. */
const EMBEDDED_INDEX_BYTES = 64 * 1024 * 1024;

export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const secureCookies = config.isProduction;
  // Development recompiles views on every render, so edits show on reload.
  const cacheViews = config.isProduction || config.nodeEnv === 'test';
  const templates = new Templates(path.join(ROOT, 'views'), cacheViews);
  const folderIndexLimits = { ttlMs: config.folderIndex.ttlMs, leaseMs: 15_000 };
  const folderIndexStore: FolderIndexStore = deps.sessions.redis
    ? new RedisFolderIndexStore(deps.sessions.redis, deps.sessions.namespace, folderIndexLimits, now)
    : new MemoryFolderIndexStore({ ...folderIndexLimits, maxBytes: EMBEDDED_INDEX_BYTES }, now);
  const folders = new FolderIndex(
    folderIndexStore,
    new Sealer(config.tokenEncryptionKeys, 'folder-index-v1'),
    config.tokenEncryptionKeys[0],
    {
      isReset: (error) => hasDropboxTag(error, 'reset'),
      isRateLimited: (error) => error instanceof AppError && error.code === 'dropbox_rate_limited',
      isUnavailable: (error) => error instanceof AppError && ['dropbox_unavailable', 'dropbox_timeout', 'dropbox_unreachable'].includes(error.code),
    },
    {
      ttlMs: config.folderIndex.ttlMs,
      maxEntries: config.folderIndex.maxEntries,
      memoryEntries: config.folderIndex.memoryEntries,
      now,
      onBackgroundError: (event, error) => logger.warn({ event, code: (error as AppError).code, errorName: (error as Error).name }, 'folder index work failed in the background'),
    },
  );
  const services: Services = {
    oauth: deps.oauth,
    api: deps.api,
    tokens: new TokenKeeper(deps.oauth, new Sealer(config.tokenEncryptionKeys, 'token-encryption-v1'), deps.sessions.credentials, { now }),
    sessions: deps.sessions,
    logger,
    sessionCookie: { name: sessionCookieName(secureCookies), secure: secureCookies },
    sessionMaxAgeMs: config.session.maxAgeMs,
    folders,
    listPageSize: deps.listPageSize ?? DEFAULT_LIST_PAGE_SIZE,
    thumbnails: new ThumbnailBatcher(deps.api),
    entryRows: new EntryRows(templates, now),
  };

  const app = express();
  app.disable('x-powered-by');
  // Pages and JSON are no-store, so no client revalidates them, and hashing each body for an
  // ETag cost a fifth of a folder page's CPU (npm run bench). Thumbnails and /public set their own.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(ROOT, 'views'));
  app.engine('ejs', templates.engine);
  app.set('view engine', 'ejs');
  app.set('view cache', cacheViews);
  app.locals.demoMode = config.demoMode;

  app.use(createHttpLogger(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      // Matches frame-ancestors 'none' for browsers that only know the older header.
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: config.isProduction,
    }),
  );
  app.use('/public', express.static(path.join(ROOT, 'public'), { index: false, maxAge: '1h' }));
  app.get('/healthz', healthHandler(services));

  app.use(
    createSessionMiddleware({
      store: deps.sessions.store,
      secrets: config.session.secrets,
      idleTimeoutMs: config.session.idleTimeoutMs,
      maxAgeMs: config.session.maxAgeMs,
      secureCookies,
      now,
    }),
  );
  app.use((req, res, next) => {
    // Pages here show account data: no browser or proxy may keep a copy.
    res.setHeader('Cache-Control', 'no-store');
    res.locals.connected = req.session.connectedAt !== undefined;
    if (res.locals.connected) res.locals.csrfToken = csrfTokenOf(req);
    next();
  });
  app.use(routes(services, authRateLimit({ limit: config.authRateLimit, windowMs: AUTH_RATE_WINDOW_MS, redis: deps.sessions.redis, namespace: deps.sessions.namespace }), { benchFloor: config.benchFloor }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
