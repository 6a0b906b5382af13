import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { requestPlace } from '../logging/logger';
import { AppError, notFound } from './app-error';
import { folderLinkOf, retryHrefOf } from './error-links';
import { localizerOf } from './middleware/language';
import { appErrorOf } from './error-table';

/**
 * The one place errors become responses. What the person sees is the AppError's own message
 * (error-table.ts turns failures from below into one); anything unexpected becomes a generic
 * 500, and no stack trace or internal text is ever sent.
 */

/** Last among the routes: nothing matched, so it is a 404 (in the page format the client asked for). */
export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

function send(req: Request, res: Response, error: AppError): void {
  res.status(error.status);
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(Math.ceil(error.retryAfter)));
  res.setHeader('Cache-Control', 'no-store');
  // The language switch of a not-found page leads home: there is nothing to come back to, and
  // every address that is not there reads the same (an address that exists but refuses, like
  // /metrics without its token, must not stand out).
  if (error.status === 404) res.locals.here = '/';
  res.format({
    html: () =>
      res.render(
        'error',
        {
          title: localizerOf(res).t(error.title),
          message: localizerOf(res).t(error.text.key, error.text.params),
          action: error.action && { href: error.action.href, label: localizerOf(res).t(error.action.label) },
          status: error.status,
          retryHref: retryHrefOf(req, error.status),
          folderLink: folderLinkOf(req, error.status, error.action),
        },
        (renderError, html) => {
          if (renderError) res.type('text').send(error.message);
          else res.send(html);
        },
      ),
    json: () => res.json({ error: { code: error.code, message: error.message, ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}) } }),
    default: () => res.type('text').send(error.message),
  });
}

export function errorHandler(logger: Logger, logPaths: boolean): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError = appErrorOf(error);
    const context = { route: requestPlace(req, logPaths), status: appError.status, code: appError.code, tag: appError.logTag };
    if (appError.status >= 500 && appError.code === 'internal_error') {
      // Unknown errors are bugs: log what they are. Dropbox client errors never get here raw.
      logger.error({ ...context, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message, stack: (error as Error)?.stack }, 'unexpected error');
    } else {
      // A cause is only ever set for infrastructure failures (the session store), never for
      // Dropbox calls, so its name and message are safe to log.
      const cause = appError.cause instanceof Error ? { causeName: appError.cause.name, causeMessage: appError.cause.message } : {};
      logger[appError.status >= 500 ? 'error' : 'warn']({ ...context, ...cause }, appError.message);
    }
    if (res.headersSent) return;
    send(req, res, appError);
  };
}
