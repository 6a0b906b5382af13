import { ConnectionError, type ConnectionProblem } from '../auth/errors';
import { DropboxError } from '../dropbox/errors';
import { PageCursorError } from '../folders/folder-index';
import { SessionStoreError } from '../sessions/errors';
import { AppError, CONNECT_ACTION, HOME_FOLDER_ACTION } from './app-error';
import { isCsrfError } from './middleware/csrf';

/**
 * The one table that turns failures from below into what a person reads: Dropbox's answers,
 * the token keeper's connection problems, the session store being away. The codes are the
 * JSON contract's and stay stable; the words can change without changing any behaviour.
 */

const RECONNECT = { title: 'Please connect Dropbox again', action: CONNECT_ACTION };

/** files/download_zip's limits, as Dropbox states them. */
const ZIP_LIMITS =
  'Dropbox makes a .zip of a folder only when the folder is under 20 GB, every file in it is under 4 GB, and it holds fewer than 10,000 files and folders (the folder itself included).';

const CONNECTION: Record<ConnectionProblem, () => AppError> = {
  not_connected: () => new AppError(401, 'not_connected', 'Connect your Dropbox account to browse your files.', { action: CONNECT_ACTION, logTag: 'not_connected' }),
  revoked: () =>
    new AppError(
      401,
      'reconnect_required',
      "Dropbox no longer accepts Dropview's access to your account. This happens when the app is disconnected in your Dropbox settings. Connect again to continue.",
      { ...RECONNECT, logTag: 'revoked' },
    ),
  unreadable: () =>
    new AppError(401, 'reconnect_required', "Your saved Dropbox connection could not be read (the server's keys changed). Connect again to continue.", { ...RECONNECT, logTag: 'unreadable' }),
  ended: () => new AppError(401, 'reconnect_required', 'Your Dropbox connection has ended. Connect again to continue.', { ...RECONNECT, logTag: 'ended' }),
  refresh_busy: () => new AppError(503, 'refresh_busy', 'Dropview is renewing your Dropbox access. Please try again in a moment.', { retryAfter: 2, logTag: 'refresh_busy' }),
};

function fromDropbox(error: DropboxError): AppError {
  const { failure } = error;
  const logTag = error.logTag;
  switch (failure.kind) {
    case 'route':
      switch (error.leafTag) {
        case 'not_found':
          return new AppError(404, 'not_found', 'This file or folder does not exist in your Dropbox. It may have been moved or deleted.', { logTag, action: HOME_FOLDER_ACTION });
        case 'malformed_path':
          return new AppError(400, 'malformed_path', 'That is not a valid Dropbox path.', { logTag, action: HOME_FOLDER_ACTION });
        case 'too_large':
          if (error.route !== 'files/download_zip') break;
          return new AppError(409, 'zip_too_large', `This folder is too large to download as a .zip. ${ZIP_LIMITS} Download its subfolders or files one by one instead.`, {
            logTag,
            title: 'Too large for a .zip',
            action: HOME_FOLDER_ACTION,
          });
        case 'too_many_files':
          if (error.route !== 'files/download_zip') break;
          return new AppError(409, 'zip_too_many_files', `This folder holds too many items to download as a .zip. ${ZIP_LIMITS} Download its subfolders one by one instead.`, {
            logTag,
            title: 'Too many files for a .zip',
            action: HOME_FOLDER_ACTION,
          });
        case 'unsupported_file':
          return new AppError(409, 'unsupported_file', 'Dropbox cannot hand over the bytes of this file (a cloud document such as a Google Doc). Open it in Dropbox instead.', { logTag });
        case 'restricted_content':
          return new AppError(403, 'restricted_content', 'Dropbox restricts access to this item.', { logTag });
      }
      return new AppError(409, 'dropbox_refused', 'Dropbox could not do that for this item.', { logTag, title: 'Dropbox said no' });
    case 'unauthorized':
      return new AppError(401, 'dropbox_unauthorized', 'Dropbox no longer accepts this connection. Please connect again.', { ...RECONNECT, logTag });
    case 'forbidden':
      return new AppError(403, 'dropbox_forbidden', 'Your Dropbox account does not allow this.', { logTag });
    case 'invalid_root':
      return new AppError(502, 'dropbox_invalid_root', 'Your Dropbox team changed. Please try again.', { logTag });
    case 'rate_limited':
      return new AppError(503, 'dropbox_rate_limited', `Dropbox asked us to slow down. Please try again in ${failure.retryAfterSeconds} seconds.`, {
        retryAfter: failure.retryAfterSeconds,
        logTag: failure.reason,
      });
    case 'unavailable':
      return new AppError(502, 'dropbox_unavailable', 'Dropbox is having trouble right now. Please try again in a moment.', { logTag });
    case 'timeout':
      return new AppError(504, 'dropbox_timeout', 'Dropbox took too long to answer. Please try again.', { title: 'Dropbox is not answering', logTag: `timeout:${error.route}` });
    case 'unreachable':
      return new AppError(502, 'dropbox_unreachable', 'Dropview cannot reach Dropbox right now. Please try again in a moment.', {
        title: 'Dropbox is not answering',
        logTag: `unreachable:${error.route}`,
      });
    case 'bad_answer':
      return new AppError(502, 'dropbox_bad_answer', 'Dropbox sent an answer Dropview could not read. Please try again.', { logTag: `bad_answer:${error.route}` });
    case 'rejected':
      // Dropview sent something Dropbox will not serve: a bug on our side, not the person's.
      return new AppError(502, 'dropbox_rejected_request', `Dropbox could not handle Dropview's request (${error.route}).`, { logTag });
    case 'oauth':
      if (failure.error === 'invalid_grant')
        return new AppError(401, 'dropbox_grant_invalid', 'Dropbox did not accept the sign-in. It may have expired, been used already, or been revoked.', { ...RECONNECT, logTag });
      if (failure.error === 'invalid_client')
        return new AppError(502, 'dropbox_client_rejected', "Dropbox rejected this app's credentials. The operator needs to check DROPBOX_APP_KEY and DROPBOX_APP_SECRET.", { logTag });
      return new AppError(502, 'dropbox_token_error', 'Dropbox could not complete the sign-in. Please try again.', { logTag });
  }
}

/** What the person reads about `error`; unknown errors become the generic 500. */
export function appErrorOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DropboxError) return fromDropbox(error);
  if (error instanceof ConnectionError) return CONNECTION[error.problem]();
  if (error instanceof SessionStoreError) {
    return new AppError(503, 'session_store_unavailable', 'Dropview cannot reach its session service right now. Please try again in a few seconds.', {
      title: 'Session service unavailable',
      retryAfter: 5,
      cause: error.cause,
    });
  }
  if (error instanceof PageCursorError) return new AppError(400, 'malformed_cursor', 'That "Load more" link is not valid. Open the folder again.', { title: 'That link does not look right' });
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
