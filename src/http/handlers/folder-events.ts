import type { RequestHandler } from 'express';
import type { FolderWatcher, StreamClient } from '../../folders/folder-watcher';
import { AppError } from '../app-error';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { dropboxOf } from '../session-dropbox';

/**
 * @route GET /events/browse{/*splat}[?version=] : Server-Sent Events for an open folder page (see
 * src/folders/folder-watcher.ts): `progress` ({"entries": n}) while the folder is read for the
 * first time, `changed` when it finished or Dropbox reports a change. Pages work without it;
 * this only spares a reload. `version` is the folder's version the page shows: if the folder
 * has moved on by the time the stream opens, `changed` comes at once.
 */

const HEARTBEAT_MS = 25_000;
/** How long the browser waits before it reconnects a stream that ended. */
const RECONNECT_MS = 5000;
/** `?version=`: the folder's version on the page (folder versions are about 40 characters). */
const MAX_VERSION_LENGTH = 100;

export function folderEventsHandler(watcher: FolderWatcher): RequestHandler {
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const shown = req.query.version;
    const client: StreamClient = {
      sessionId: req.sessionID,
      source: dropboxOf(res),
      shownVersion: typeof shown === 'string' && shown.length <= MAX_VERSION_LENGTH ? shown : undefined,
      send: (event, data = {}) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      end: () => {
        if (!res.writableEnded) res.end();
      },
    };
    const opened = watcher.open(client, path);
    if (!opened.ok) {
      throw new AppError(503, 'live_updates_busy', 'errors.liveBusy', { retryAfter: 60 });
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    opened.stream.schedule(setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS));
    res.on('close', () => opened.stream.end());
  };
}
