import axios, { type AxiosResponse } from 'axios';
import { AppError, CONNECT_ACTION } from '../errors';

/**
 * Turns what Dropbox answered (or failed to answer) into an AppError with a message a person
 * understands. Axios errors never leave this module: they carry the request's headers and
 * body, tokens included, and must not reach a log line.
 */

const DEFAULT_RETRY_AFTER_SECONDS = 5;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether an error came from Dropbox with this tag as its innermost one, e.g. `not_folder` for `path/not_folder`. */
export function hasDropboxTag(error: unknown, leaf: string): boolean {
  return error instanceof AppError && error.dropboxTag?.split('/').pop() === leaf;
}

/** `{".tag":"path","path":{".tag":"not_found"}}` into `path/not_found`. */
export function tagPathOf(error: unknown): string | undefined {
  const tags: string[] = [];
  let node = error as Record<string, unknown> | undefined;
  while (node && typeof node === 'object' && typeof node['.tag'] === 'string') {
    const tag = node['.tag'] as string;
    tags.push(tag);
    node = node[tag] as Record<string, unknown> | undefined;
  }
  return tags.length ? tags.join('/') : undefined;
}

/** Seconds Dropbox asks us to wait: `error.retry_after` in a JSON body, else the Retry-After header. */
export function retryAfterOf(response: AxiosResponse<string>): number {
  const fromBody = (parseJson(response.data) as { error?: { retry_after?: unknown } } | undefined)?.error?.retry_after;
  if (typeof fromBody === 'number' && fromBody >= 0) return fromBody;
  const fromHeader = Number(response.headers['retry-after']);
  return Number.isFinite(fromHeader) && fromHeader >= 0 ? fromHeader : DEFAULT_RETRY_AFTER_SECONDS;
}

function routeError(tag: string | undefined): AppError {
  const leaf = tag?.split('/').pop();
  switch (leaf) {
    case 'not_found':
      return new AppError(404, 'not_found', 'This file or folder does not exist in your Dropbox. It may have been moved or deleted.', {
        dropboxTag: tag,
        action: { href: '/browse', label: 'Go to your Dropbox' },
      });
    case 'malformed_path':
      return new AppError(400, 'malformed_path', 'That is not a valid Dropbox path.', { dropboxTag: tag, action: { href: '/browse', label: 'Go to your Dropbox' } });
    case 'restricted_content':
      return new AppError(403, 'restricted_content', 'Dropbox restricts access to this item.', { dropboxTag: tag });
    default:
      return new AppError(409, 'dropbox_refused', 'Dropbox could not do that for this item.', { dropboxTag: tag, title: 'Dropbox said no' });
  }
}

/** An answer from the RPC routes (api.dropboxapi.com/2/...) that was not a 200. */
export function apiFailure(route: string, response: AxiosResponse<string>): AppError {
  const body = parseJson(response.data);
  const tag = tagPathOf((body as { error?: unknown } | undefined)?.error);
  const { status } = response;
  if (status === 401) {
    return new AppError(401, 'dropbox_unauthorized', 'Dropbox no longer accepts this connection. Please connect again.', {
      dropboxTag: tag ?? 'invalid_access_token',
      title: 'Please connect Dropbox again',
      action: CONNECT_ACTION,
    });
  }
  if (status === 403) return new AppError(403, 'dropbox_forbidden', 'Your Dropbox account does not allow this.', { dropboxTag: tag });
  if (status === 409) return routeError(tag);
  if (status === 422) {
    // The Dropbox-API-Path-Root we sent is no longer the user's root (they switched team); the
    // answer carries the current root, for the caller to retry with.
    const rootInfo = (body as { error?: { invalid_root?: { root_namespace_id?: unknown } } } | undefined)?.error?.invalid_root;
    return new AppError(502, 'dropbox_invalid_root', 'Your Dropbox team changed. Please try again.', {
      dropboxTag: tag ?? 'invalid_root',
      data: typeof rootInfo?.root_namespace_id === 'string' ? { rootNamespaceId: rootInfo.root_namespace_id } : undefined,
    });
  }
  if (status === 429) {
    const retryAfter = retryAfterOf(response);
    return new AppError(503, 'dropbox_rate_limited', `Dropbox asked us to slow down. Please try again in ${retryAfter} seconds.`, {
      retryAfter,
      dropboxTag: tag ?? 'too_many_requests',
    });
  }
  if (status >= 500) {
    return new AppError(502, 'dropbox_unavailable', 'Dropbox is having trouble right now. Please try again in a moment.', { dropboxTag: `http_${status}` });
  }
  // A 400 means Dropview sent something Dropbox will not serve: a bug on our side, not the user's.
  return new AppError(502, 'dropbox_rejected_request', `Dropbox could not handle Dropview's request (${route}).`, { dropboxTag: `http_${status}` });
}

/** An answer from /oauth2/token that was not a 200. */
export function tokenFailure(response: AxiosResponse<string>): AppError {
  const body = parseJson(response.data) as { error?: unknown } | undefined;
  const error = typeof body?.error === 'string' ? body.error : undefined;
  if (response.status === 400 && error === 'invalid_grant') {
    return new AppError(401, 'dropbox_grant_invalid', 'Dropbox did not accept the sign-in. It may have expired, been used already, or been revoked.', {
      dropboxTag: 'invalid_grant',
      title: 'Please connect Dropbox again',
      action: CONNECT_ACTION,
    });
  }
  if (response.status === 400 && error === 'invalid_client') {
    return new AppError(502, 'dropbox_client_rejected', 'Dropbox rejected this app\'s credentials. The operator needs to check DROPBOX_APP_KEY and DROPBOX_APP_SECRET.', {
      dropboxTag: 'invalid_client',
    });
  }
  if (response.status === 429 || response.status >= 500) return apiFailure('oauth2/token', response);
  return new AppError(502, 'dropbox_token_error', 'Dropbox could not complete the sign-in. Please try again.', { dropboxTag: error ?? `http_${response.status}` });
}

/** No answer at all: refused, reset, or too slow. */
export function transportFailure(route: string, error: unknown): AppError {
  const timedOut = axios.isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT');
  if (timedOut) {
    return new AppError(504, 'dropbox_timeout', 'Dropbox took too long to answer. Please try again.', { title: 'Dropbox is not answering', dropboxTag: `timeout:${route}` });
  }
  return new AppError(502, 'dropbox_unreachable', 'Dropview cannot reach Dropbox right now. Please try again in a moment.', {
    title: 'Dropbox is not answering',
    dropboxTag: `unreachable:${route}`,
  });
}
