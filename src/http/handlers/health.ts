import type { RequestHandler } from 'express';

/** @route GET /healthz : liveness, 200 while the process runs. It asks nothing of Redis: an outage there is no reason to restart this process. */
export const livenessHandler: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

export interface Readiness {
  /** SIGTERM (or SIGINT) arrived: the process finishes what it has and takes nothing new. */
  stopping(): boolean;
  /** The session store answers (Redis: every master answers PING within a second). */
  storeAnswers(): Promise<boolean>;
}

/**
 * @route GET /readyz : readiness, 200 when the session store answers and the process is not
 * shutting down, 503 otherwise, so a load balancer sends requests elsewhere meanwhile.
 */
export function readinessHandler(readiness: Readiness): RequestHandler {
  return async (_req, res) => {
    if (readiness.stopping()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const ready = await readiness.storeAnswers();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable' });
  };
}
