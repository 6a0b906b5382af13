import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { AppError } from '../app-error';
import { REDIS_DEADLINE_MS, withinDeadline } from '../../sessions/deadline';
import type { RedisConnection } from '../../redis/connection';

/**
 * A per-client-IP limit on starting a sign-in and on its callback (logout is never limited). Counts are shared
 * through Redis when sessions are, so the limit holds across instances. The client IP is
 * Express' `req.ip`, which follows TRUST_PROXY.
 */

export interface AuthRateLimitSettings {
  /** Requests per client IP per window. */
  limit: number;
  windowMs: number;
  redis?: RedisConnection;
  /** Key namespace in Redis, as for sessions. */
  namespace: string;
}

function redisStore(redis: RedisConnection, prefix: string): RedisStore {
  if (redis.isCluster) {
    return new RedisStore({ prefix, sendCommandCluster: ({ key, isReadOnly, command }) => withinDeadline(redis.command<RedisReply>(key, isReadOnly, command), REDIS_DEADLINE_MS, redis) });
  }
  return new RedisStore({ prefix, sendCommand: (...command: string[]) => withinDeadline(redis.command<RedisReply>(undefined, false, command), REDIS_DEADLINE_MS, redis) });
}

export function authRateLimit(settings: AuthRateLimitSettings): RequestHandler {
  return rateLimit({
    windowMs: settings.windowMs,
    limit: settings.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Behind proxies the client address comes from TRUST_PROXY hops of X-Forwarded-For; without
    // trusted proxies the header is ignored on purpose, so its presence is not a mistake.
    validate: { xForwardedForHeader: false },
    // If Redis is away the session store already answers 503; the limiter steps aside.
    passOnStoreError: true,
    ...(settings.redis ? { store: redisStore(settings.redis, `${settings.namespace}rl:`) } : {}),
    handler: (req, _res, next, options) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + options.windowMs) - Date.now()) / 1000));
      next(
        new AppError(
          429,
          'too_many_requests',
          { key: 'errors.tooManySignIns', params: { minutes: Math.ceil(retryAfter / 60) } },
          {
            title: 'errorTitle.tooMany',
            retryAfter,
          },
        ),
      );
    },
  });
}
