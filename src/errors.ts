/**
 * The one error type Dropview throws on purpose. Its message is written for the person using
 * the app and is safe to show; anything else that reaches the central handler is a bug and is
 * shown as a generic 500.
 */

export interface ErrorAction {
  href: string;
  label: string;
}

export interface AppErrorOptions {
  title?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /** The Dropbox error tag behind this error (`path/not_found`, `expired_access_token`, ...). */
  dropboxTag?: string;
  /** What the error page offers the person next: reconnect, go back, try again. */
  action?: ErrorAction;
  /** Machine-readable details for the code that handles this error (never shown). */
  data?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly title: string;
  readonly retryAfter?: number;
  readonly dropboxTag?: string;
  readonly action?: ErrorAction;
  readonly data?: Record<string, string>;

  constructor(
    readonly status: number,
    /** A stable machine-readable code for JSON clients and logs. */
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.title = options.title ?? defaultTitle(status);
    this.retryAfter = options.retryAfter;
    this.dropboxTag = options.dropboxTag;
    this.action = options.action;
    this.data = options.data;
  }
}

function defaultTitle(status: number): string {
  if (status === 400) return 'That request did not work';
  if (status === 401) return 'Please connect Dropbox';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 503) return 'Busy right now';
  if (status >= 500) return 'Dropbox is not answering';
  return 'Something went wrong';
}

export const CONNECT_ACTION: ErrorAction = { href: '/auth/dropbox', label: 'Connect Dropbox' };

export function notConnected(): AppError {
  return new AppError(401, 'not_connected', 'Connect your Dropbox account to browse your files.', { action: CONNECT_ACTION });
}

export function reconnectRequired(reason: string): AppError {
  return new AppError(401, 'reconnect_required', reason, { title: 'Please connect Dropbox again', action: CONNECT_ACTION });
}

export function notFound(what = 'There is nothing at this address.'): AppError {
  return new AppError(404, 'not_found', what, { action: { href: '/browse', label: 'Go to your Dropbox' } });
}

export function sessionStoreUnavailable(cause: unknown): AppError {
  return new AppError(503, 'session_store_unavailable', 'Dropview cannot reach its session service right now. Please try again in a few seconds.', {
    title: 'Session service unavailable',
    retryAfter: 5,
    cause,
  });
}
