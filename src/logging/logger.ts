import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoHttp, { type HttpLogger } from 'pino-http';

/**
 * Structured logs on stdout. Request lines carry the method, the path without its query
 * string (the OAuth callback's query holds the code and state) and the status; headers are
 * never logged. The redact list is a second net for anything that slips into a log object.
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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0];
}

export function createHttpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, path: pathOnly(req.url) }),
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
