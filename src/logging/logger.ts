import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { RequestHandler } from 'express';

/**
 * Structured logs on stdout. Request lines carry the method, the route (`/browse{/*splat}`, not
 * the path: file and folder names are personal data; LOG_REQUEST_PATHS=1 logs paths, without
 * their query string, where an operator needs them) and the status; headers are never logged.
 * The redact list is a second net for anything that slips into a log object.
 */

const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.refresh_token',
  '*.accessToken',
  '*.refreshToken',
  '*.code',
  '*.state',
  '*.client_secret',
  '*.code_verifier',
];

/** Request ids a proxy may hand us: short and plain, so a log line cannot be forged through one. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `destination` defaults to stdout written asynchronously: pino's default writes each line with
 * a blocking write(2), and when whatever reads stdout (a log shipper, a pipe) falls behind, the
 * whole process waited on it (the event loop's p99 delay under npm run bench was 290 ms). Lines
 * are buffered instead and flushed as stdout drains; pino flushes what is left at exit.
 */
export function createLogger(level: string, destination: DestinationStream = pino.destination({ dest: 1, sync: false })): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

export interface RequestLogSettings {
  /** LOG_REQUEST_PATHS: log each request's path instead of its route. */
  logPaths: boolean;
  /** TRUST_PROXY > 0: an X-Request-Id then comes from the proxy, not from the client. */
  trustProxy: boolean;
}

function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0];
}

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string; originalUrl?: string };

/** What a log line says about where a request went: its route template, or its path when asked. */
export function requestPlace(req: RoutedRequest, logPaths: boolean): string {
  if (logPaths) return pathOnly(req.originalUrl ?? req.url);
  const route = req.route?.path;
  return typeof route === 'string' ? `${req.baseUrl ?? ''}${route}` : '(no route)';
}

type LoggedRequest = RoutedRequest & { id?: string };

/**
 * One line per request when its answer is sent (or the client goes away first): `req` {id,
 * method, route}, `res` {statusCode}, `responseTime` in ms; info, warn for 4xx, error for 5xx.
 * The central error handler has already logged why; the request line only says what happened.
 * pino-http did the same with a child logger made for every request, a twentieth of a folder
 * page's CPU (npm run bench:profile); this writes the one line and nothing else.
 */
export function createHttpLogger(logger: Logger, settings: RequestLogSettings): RequestHandler {
  return (req: LoggedRequest, res, next) => {
    if (pathOnly(req.url).startsWith('/public/')) return next();
    const offered = req.headers['x-request-id'];
    const id = settings.trustProxy && typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    req.id = id;
    const started = performance.now();
    let logged = false;
    const line = (message: string) => {
      if (logged) return;
      logged = true;
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      logger[level]({ req: { id, method: req.method, route: requestPlace(req, settings.logPaths) }, res: { statusCode: status }, responseTime: Math.round(performance.now() - started) }, message);
    };
    res.once('finish', () => line('request completed'));
    res.once('close', () => line(res.writableFinished ? 'request completed' : 'request aborted'));
    next();
  };
}
