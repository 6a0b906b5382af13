import type { Request, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';

/**
 * Synchronizer-token CSRF protection (csrf-sync): the token lives in the session and every
 * form the app renders carries it in a hidden `_csrf` input.
 */

export const CSRF_FIELD = '_csrf';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  // 256 random bits. The library's default of 128 bytes stored 256 hex characters in every
  // session for no added safety (npm run bench, B7).
  size: 32,
  getTokenFromRequest: (req: Request) => {
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?.[CSRF_FIELD] === 'string' ? body[CSRF_FIELD] : undefined;
  },
});

export const requireCsrfToken: RequestHandler = csrfSynchronisedProtection;

/** The session's token, created if it has none (which marks the session for saving). */
export function csrfTokenOf(req: Request): string {
  return generateToken(req);
}

export function isCsrfError(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'EBADCSRFTOKEN';
}
