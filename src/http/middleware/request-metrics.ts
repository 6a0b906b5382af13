import type { Request, RequestHandler } from 'express';
import type { Telemetry } from '../../telemetry/telemetry';

/**
 * Each request's method, route template, status and time, told to the telemetry when the
 * response closes (an event stream closes when its page does). The route is the template
 * Express matched (`/browse{/*splat}`), with the mount point of static files, never the path:
 * paths are file names.
 */

function routeTemplateOf(req: Request): string {
  const route: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  // express.static under app.use('/public'): the mount point, which is the code's, not the request's.
  return req.baseUrl || 'unmatched';
}

export function requestMetrics(telemetry: Telemetry): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('close', () => telemetry.httpRequest(req.method, routeTemplateOf(req), res.statusCode, (performance.now() - started) / 1000));
    next();
  };
}
