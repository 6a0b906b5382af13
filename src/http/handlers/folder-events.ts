import { setTimeout as delay } from 'node:timers/promises';
import type { RequestHandler } from 'express';
import type { Services } from '../services';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { folderSourceOf } from '../folder-source';

/**
 * @route GET /events/browse{/*splat} : Server-Sent Events for an open folder page. While the
 * folder is read for the first time it sends `progress` ({"entries": n}) and `changed` when the
 * read is complete; afterwards it holds a Dropbox longpoll on the folder index's own cursor
 * and sends `changed` when Dropbox reports a change that altered the folder. Pages work
 * without it; this only spares a reload.
 */

const LONGPOLL_SECONDS = 30;
const HEARTBEAT_MS = 25_000;
const PROGRESS_MS = 1000;
/** After a failed longpoll, wait this long before the next, so a broken Dropbox is not hammered. */
const RETRY_MS = 5000;

const pause = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => undefined);

export function folderEventsHandler(services: Services): RequestHandler {
  const { api, tokens, folders, logger } = services;
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const source = await folderSourceOf(req, tokens, api);
    let known = await folders.cursorOf(source, path);
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const send = (event: string, data: object = {}) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    try {
      while (!closed.signal.aborted) {
        try {
          if (!known.complete || !known.cursor) {
            await pause(PROGRESS_MS, closed.signal);
            const now = await folders.cursorOf(source, path);
            if (now.complete) send('changed');
            else if (now.entries !== known.entries) send('progress', { entries: now.entries });
            known = now;
            continue;
          }
          const { changes, backoffSeconds } = await api.longpoll(known.cursor, LONGPOLL_SECONDS, closed.signal);
          if (changes) {
            const version = await folders.refresh(source, path);
            if (version !== known.version) send('changed');
            known = await folders.cursorOf(source, path);
          }
          if (backoffSeconds) await pause(backoffSeconds * 1000, closed.signal);
        } catch (error) {
          if (closed.signal.aborted) break;
          logger.warn({ event: 'longpoll_failed', code: (error as { code?: string }).code }, 'live folder updates paused');
          await pause(RETRY_MS, closed.signal);
          known = await folders.cursorOf(source, path).catch(() => known);
        }
      }
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  };
}
