import type { Logger } from 'pino';
import type { TokenKeeper } from '../auth/token-keeper';
import type { FolderIndex } from '../folders/folder-index';
import type { FolderWatcher } from '../folders/folder-watcher';
import type { ThumbnailBatcher } from '../dropbox/thumbnail-batcher';
import type { DropboxApiClient } from '../dropbox/api-client';
import type { DropboxOAuthClient } from '../dropbox/oauth-client';
import type { SessionBackend } from '../sessions/session-store';
import type { EntryRows } from '../views/entry-rows';

/** What the route handlers work with; built once by createApp. */
export interface Services {
  oauth: DropboxOAuthClient;
  api: DropboxApiClient;
  tokens: TokenKeeper;
  sessions: SessionBackend;
  logger: Logger;
  sessionCookie: { name: string; secure: boolean };
  /** SESSION_MAX_AGE: credentials end with the session's absolute lifetime. */
  sessionMaxAgeMs: number;
  folders: FolderIndex;
  watcher: FolderWatcher;
  /** Rows per folder page. */
  listPageSize: number;
  thumbnails: ThumbnailBatcher;
  entryRows: EntryRows;
}
