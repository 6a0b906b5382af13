import type { RequestHandler } from 'express';
import session from 'express-session';
import { SessionStoreError } from './errors';

/**
 * Cookie sessions over the configured store. The cookie carries only the signed session id;
 * everything else stays server-side. Two lifetimes apply, both enforced by the server: an idle
 * timeout (the cookie and the store entry expire unless used) and an absolute one counted from
 * the moment the user connected.
 */

export interface SessionSettings {
  store: session.Store;
  secrets: string[];
  idleTimeoutMs: number;
  maxAgeMs: number;
  secureCookies: boolean;
  now?: () => number;
}

/** `__Host-` pins the cookie to this exact origin over HTTPS; plain-http development cannot use it. */
export function sessionCookieName(secureCookies: boolean): string {
  return secureCookies ? '__Host-dropview' : 'dropview.sid';
}

export function sessionCookieOptions(secureCookies: boolean) {
  // Lax, not Strict: the return from Dropbox is a cross-site navigation and must carry the cookie.
  return { httpOnly: true, secure: secureCookies, sameSite: 'lax' as const, path: '/' };
}

export function createSessionMiddleware(settings: SessionSettings): RequestHandler[] {
  const now = settings.now ?? Date.now;
  const sessions = session({
    name: sessionCookieName(settings.secureCookies),
    secret: settings.secrets,
    store: settings.store,
    // Only requests that change the session write it; the rest just touch its expiry.
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { ...sessionCookieOptions(settings.secureCookies), maxAge: settings.idleTimeoutMs },
  });

  const withStoreErrorsAsUnavailable: RequestHandler = (req, res, next) => {
    sessions(req, res, (error?: unknown) => next(error ? new SessionStoreError(error) : undefined));
  };

  const endExpiredSession: RequestHandler = (req, _res, next) => {
    const connectedAt = req.session?.connectedAt;
    if (connectedAt === undefined || now() - connectedAt <= settings.maxAgeMs) return next();
    req.session.regenerate((error) => next(error ? new SessionStoreError(error) : undefined));
  };

  return [withStoreErrorsAsUnavailable, endExpiredSession];
}
