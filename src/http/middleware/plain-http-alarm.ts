import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * In production every request should arrive over TLS, or through a trusted proxy that says it
 * did (X-Forwarded-Proto with TRUST_PROXY). One that does not means a misconfigured proxy or a
 * client reaching the app directly, and the Secure session cookie will not be set: say so, in
 * the log, at most once a minute. The request itself goes on.
 */
export function plainHttpAlarm(logger: Logger, now: () => number = Date.now): RequestHandler {
  const QUIET_MS = 60_000;
  let lastAlarm = -Infinity;
  return (req, _res, next) => {
    if (!req.secure && now() - lastAlarm >= QUIET_MS) {
      lastAlarm = now();
      logger.error({ event: 'plain_http_in_production' }, 'a request arrived without TLS in production: check TRUST_PROXY and that the proxy sends X-Forwarded-Proto');
    }
    next();
  };
}
