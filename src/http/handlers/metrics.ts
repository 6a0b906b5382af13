import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Telemetry } from '../../telemetry/telemetry';
import { notFound } from '../app-error';

/**
 * @route GET /metrics : the Prometheus scrape, only for `Authorization: Bearer <METRICS_TOKEN>`.
 * Anything else is the same 404 as an unknown address, so a probe learns nothing, not even
 * that metrics exist. The header is compared as a SHA-256 hash in constant time: equal-length
 * digests for timingSafeEqual, and no timing that depends on how much of the token matched.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function metricsHandler(token: string, telemetry: Telemetry): RequestHandler {
  const expected = sha256(`Bearer ${token}`);
  return async (req, res, next) => {
    const offered = req.headers.authorization;
    if (offered === undefined || !timingSafeEqual(sha256(offered), expected)) return next(notFound());
    const scrape = await telemetry.scrape();
    if (!scrape) return next(notFound());
    res.setHeader('Cache-Control', 'no-store');
    res.type(scrape.contentType).send(scrape.body);
  };
}
