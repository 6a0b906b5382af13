import type { Response } from 'express';

/**
 * How Dropbox answers on the wire (README.md, "Calls"): JSON with the exact
 * `application/json` content type, plain-text 400s, and error summaries that end in a random
 * run of dots so that clients branch on `.tag`, never on the summary.
 */

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

export function errorSummary(tags: string[]): string {
  return `${tags.join('/')}/${'.'.repeat(Math.floor(Math.random() * 4))}`;
}

/** A route error (409) or auth error (401): `{error_summary, error}`. */
export function sendApiError(res: Response, status: number, tags: string[], error: Record<string, unknown>): void {
  sendJson(res, status, { error_summary: errorSummary(tags), error });
}

/** The 409 for a LookupError under the `path` tag, e.g. path/not_found. */
export function sendPathError(res: Response, lookupTag: string): void {
  sendApiError(res, 409, ['path', lookupTag], { '.tag': 'path', path: { '.tag': lookupTag } });
}

/** The plain-text 400 Dropbox gives for input it will not serve. */
export function sendBadInput(res: Response, route: string, reason: string): void {
  res.status(400).setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`Error in call to API function "${route}": ${reason}`);
}

/** Token endpoint errors: 400 `{error, error_description}` (RFC 6749 section 5.2). */
export function sendOAuthError(res: Response, error: string, description: string): void {
  sendJson(res, 400, { error, error_description: description });
}
