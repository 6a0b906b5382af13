import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import type session from 'express-session';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createHttpLogger } from '../logging/logger';
import { createSessionMiddleware } from '../sessions/session-middleware';
import type { Templates } from '../views/templates';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthHandler } from './handlers/health';
import { pageLocals } from './middleware/page-locals';
import { plainHttpAlarm } from './middleware/plain-http-alarm';
import { routes, type RouteParts } from './routes';

/**
 * The Express app: headers, static files, the probe, sessions, the routes, and the error pages,
 * in that order. It is handed every part it uses (by src/composition-root.ts) and builds none.
 */

export interface HttpAppParts extends RouteParts {
  config: Config;
  logger: Logger;
  templates: Templates;
  sessionStore: session.Store;
  isHealthy(): Promise<boolean>;
  /** Where views/ and public/ are. */
  root: string;
}

/**
 * Where <audio> and <video> may load from: Dropbox's temporary links, and nothing else. Real
 * links are on `https://<random>.dl.dropboxusercontent.com`; a stand-in Dropbox (the emulator
 * in demo mode and tests) serves them from its own origin, the content host's.
 */
export function mediaSourcesOf(contentUrl: string): string[] {
  const content = new URL(contentUrl);
  return content.hostname === 'content.dropboxapi.com' ? ['https://*.dl.dropboxusercontent.com'] : [content.origin];
}

function securityHeaders(isProduction: boolean, mediaSources: string[]) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        mediaSrc: mediaSources,
        // The viewers' frames: PDFs and Dropbox previews, served by Dropview itself (sandboxed).
        frameSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        ...(isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // Matches frame-ancestors 'none' for browsers that only know the older header.
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: isProduction,
  });
}

export function createHttpApp(parts: HttpAppParts): express.Express {
  const { config, logger } = parts;
  const app = express();
  app.disable('x-powered-by');
  // Pages and JSON are no-store, so no client revalidates them, and hashing each body for an
  // ETag cost a fifth of a folder page's CPU (npm run bench). Thumbnails and /public set their own.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(parts.root, 'views'));
  app.engine('ejs', parts.templates.engine);
  app.set('view engine', 'ejs');
  app.set('view cache', parts.templates.cache);
  // What a page rendered before the session is read (the session store is down) shows.
  Object.assign(app.locals, { demoMode: config.demoMode, connected: false, account: undefined, csrfToken: undefined });

  app.use(createHttpLogger(logger, { logPaths: config.logRequestPaths, trustProxy: config.trustProxy > 0 }));
  app.use(securityHeaders(config.isProduction, mediaSourcesOf(config.dropbox.contentUrl)));
  app.use('/public', express.static(path.join(parts.root, 'public'), { index: false, maxAge: '1h' }));
  app.get(
    '/healthz',
    healthHandler(() => parts.isHealthy()),
  );
  // After the probes: an orchestrator's health checks reach the process directly, over plain HTTP.
  if (config.isProduction) app.use(plainHttpAlarm(logger, parts.now));

  app.use(
    createSessionMiddleware({
      store: parts.sessionStore,
      secrets: config.session.secrets,
      idleTimeoutMs: config.session.idleTimeoutMs,
      maxAgeMs: config.session.maxAgeMs,
      secureCookies: parts.sessionCookie.secure,
      now: parts.now,
    }),
  );
  app.use(pageLocals);
  app.use(routes(parts));
  app.use(notFoundHandler);
  app.use(errorHandler(logger, config.logRequestPaths));
  return app;
}
