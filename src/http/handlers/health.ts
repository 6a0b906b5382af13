import type { RequestHandler } from 'express';
import type { Services } from '../services';

/** @route GET /healthz : 200 while the session store answers, 503 when it does not. */
export function healthHandler(services: Services): RequestHandler {
  return async (_req, res) => {
    const healthy = await services.sessions.isHealthy();
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable' });
  };
}
