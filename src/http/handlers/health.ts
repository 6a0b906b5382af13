import type { RequestHandler } from 'express';

/** @route GET /healthz : 200 while the session store answers, 503 when it does not. */
export function healthHandler(isHealthy: () => Promise<boolean>): RequestHandler {
  return async (_req, res) => {
    const healthy = await isHealthy();
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable' });
  };
}
