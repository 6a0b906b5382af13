import type { SessionData } from 'express-session';

/**
 * When a connected session's credentials lapse: when its cookie does (the idle timeout, which
 * every use renews), and never after its absolute lifetime (SESSION_MAX_AGE from connecting).
 * The session stores and the token keeper both ask here, so the two never drift apart.
 */
export function credentialDeadlineOf(session: Pick<SessionData, 'cookie' | 'connectedAt'>, maxAgeMs: number, now: number): number {
  const connectedAt = session.connectedAt ?? now;
  const idle = session.cookie?.expires ? new Date(session.cookie.expires).getTime() : connectedAt + maxAgeMs;
  return Math.min(idle, connectedAt + maxAgeMs);
}
