import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
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
  /**
   * Called with the id of a validly signed session cookie just before the session is read, so
   * that what the request will read next under that id (its credentials) goes to the store in
   * the same round trip.
   */
  readAhead?: (req: Request, sid: string) => void;
}

/** `__Host-` pins the cookie to this exact origin over HTTPS; plain-http development cannot use it. */
export function sessionCookieName(secureCookies: boolean): string {
  return secureCookies ? '__Host-dropview' : 'dropview.sid';
}

export function sessionCookieOptions(secureCookies: boolean) {
  // Lax, not Strict: the return from Dropbox is a cross-site navigation and must carry the cookie.
  return { httpOnly: true, secure: secureCookies, sameSite: 'lax' as const, path: '/' };
}

/** The id in a signed session cookie (`s:<id>.<signature>`, express-session's format), or undefined unless one of `secrets` signed it. */
export function signedSessionIdOf(cookieHeader: string | undefined, name: string, secrets: readonly string[]): string | undefined {
  if (!cookieHeader) return undefined;
  const start = cookieHeader.startsWith(`${name}=`) ? 0 : cookieHeader.indexOf(`; ${name}=`) + 2;
  if (start === 1) return undefined;
  const end = cookieHeader.indexOf(';', start);
  let raw: string;
  try {
    raw = decodeURIComponent(cookieHeader.slice(start + name.length + 1, end < 0 ? undefined : end).trim());
  } catch {
    return undefined;
  }
  if (!raw.startsWith('s:')) return undefined;
  const dot = raw.lastIndexOf('.');
  if (dot < 2) return undefined;
  const sid = raw.slice(2, dot);
  const signature = Buffer.from(raw.slice(dot + 1));
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, ''));
    if (expected.length === signature.length && timingSafeEqual(expected, signature)) return sid;
  }
  return undefined;
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

  const name = sessionCookieName(settings.secureCookies);
  const withStoreErrorsAsUnavailable: RequestHandler = (req, res, next) => {
    if (settings.readAhead) {
      const sid = signedSessionIdOf(req.headers.cookie, name, settings.secrets);
      if (sid !== undefined) settings.readAhead(req, sid);
    }
    sessions(req, res, (error?: unknown) => next(error ? new SessionStoreError(error) : undefined));
  };

  const endExpiredSession: RequestHandler = (req, _res, next) => {
    const connectedAt = req.session?.connectedAt;
    if (connectedAt === undefined || now() - connectedAt <= settings.maxAgeMs) return next();
    req.session.regenerate((error) => next(error ? new SessionStoreError(error) : undefined));
  };

  return [withStoreErrorsAsUnavailable, endExpiredSession];
}
