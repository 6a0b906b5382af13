import { FolderCursors } from '../listing/folder-cursors';
import { wakes } from '../listing/change-feed';
import { sendApiError, sendBadInput, sendJson } from '../wire';
import type { NoAuthRoute } from './rpc-types';

/**
 * notify.dropboxapi.com/2/files/list_folder/longpoll (no Authorization): works from any
 * list_folder cursor. `changes: true` as soon as the folder behind the cursor has changed
 * after the cursor's position (a page cursor's listing start, a feed cursor's generation),
 * at once if it already has; `changes: false` after `timeout` seconds (30-480); 409 `reset`
 * for a cursor that is unknown or can no longer be answered. Dropbox adds up to 90 s of random
 * jitter to the timeout; the emulator does not, so tests stay quick.
 */
export const longpoll: NoAuthRoute = {
  noAuth: true,
  takesArgs: true,
  handle(ctx, args, _req, res) {
    const route = 'files/list_folder/longpoll';
    const timeout = args.timeout ?? 30;
    if (typeof args.cursor !== 'string') return sendBadInput(res, route, "request body: missing required field 'cursor'");
    if (!Number.isInteger(timeout) || (timeout as number) < 30 || (timeout as number) > 480) return sendBadInput(res, route, 'request body: timeout: must be between 30 and 480');
    const watch = ctx.cursors.watch(args.cursor);
    const already = watch === 'reset' ? 'reset' : FolderCursors.changed(watch);
    if (already === 'reset' || watch === 'reset') return sendApiError(res, 409, ['reset'], { '.tag': 'reset' });
    if (already) return sendJson(res, 200, { changes: true });
    const finish = (changes: boolean) => {
      clearTimeout(timer);
      stopWatching();
      stopWatchingResets();
      if (!res.writableEnded) sendJson(res, 200, { changes });
    };
    const stopWatching = watch.tree.onChange((change) => {
      // A journal that overflowed past the cursor also wakes it: the next continue says reset.
      if (wakes(watch.scope, change) || !watch.tree.changes.covers(watch.generation)) finish(true);
    });
    // Cursors invalidated wholesale wake it too, as an overflowed journal does.
    const stopWatchingResets = ctx.cursors.onInvalidateAll(() => finish(true));
    const timer = setTimeout(() => finish(false), (timeout as number) * 1000);
    // The response's close, not the request's: a request closes as soon as its body is read.
    res.on('close', () => {
      clearTimeout(timer);
      stopWatching();
      stopWatchingResets();
    });
  },
};
