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
import { livenessHandler, readinessHandler, type Readiness } from './handlers/health';
import { metricsHandler } from './handlers/metrics';
import { languageLocals, languageMiddleware, languageSwitch } from './middleware/language';
import { pageLocals } from './middleware/page-locals';
import { plainHttpAlarm } from './middleware/plain-http-alarm';
import { requestMetrics } from './middleware/request-metrics';
import { routes, type RouteParts } from './routes';
import { credentialsReadAhead } from './session-dropbox';

/**
 * The Express app: headers, static files, the probe, sessions, the routes, and the error pages,
 * in that order. It is handed every part it uses (by src/composition-root.ts) and builds none.
 */

export interface HttpAppParts extends RouteParts {
  config: Config;
  logger: Logger;
  templates: Templates;
  sessionStore: session.Store;
  readiness: Readiness;
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

/**
 * Helmet's headers, worked out once: with this configuration they are the same for every
 * response, and running helmet's dozen middlewares on each request was 4 % of a folder page's
 * CPU (npm run bench:profile). Helmet stays the source of the values: its middleware is run
 * once against a recorder of the headers it sets.
 */
function securityHeaders(isProduction: boolean, mediaSources: string[]): express.RequestHandler {
  const headers: [string, string][] = [];
  const recorder = { setHeader: (name: string, value: string) => void headers.push([name, value]), removeHeader: () => undefined };
  let failure: unknown;
  helmetFor(isProduction, mediaSources)({} as never, recorder as never, (error?: unknown) => (failure = error));
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('helmet refused its configuration');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

function helmetFor(isProduction: boolean, mediaSources: string[]) {
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
  Object.assign(app.locals, { demoMode: config.demoMode, connected: false, account: undefined, csrfToken: undefined, ...languageLocals('en') });

  // Only with metrics on: without METRICS_TOKEN a request pays nothing for them.
  if (config.metricsToken) app.use(requestMetrics(parts.telemetry));
  app.use(createHttpLogger(logger, { logPaths: config.logRequestPaths, trustProxy: config.trustProxy > 0 }));
  app.use(securityHeaders(config.isProduction, mediaSourcesOf(config.dropbox.contentUrl)));
  app.use('/public', express.static(path.join(parts.root, 'public'), { index: false, maxAge: '1h' }));
  app.get('/healthz', livenessHandler);
  app.get('/readyz', readinessHandler(parts.readiness));
  // Before /metrics, whose refusal must read exactly like an unknown address, in the reader's language.
  app.use(languageMiddleware);
  app.get('/language', languageSwitch(parts.sessionCookie.secure));
  // Before sessions, like the probes: a scraper has no cookie. Unset, /metrics is an unknown address.
  if (config.metricsToken) app.get('/metrics', metricsHandler(config.metricsToken, parts.telemetry));
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
      readAhead: credentialsReadAhead(parts.keeper),
    }),
  );
  app.use(pageLocals);
  app.use(routes(parts));
  app.use(notFoundHandler);
  app.use(errorHandler(logger, config.logRequestPaths));
  return app;
}
