import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, notFound } from '../errors';
import { requestPlace } from '../logging/logger';
import { isCsrfError } from './middleware/csrf';

/**
 * The one place errors become responses. What the person sees is the AppError's own message;
 * anything unexpected becomes a generic 500, and no stack trace or internal text is ever sent.
 */

/** Last among the routes: nothing matched, so it is a 404 (in the page format the client asked for). */
export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isCsrfError(error)) {
    return new AppError(403, 'csrf_rejected', 'This form has expired or did not come from Dropview. Reload the page and try again.', {
      title: 'Form expired',
      action: { href: '/browse', label: 'Back to your Dropbox' },
    });
  }
  const status = (error as { status?: unknown } | undefined)?.status;
  if (status === 413) return new AppError(413, 'body_too_large', 'That request was too large.');
  if (typeof status === 'number' && status >= 400 && status < 500) return new AppError(400, 'bad_request', 'Dropview could not understand that request.');
  return new AppError(500, 'internal_error', 'Something went wrong on our side. Please try again.', { title: 'Something went wrong' });
}

function send(res: Response, error: AppError): void {
  res.status(error.status);
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(Math.ceil(error.retryAfter)));
  res.setHeader('Cache-Control', 'no-store');
  res.format({
    html: () =>
      res.render('error', { title: error.title, message: error.message, action: error.action, status: error.status }, (renderError, html) => {
        if (renderError) res.type('text').send(error.message);
        else res.send(html);
      }),
    json: () => res.json({ error: { code: error.code, message: error.message, ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}) } }),
    default: () => res.type('text').send(error.message),
  });
}

export function errorHandler(logger: Logger, logPaths: boolean): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError = asAppError(error);
    const context = { route: requestPlace(req, logPaths), status: appError.status, code: appError.code, dropboxTag: appError.dropboxTag };
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
    send(res, appError);
  };
}
