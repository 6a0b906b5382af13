import type { DropboxApiClient, DropboxAuth, Thumbnail } from './api-client';

/**
 * A folder in grid view asks for each image's thumbnail separately, as the browser scrolls
 * them into view. Dropbox serves up to 25 thumbnails per call (files/get_thumbnail_batch), so
 * requests of one user that arrive within a few milliseconds of each other share a call.
 */

const MAX_BATCH = 25;

interface Waiting {
  path: string;
  size: string;
  resolve(thumbnail: Thumbnail): void;
  reject(error: unknown): void;
}

export class ThumbnailBatcher {
  /** One queue per user (token and path root), since one batch call serves one user. */
  private readonly queues = new Map<string, { auth: DropboxAuth; waiting: Waiting[]; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly api: DropboxApiClient,
    /** How long the first request waits for company. */
    private readonly windowMs = 15,
  ) {}

  get(auth: DropboxAuth, path: string, size: string): Promise<Thumbnail> {
    const key = `${auth.accessToken}\n${auth.pathRoot ?? ''}`;
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { auth, waiting: [] };
        this.queues.set(key, queue);
      }
      queue.waiting.push({ path, size, resolve, reject });
      if (queue.waiting.length >= MAX_BATCH) this.flush(key);
      else queue.timer ??= setTimeout(() => this.flush(key), this.windowMs);
    });
  }

  private flush(key: string): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    clearTimeout(queue.timer);
    this.queues.delete(key);
    for (let start = 0; start < queue.waiting.length; start += MAX_BATCH) {
      const batch = queue.waiting.slice(start, start + MAX_BATCH);
      this.api
        .getThumbnails(
          queue.auth,
          batch.map(({ path, size }) => ({ path, size })),
        )
        .then(
          (thumbnails) => batch.forEach((waiting, index) => waiting.resolve(thumbnails[index])),
          (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
        );
    }
  }
}
