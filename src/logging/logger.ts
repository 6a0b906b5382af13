import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoHttp, { type HttpLogger } from 'pino-http';

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

export function createHttpLogger(logger: Logger, settings: RequestLogSettings): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => {
      const offered = req.headers['x-request-id'];
      return settings.trustProxy && typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    },
    serializers: {
      req: (req: RoutedRequest & { id?: unknown }) => ({ id: req.id, method: req.method, route: requestPlace(req, settings.logPaths) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // The central error handler has already logged why; the request line only says what happened.
    customErrorObject: (_req, _res, _error, line: Record<string, unknown>) => ({ res: line.res, responseTime: line.responseTime }),
    customErrorMessage: () => 'request completed',
    wrapSerializers: false,
    autoLogging: { ignore: (req) => pathOnly(req.url).startsWith('/public/') },
  });
}
