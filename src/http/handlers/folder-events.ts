import type { RequestHandler } from 'express';
import type { Services } from '../services';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';

/**
 * @route GET /events/browse{/*splat} : Server-Sent Events for an open folder page. The server
 * holds a Dropbox longpoll on the folder and sends `changed` when its contents change, so the
 * page can refresh its rows. Pages work without it; this only spares a reload.
 */

const LONGPOLL_SECONDS = 30;
const HEARTBEAT_MS = 25_000;
/** After a failed longpoll, wait this long before the next, so a broken Dropbox is not hammered. */
const RETRY_MS = 5000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export function folderEventsHandler(services: Services): RequestHandler {
  const { api, tokens, folders, logger } = services;
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    let cursor = await tokens.withAccessToken(req, (auth) => api.getLatestCursor(auth, path));
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    try {
      while (!closed.signal.aborted) {
        try {
          const { changes, backoffSeconds } = await api.longpoll(cursor, LONGPOLL_SECONDS, closed.signal);
          if (changes) {
            folders.forget(req.sessionID, path);
            cursor = await tokens.withAccessToken(req, (auth) => api.getLatestCursor(auth, path));
            res.write('event: changed\ndata: {}\n\n');
          }
          if (backoffSeconds) await sleep(backoffSeconds * 1000, closed.signal);
        } catch (error) {
          if (closed.signal.aborted) break;
          logger.warn({ event: 'longpoll_failed', code: (error as { code?: string }).code }, 'live folder updates paused');
          await sleep(RETRY_MS, closed.signal);
        }
      }
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  };
}
