import axios, { type AxiosResponse } from 'axios';

/**
 * What Dropbox answered, when it was not what was asked for, in Dropbox's own terms: the HTTP
 * status family, the error's tags, a wait it asked for, a new path root. No page text here:
 * what a person reads is decided by the HTTP layer (src/http/error-table.ts).
 *
 * Axios errors never leave this module: they carry the request's headers and body, tokens
 * included, and must not reach a log line.
 */

export type DropboxFailure =
  /** 401: the access token is expired, invalid (revoked) or lacks a scope (`tag`). */
  | { kind: 'unauthorized'; tag: string }
  /** 403: the account type or a feature does not allow this. */
  | { kind: 'forbidden'; tag?: string }
  /** 409: the route's own error, e.g. `path/not_found`, `reset`, `too_large`. */
  | { kind: 'route'; tag: string }
  /** 422: the Dropbox-API-Path-Root sent is no longer the user's root; the current one when Dropbox said. */
  | { kind: 'invalid_root'; rootNamespaceId?: string }
  /** 429: too many requests (or write contention); wait this long. */
  | { kind: 'rate_limited'; retryAfterSeconds: number; reason: string }
  /** 5xx after the retries. */
  | { kind: 'unavailable'; status: number }
  /** Another 4xx: Dropview sent something Dropbox will not serve (a bug on our side). */
  | { kind: 'rejected'; status: number }
  /** No answer within the bound. */
  | { kind: 'timeout' }
  /** No connection. */
  | { kind: 'unreachable' }
  /** An answer Dropview could not read (not JSON, or not the shape the route promises). */
  | { kind: 'bad_answer' }
  /** The token endpoint refused: `invalid_grant` (code used, refresh token revoked), `invalid_client`, or another OAuth error. */
  | { kind: 'oauth'; error: string };

export class DropboxError extends Error {
  override name = 'DropboxError';

  constructor(
    /** The route, e.g. `files/list_folder`, or `oauth2/token`. */
    readonly route: string,
    readonly failure: DropboxFailure,
  ) {
    super(`Dropbox ${route}: ${failure.kind}${'tag' in failure && failure.tag ? ` ${failure.tag}` : ''}`);
  }

  /** The route error's innermost tag (`not_folder` for `path/not_folder`), or the auth error's tag. */
  get leafTag(): string | undefined {
    const { failure } = this;
    if (failure.kind === 'route' || failure.kind === 'unauthorized') return failure.tag.split('/').pop();
    return undefined;
  }

  /** A short label for logs: the kind and tag, never anything a person sent. */
  get logTag(): string {
    const { failure } = this;
    if (failure.kind === 'route' || failure.kind === 'unauthorized') return failure.tag;
    if (failure.kind === 'unavailable' || failure.kind === 'rejected') return `http_${failure.status}`;
    if (failure.kind === 'oauth') return failure.error;
    return failure.kind;
  }
}

/** Whether `error` is Dropbox's route error (409) with this innermost tag, e.g. `not_folder`, `reset`. */
export function isRouteError(error: unknown, leaf: string): error is DropboxError {
  return error instanceof DropboxError && error.failure.kind === 'route' && error.leafTag === leaf;
}

export function isDropboxFailure<K extends DropboxFailure['kind']>(error: unknown, kind: K): error is DropboxError & { failure: Extract<DropboxFailure, { kind: K }> } {
  return error instanceof DropboxError && error.failure.kind === kind;
}

const DEFAULT_RETRY_AFTER_SECONDS = 5;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{".tag":"path","path":{".tag":"not_found"}}` into `path/not_found`. */
export function tagPathOf(error: unknown): string | undefined {
  const tags: string[] = [];
  let node = error as Record<string, unknown> | undefined;
  while (node && typeof node === 'object' && typeof node['.tag'] === 'string') {
    const tag = node['.tag'];
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

/**
 * The error tag of an answer that was not a 200, for metrics: the route error's tags
 * (`path/not_found`), a 429's reason, or the OAuth error (`invalid_grant`); `` when the body
 * names none. Never a message: Dropbox's `error_summary` may quote the path.
 */
export function errorTagOf(response: AxiosResponse<string>): string {
  const error = (parseJson(response.data) as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string') return error;
  if (response.status === 429) return tagPathOf((error as { reason?: unknown } | undefined)?.reason) ?? '';
  return tagPathOf(error) ?? '';
}

/** An answer from the API routes (`/2/...`) that was not a 200. */
export function apiFailure(route: string, response: AxiosResponse<string>): DropboxError {
  const body = parseJson(response.data) as { error?: unknown } | undefined;
  const tag = tagPathOf(body?.error);
  const { status } = response;
  if (status === 401) return new DropboxError(route, { kind: 'unauthorized', tag: tag ?? 'invalid_access_token' });
  if (status === 403) return new DropboxError(route, { kind: 'forbidden', tag });
  if (status === 409) return new DropboxError(route, { kind: 'route', tag: tag ?? 'other' });
  if (status === 422) {
    const rootInfo = (body?.error as { invalid_root?: { root_namespace_id?: unknown } } | undefined)?.invalid_root;
    return new DropboxError(route, { kind: 'invalid_root', rootNamespaceId: typeof rootInfo?.root_namespace_id === 'string' ? rootInfo.root_namespace_id : undefined });
  }
  if (status === 429) {
    const reason = tagPathOf((body?.error as { reason?: unknown } | undefined)?.reason) ?? 'too_many_requests';
    return new DropboxError(route, { kind: 'rate_limited', retryAfterSeconds: retryAfterOf(response), reason });
  }
  if (status >= 500) return new DropboxError(route, { kind: 'unavailable', status });
  return new DropboxError(route, { kind: 'rejected', status });
}

/** An answer from /oauth2/token that was not a 200. */
export function tokenFailure(response: AxiosResponse<string>): DropboxError {
  if (response.status === 429 || response.status >= 500) return apiFailure('oauth2/token', response);
  const body = parseJson(response.data) as { error?: unknown } | undefined;
  return new DropboxError('oauth2/token', { kind: 'oauth', error: typeof body?.error === 'string' ? body.error : `http_${response.status}` });
}

/** No answer at all: refused, reset, or too slow. */
export function transportFailure(route: string, error: unknown): DropboxError {
  const timedOut = axios.isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT');
  return new DropboxError(route, { kind: timedOut ? 'timeout' : 'unreachable' });
}

export function badAnswer(route: string): DropboxError {
  return new DropboxError(route, { kind: 'bad_answer' });
}
