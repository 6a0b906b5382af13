import type { MessageKey } from '../i18n/catalogs';
import { localizerFor, type MessageParams } from '../i18n/localizer';

/**
 * What a person (or a JSON client) is told when a request fails: the status, a stable code, a
 * message written for the person, and what the page offers next. Handlers throw one for what
 * is the HTTP layer's own business (a malformed address, a folder where a file was wanted);
 * failures from below (Dropbox, the token keeper, the session store) become one in
 * error-table.ts. Anything else that reaches the central handler is a bug: a generic 500.
 *
 * Texts are message-catalog keys (src/i18n/messages): the error page says them in the reader's
 * language; JSON answers and logs carry the English message.
 */

export interface ErrorAction {
  href: string;
  label: MessageKey;
}

/** A catalog message with what fills its placeholders. */
export interface ErrorText {
  key: MessageKey;
  params?: MessageParams;
}

export interface AppErrorOptions {
  title?: MessageKey;
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
  readonly text: ErrorText;
  readonly title: MessageKey;
  readonly retryAfter?: number;
  readonly logTag?: string;
  readonly action?: ErrorAction;

  constructor(
    readonly status: number,
    /** A stable machine-readable code for JSON clients and logs. */
    readonly code: string,
    text: MessageKey | ErrorText,
    options: AppErrorOptions = {},
  ) {
    const message = typeof text === 'string' ? { key: text } : text;
    super(localizerFor('en').t(message.key, message.params), { cause: options.cause });
    this.text = message;
    this.title = options.title ?? defaultTitle(status);
    this.retryAfter = options.retryAfter;
    this.logTag = options.logTag;
    this.action = options.action;
  }
}

function defaultTitle(status: number): MessageKey {
  if (status === 400) return 'errorTitle.badRequest';
  if (status === 401) return 'errorTitle.connect';
  if (status === 403) return 'errorTitle.notAllowed';
  if (status === 404) return 'errorTitle.notFound';
  if (status === 503) return 'errorTitle.busy';
  if (status >= 500) return 'errorTitle.notAnswering';
  return 'errorTitle.generic';
}

export const CONNECT_ACTION: ErrorAction = { href: '/auth/dropbox', label: 'action.connect' };
export const HOME_FOLDER_ACTION: ErrorAction = { href: '/browse', label: 'action.goToDropbox' };

export function notFound(what: MessageKey = 'errors.nothingHere'): AppError {
  return new AppError(404, 'not_found', what, { action: HOME_FOLDER_ACTION });
}
