/**
 * What a person (or a JSON client) is told when a request fails: the status, a stable code, a
 * message written for the person, and what the page offers next. Handlers throw one for what
 * is the HTTP layer's own business (a malformed address, a folder where a file was wanted);
 * failures from below (Dropbox, the token keeper, the session store) become one in
 * error-table.ts. Anything else that reaches the central handler is a bug: a generic 500.
 */

export interface ErrorAction {
  href: string;
  label: string;
}

export interface AppErrorOptions {
  title?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /** For the log: the tag of the failure below (a Dropbox error tag, a connection problem). */
  logTag?: string;
  /** What the error page offers the person next: reconnect, go back, try again. */
  action?: ErrorAction;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly title: string;
  readonly retryAfter?: number;
  readonly logTag?: string;
  readonly action?: ErrorAction;

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
    this.logTag = options.logTag;
    this.action = options.action;
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
export const HOME_FOLDER_ACTION: ErrorAction = { href: '/browse', label: 'Go to your Dropbox' };

export function notFound(what = 'There is nothing at this address.'): AppError {
  return new AppError(404, 'not_found', what, { action: HOME_FOLDER_ACTION });
}
