import { AppError } from '../errors';
import { apiFailure } from './errors';
import { DEFAULT_HTTP_OPTIONS, DropboxHttp, type HttpOptions } from './http';
import { listFolderResult, metadata } from './wire';

/**
 * The Dropbox API v2 routes Dropview calls, each taking the access token to use. Which token
 * that is, and what to do when Dropbox refuses it, is the caller's business (auth/token-keeper).
 */

export interface FolderEntry {
  type: 'folder' | 'file';
  name: string;
  /** Dropbox's `path_display`. */
  path: string;
  size?: number;
  /** ISO-8601 UTC, Dropbox's `server_modified`. */
  modified?: string;
  /** A file's revision: changes whenever its content does. */
  rev?: string;
}

export interface SearchPage {
  entries: FolderEntry[];
  cursor?: string;
  hasMore: boolean;
}

export interface SpaceUsage {
  used: number;
  allocated: number;
}

export type Thumbnail = { ok: true; jpeg: Buffer; rev?: string } | { ok: false; reason: string };

/** One entry of a list_folder answer: a file, a folder, or (in change feeds) a path that was deleted. */
export interface ListedEntry {
  type: 'file' | 'folder' | 'deleted';
  name: string;
  /** Dropbox's `path_lower`: the entry's identity. */
  pathLower: string;
  size?: number;
  /** ISO-8601 UTC, `server_modified`. */
  modified?: string;
  rev?: string;
}

export interface ListedPage {
  entries: ListedEntry[];
  cursor: string;
  hasMore: boolean;
}

export interface Account {
  accountId: string;
  displayName: string;
  email: string;
  rootNamespaceId?: string;
  homeNamespaceId?: string;
}

/**
 * Who a call is made for: the access token, and for team accounts whose team space is their
 * root, the root namespace sent as Dropbox-API-Path-Root so that paths start at the team space.
 */
export interface DropboxAuth {
  accessToken: string;
  pathRoot?: string;
}

export interface ApiSettings {
  apiUrl: string;
  /** content.dropboxapi.com: thumbnails. */
  contentUrl: string;
  /** notify.dropboxapi.com: list_folder/longpoll. */
  notifyUrl: string;
}

/** Longpolls held at once: the folder watcher watches at most this many folders per instance. */
export const LONGPOLL_SOCKETS = 256;

/** Dropbox holds a longpoll up to its timeout plus 90 s of jitter. */
const LONGPOLL_JITTER_SECONDS = 90;

function entryOf(metadata: Record<string, unknown>): FolderEntry | undefined {
  const tag = metadata['.tag'];
  if (tag !== 'file' && tag !== 'folder') return undefined;
  const name = String(metadata.name ?? '');
  const path = typeof metadata.path_display === 'string' ? metadata.path_display : `/${name}`;
  if (tag === 'folder') return { type: 'folder', name, path };
  return {
    type: 'file',
    name,
    path,
    size: typeof metadata.size === 'number' ? metadata.size : undefined,
    modified: typeof metadata.server_modified === 'string' ? metadata.server_modified : undefined,
    rev: typeof metadata.rev === 'string' ? metadata.rev : undefined,
  };
}

/** search_v2 nests each match's Metadata inside a MetadataV2 union. */
function searchPageOf(body: Record<string, unknown>): SearchPage {
  const matches = Array.isArray(body.matches) ? (body.matches as { metadata?: { metadata?: Record<string, unknown> } }[]) : [];
  return {
    entries: matches.map((match) => (match.metadata?.metadata ? entryOf(match.metadata.metadata) : undefined)).filter((entry): entry is FolderEntry => entry !== undefined),
    cursor: typeof body.cursor === 'string' ? body.cursor : undefined,
    hasMore: body.has_more === true,
  };
}

function listedEntryOf(raw: unknown): ListedEntry | undefined {
  const parsed = metadata.safeParse(raw);
  if (!parsed.success) return undefined;
  const entry = parsed.data;
  const pathLower = entry.path_lower ?? `/${entry.name.toLowerCase()}`;
  if (entry['.tag'] !== 'file') return { type: entry['.tag'], name: entry.name, pathLower };
  return { type: 'file', name: entry.name, pathLower, size: entry.size, modified: entry.server_modified, rev: entry.rev };
}

function listedPageOf(body: unknown, route: string): ListedPage {
  const parsed = listFolderResult.safeParse(body);
  if (!parsed.success) throw new AppError(502, 'dropbox_bad_answer', 'Dropbox sent an answer Dropview could not read. Please try again.', { dropboxTag: route });
  const entries: ListedEntry[] = [];
  for (const raw of parsed.data.entries) {
    const entry = listedEntryOf(raw);
    if (entry) entries.push(entry);
  }
  return { entries, cursor: parsed.data.cursor, hasMore: parsed.data.has_more };
}

export class DropboxApiClient {
  private readonly api: DropboxHttp;
  private readonly content: DropboxHttp;
  private readonly notify: DropboxHttp;
  constructor(settings: ApiSettings, httpOptions: HttpOptions = DEFAULT_HTTP_OPTIONS) {
    this.api = new DropboxHttp(settings.apiUrl, httpOptions);
    this.content = new DropboxHttp(settings.contentUrl, httpOptions);
    // Each watched folder holds a longpoll on its own socket; they must not queue behind each other.
    this.notify = new DropboxHttp(settings.notifyUrl, { ...httpOptions, maxSockets: LONGPOLL_SOCKETS });
  }

  async listFolder(auth: DropboxAuth, path: string, limit: number): Promise<ListedPage> {
    return listedPageOf(await this.rpc(auth, 'files/list_folder', { path, limit, include_non_downloadable_files: true }), 'files/list_folder');
  }

  /**
   * The next page of a listing, or, from a listing's last cursor, what changed since. `quick`:
   * a 429 is not waited out but thrown at once (see http.ts).
   */
  async listFolderContinue(auth: DropboxAuth, cursor: string, options: { quick?: boolean } = {}): Promise<ListedPage> {
    return listedPageOf(await this.rpc(auth, 'files/list_folder/continue', { cursor }, { waitOutRateLimit: !options.quick }), 'files/list_folder/continue');
  }

  async getLatestCursor(auth: DropboxAuth, path: string): Promise<string> {
    const body = await this.rpc(auth, 'files/list_folder/get_latest_cursor', { path });
    return String(body.cursor ?? '');
  }

  /**
   * Waits until the folder behind `cursor` changes or `timeoutSeconds` pass. No token: the
   * cursor is the credential (notify.dropboxapi.com, auth "noauth").
   */
  async longpoll(cursor: string, timeoutSeconds: number, signal: AbortSignal): Promise<{ changes: boolean; backoffSeconds?: number }> {
    const response = await this.notify.post(
      'files/list_folder/longpoll',
      '/2/files/list_folder/longpoll',
      JSON.stringify({ cursor, timeout: timeoutSeconds }),
      { headers: { 'Content-Type': 'application/json' }, timeoutMs: (timeoutSeconds + LONGPOLL_JITTER_SECONDS + 10) * 1000, signal },
      false,
    );
    if (response.status !== 200) throw apiFailure('files/list_folder/longpoll', response);
    let body: { changes?: unknown; backoff?: unknown } = {};
    try {
      body = JSON.parse(response.data);
    } catch {
      // A tolerant reader: an unreadable success answer counts as "no news".
    }
    return { changes: body.changes === true, backoffSeconds: typeof body.backoff === 'number' ? body.backoff : undefined };
  }

  async getMetadata(auth: DropboxAuth, path: string): Promise<FolderEntry> {
    const entry = entryOf(await this.rpc(auth, 'files/get_metadata', { path }));
    if (!entry) throw new AppError(404, 'not_found', 'This file or folder does not exist in your Dropbox.');
    return entry;
  }

  async search(auth: DropboxAuth, query: string, path: string, maxResults: number): Promise<SearchPage> {
    return searchPageOf(await this.rpc(auth, 'files/search_v2', { query, options: { ...(path ? { path } : {}), max_results: maxResults } }));
  }

  async searchContinue(auth: DropboxAuth, cursor: string): Promise<SearchPage> {
    return searchPageOf(await this.rpc(auth, 'files/search/continue_v2', { cursor }));
  }

  /** Up to 25 JPEG thumbnails in one call, in the order asked. */
  async getThumbnails(auth: DropboxAuth, requests: { path: string; size: string }[]): Promise<Thumbnail[]> {
    const body = await this.rpc(auth, 'files/get_thumbnail_batch', {
      entries: requests.map((request) => ({ path: request.path, size: request.size, format: 'jpeg', mode: 'bestfit' })),
    }, { host: 'content' });
    const entries = Array.isArray(body.entries) ? (body.entries as Record<string, unknown>[]) : [];
    return requests.map((_, index) => {
      const entry = entries[index];
      if (entry?.['.tag'] !== 'success' || typeof entry.thumbnail !== 'string') {
        return { ok: false, reason: String((entry?.failure as { '.tag'?: string } | undefined)?.['.tag'] ?? 'missing') };
      }
      const rev = (entry.metadata as { rev?: unknown } | undefined)?.rev;
      return { ok: true, jpeg: Buffer.from(entry.thumbnail, 'base64'), rev: typeof rev === 'string' ? rev : undefined };
    });
  }

  async getSpaceUsage(auth: DropboxAuth): Promise<SpaceUsage> {
    const body = await this.rpc(auth, 'users/get_space_usage');
    const allocation = (body.allocation ?? {}) as { allocated?: unknown };
    return { used: Number(body.used ?? 0), allocated: Number(allocation.allocated ?? 0) };
  }

  async getTemporaryLink(auth: DropboxAuth, path: string): Promise<string> {
    const body = await this.rpc(auth, 'files/get_temporary_link', { path });
    if (typeof body.link !== 'string') throw new AppError(502, 'dropbox_bad_answer', 'Dropbox did not send a download link. Please try again.');
    return body.link;
  }

  async getCurrentAccount(auth: DropboxAuth): Promise<Account> {
    const body = await this.rpc(auth, 'users/get_current_account');
    const name = (body.name ?? {}) as Record<string, unknown>;
    const rootInfo = (body.root_info ?? {}) as { root_namespace_id?: unknown; home_namespace_id?: unknown };
    return {
      accountId: String(body.account_id ?? ''),
      displayName: String(name.display_name ?? ''),
      email: String(body.email ?? ''),
      rootNamespaceId: typeof rootInfo.root_namespace_id === 'string' ? rootInfo.root_namespace_id : undefined,
      homeNamespaceId: typeof rootInfo.home_namespace_id === 'string' ? rootInfo.home_namespace_id : undefined,
    };
  }

  /** Revokes the token and, since it came from a refresh token, that refresh token too. */
  async revokeToken(auth: DropboxAuth, timeoutMs?: number): Promise<void> {
    await this.rpc(auth, 'auth/token/revoke', undefined, { timeoutMs, repeatable: false });
  }

  /**
   * An RPC call. Routes without arguments get no body and no Content-Type, which is one of the
   * two forms Dropbox accepts (an empty body with a JSON Content-Type is a 400).
   */
  private async rpc(
    auth: DropboxAuth,
    route: string,
    args?: object,
    options: { timeoutMs?: number; repeatable?: boolean; waitOutRateLimit?: boolean; host?: 'api' | 'content' } = {},
  ): Promise<Record<string, unknown>> {
    const response = await (options.host === 'content' ? this.content : this.api).post(
      route,
      `/2/${route}`,
      args === undefined ? undefined : JSON.stringify(args),
      {
        headers: {
          Authorization: `Bearer ${auth.accessToken}`,
          ...(auth.pathRoot ? { 'Dropbox-API-Path-Root': JSON.stringify({ '.tag': 'root', root: auth.pathRoot }) } : {}),
          // null, not absent: axios would otherwise add a form Content-Type, which Dropbox refuses.
          'Content-Type': args === undefined ? null : 'application/json',
        },
        timeoutMs: options.timeoutMs,
        waitOutRateLimit: options.waitOutRateLimit,
      },
      options.repeatable ?? true,
    );
    if (response.status !== 200) throw apiFailure(route, response);
    try {
      const body: unknown = JSON.parse(response.data);
      return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    } catch {
      throw new AppError(502, 'dropbox_bad_answer', 'Dropbox sent an answer Dropview could not read. Please try again.', { dropboxTag: route });
    }
  }
}
