/**
 * Where to send the user after connecting. Only pages of this app that need a connection are
 * honoured; anything else (other origins, `//host`, backslashes, control characters) falls
 * back to the root folder, so the callback can never become an open redirect.
 */

export const DEFAULT_RETURN_PATH = '/browse';

const ALLOWED = /^\/(browse|download|file)(\/[^?#\\]*)?$/;
const MAX_LENGTH = 2048;

export function safeReturnPath(candidate: string | undefined): string | undefined {
  if (!candidate || candidate.length > MAX_LENGTH) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(candidate) || candidate.includes('//')) return undefined;
  return ALLOWED.test(candidate) ? candidate : undefined;
}
