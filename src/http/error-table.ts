import { ConnectionError, type ConnectionProblem } from '../auth/errors';
import { DropboxError } from '../dropbox/errors';
import { PageCursorError } from '../folders/folder-index';
import { SessionStoreError } from '../sessions/errors';
import { AppError, CONNECT_ACTION, HOME_FOLDER_ACTION, type AppErrorOptions } from './app-error';
import { isCsrfError } from './middleware/csrf';

/**
 * The one table that turns failures from below into what a person reads: Dropbox's answers,
 * the token keeper's connection problems, the session store being away. The codes are the
 * JSON contract's and stay stable; the words can change without changing any behaviour.
 */

const RECONNECT: AppErrorOptions = { title: 'errorTitle.reconnect', action: CONNECT_ACTION };

const CONNECTION: Record<ConnectionProblem, () => AppError> = {
  not_connected: () => new AppError(401, 'not_connected', 'errors.notConnected', { action: CONNECT_ACTION, logTag: 'not_connected' }),
  revoked: () => new AppError(401, 'reconnect_required', 'errors.revoked', { ...RECONNECT, logTag: 'revoked' }),
  unreadable: () => new AppError(401, 'reconnect_required', 'errors.unreadable', { ...RECONNECT, logTag: 'unreadable' }),
  ended: () => new AppError(401, 'reconnect_required', 'errors.ended', { ...RECONNECT, logTag: 'ended' }),
  refresh_busy: () => new AppError(503, 'refresh_busy', 'errors.refreshBusy', { retryAfter: 2, logTag: 'refresh_busy' }),
};

function fromDropbox(error: DropboxError): AppError {
  const { failure } = error;
  const logTag = error.logTag;
  switch (failure.kind) {
    case 'route':
      switch (error.leafTag) {
        case 'not_found':
          return new AppError(404, 'not_found', 'errors.notFound', { logTag, action: HOME_FOLDER_ACTION });
        case 'malformed_path':
          return new AppError(400, 'malformed_path', 'errors.invalidPath', { logTag, action: HOME_FOLDER_ACTION });
        case 'too_large':
          if (error.route !== 'files/download_zip') break;
          return new AppError(409, 'zip_too_large', 'errors.zipTooLarge', { logTag, title: 'errorTitle.zipTooLarge', action: HOME_FOLDER_ACTION });
        case 'too_many_files':
          if (error.route !== 'files/download_zip') break;
          return new AppError(409, 'zip_too_many_files', 'errors.zipTooManyFiles', { logTag, title: 'errorTitle.zipTooManyFiles', action: HOME_FOLDER_ACTION });
        case 'unsupported_file':
          return new AppError(409, 'unsupported_file', 'errors.unsupportedFile', { logTag });
        case 'restricted_content':
          return new AppError(403, 'restricted_content', 'errors.restricted', { logTag });
      }
      return new AppError(409, 'dropbox_refused', 'errors.refused', { logTag, title: 'errorTitle.refused' });
    case 'unauthorized':
      return new AppError(401, 'dropbox_unauthorized', 'errors.unauthorized', { ...RECONNECT, logTag });
    case 'forbidden':
      return new AppError(403, 'dropbox_forbidden', 'errors.forbidden', { logTag });
    case 'invalid_root':
      return new AppError(502, 'dropbox_invalid_root', 'errors.invalidRoot', { logTag });
    case 'rate_limited':
      return new AppError(
        503,
        'dropbox_rate_limited',
        { key: 'errors.rateLimited', params: { seconds: failure.retryAfterSeconds } },
        {
          retryAfter: failure.retryAfterSeconds,
          logTag: failure.reason,
        },
      );
    case 'unavailable':
      return new AppError(502, 'dropbox_unavailable', 'errors.unavailable', { logTag });
    case 'timeout':
      return new AppError(504, 'dropbox_timeout', 'errors.timeout', { title: 'errorTitle.notAnswering', logTag: `timeout:${error.route}` });
    case 'unreachable':
      return new AppError(502, 'dropbox_unreachable', 'errors.unreachable', {
        title: 'errorTitle.notAnswering',
        logTag: `unreachable:${error.route}`,
      });
    case 'bad_answer':
      return new AppError(502, 'dropbox_bad_answer', 'errors.badAnswer', { logTag: `bad_answer:${error.route}` });
    case 'rejected':
      // Dropview sent something Dropbox will not serve: a bug on our side, not the person's.
      return new AppError(502, 'dropbox_rejected_request', { key: 'errors.rejected', params: { route: error.route } }, { logTag });
    case 'oauth':
      if (failure.error === 'invalid_grant') return new AppError(401, 'dropbox_grant_invalid', 'errors.grantInvalid', { ...RECONNECT, logTag });
      if (failure.error === 'invalid_client') return new AppError(502, 'dropbox_client_rejected', 'errors.clientRejected', { logTag });
      return new AppError(502, 'dropbox_token_error', 'errors.tokenError', { logTag });
  }
}

/** What the person reads about `error`; unknown errors become the generic 500. */
export function appErrorOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DropboxError) return fromDropbox(error);
  if (error instanceof ConnectionError) return CONNECTION[error.problem]();
  if (error instanceof SessionStoreError) {
    return new AppError(503, 'session_store_unavailable', 'errors.sessionStore', {
      title: 'errorTitle.sessionStore',
      retryAfter: 5,
      cause: error.cause,
    });
  }
  if (error instanceof PageCursorError) return new AppError(400, 'malformed_cursor', 'errors.badCursor', { title: 'errorTitle.badLink' });
  if (isCsrfError(error)) {
    return new AppError(403, 'csrf_rejected', 'errors.csrf', {
      title: 'errorTitle.formExpired',
      action: { href: '/browse', label: 'action.backToDropbox' },
    });
  }
  const status = (error as { status?: unknown } | undefined)?.status;
  if (status === 413) return new AppError(413, 'body_too_large', 'errors.tooLarge');
  if (typeof status === 'number' && status >= 400 && status < 500) return new AppError(400, 'bad_request', 'errors.badRequest');
  return new AppError(500, 'internal_error', 'errors.internal', { title: 'errorTitle.generic' });
}
