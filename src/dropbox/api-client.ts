import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { apiFailure, badAnswer, DropboxError } from './errors';
import { DEFAULT_HTTP_OPTIONS, DropboxHttp, type HttpOptions } from './http';
import {
  currentAccountResult,
  downloadZipResult,
  fileMetadata,
  latestCursorResult,
  listFolderResult,
  longpollResult,
  metadata,
  searchResult,
  spaceUsageResult,
  temporaryLinkResult,
  thumbnailBatchResult,
} from './wire';

/**
 * The Dropbox API v2 routes Dropview calls, each taking the access token to use. Which token
 * that is, and what to do when Dropbox refuses it, is the caller's business (auth/token-keeper).
 * Every answer is checked against its shape (wire.ts); failures are DropboxErrors (errors.ts).
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

/** A thumbnail, with the revision of the file Dropbox made it from. */
export type Thumbnail = { ok: true; jpeg: Buffer; rev?: string } | { ok: false; reason: string };

/** One entry of a list_folder answer: a file, a folder, or (in change feeds) a path that was deleted. */
export interface ListedEntry {
  type: 'file' | 'folder' | 'deleted';
  name: string;
  /** Dropbox's `path_lower`: the entry's identity. */
  pathLower: string;
  /** Dropbox's `path_display`, "for display purposes only": where its folder's spelling is read from. */
  pathDisplay?: string;
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

/** What files/get_preview answered: a PDF (documents) or HTML (spreadsheets), as bytes. */
export interface Preview {
  type: 'pdf' | 'html';
  bytes: Buffer;
}

/** A download in progress: the bytes arriving, and the name Dropbox gave the item. */
export interface ContentStream {
  name: string;
  body: Readable;
}

/** JSON that fits in an HTTP header (Dropbox-API-Arg): everything past ASCII escaped as \uXXXX, as Dropbox's SDKs send it. */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Longpolls held at once for open pages: the folder watcher watches at most this many folders per instance. */
export const LONGPOLL_SOCKETS = 256;
/** Longpolls held at once for folders served without a check (folders/quiet-folders.ts), on sockets of their own. */
export const QUIET_LONGPOLL_SOCKETS = 128;

/** Dropbox holds a longpoll up to its timeout plus 90 s of jitter. */
const LONGPOLL_JITTER_SECONDS = 90;

/** A file or folder (not a deleted entry) as pages show it. */
function folderEntryOf(raw: unknown): FolderEntry | undefined {
  const parsed = metadata.safeParse(raw);
  if (!parsed.success || parsed.data['.tag'] === 'deleted') return undefined;
  const entry = parsed.data;
  const path = entry.path_display ?? `/${entry.name}`;
  if (entry['.tag'] === 'folder') return { type: 'folder', name: entry.name, path };
  return { type: 'file', name: entry.name, path, size: entry.size, modified: entry.server_modified, rev: entry.rev };
}

function listedEntryOf(raw: unknown): ListedEntry | undefined {
  const parsed = metadata.safeParse(raw);
  if (!parsed.success) return undefined;
  const entry = parsed.data;
  const pathLower = entry.path_lower ?? `/${entry.name.toLowerCase()}`;
  const pathDisplay = entry.path_display;
  if (entry['.tag'] !== 'file') return { type: entry['.tag'], name: entry.name, pathLower, pathDisplay };
  return { type: 'file', name: entry.name, pathLower, pathDisplay, size: entry.size, modified: entry.server_modified, rev: entry.rev };
}

function listedPageOf(body: z.infer<typeof listFolderResult>): ListedPage {
  const entries: ListedEntry[] = [];
  for (const raw of body.entries) {
    const entry = listedEntryOf(raw);
    if (entry) entries.push(entry);
  }
  return { entries, cursor: body.cursor, hasMore: body.has_more };
}

function searchPageOf(body: z.infer<typeof searchResult>): SearchPage {
  const entries = body.matches.map((match) => folderEntryOf(match.metadata?.metadata)).filter((entry): entry is FolderEntry => entry !== undefined);
  return { entries, cursor: body.cursor, hasMore: body.has_more };
}

interface RpcOptions {
  timeoutMs?: number;
  repeatable?: boolean;
  waitOutRateLimit?: boolean;
  host?: 'api' | 'content';
}

export class DropboxApiClient {
  private readonly api: DropboxHttp;
  private readonly content: DropboxHttp;
  private readonly notify: DropboxHttp;

  constructor(settings: ApiSettings, httpOptions: HttpOptions = DEFAULT_HTTP_OPTIONS) {
    this.api = new DropboxHttp(settings.apiUrl, httpOptions);
    this.content = new DropboxHttp(settings.contentUrl, httpOptions);
    // Each watched folder holds a longpoll on its own socket; they must not queue behind each other.
    this.notify = new DropboxHttp(settings.notifyUrl, { ...httpOptions, maxSockets: LONGPOLL_SOCKETS + QUIET_LONGPOLL_SOCKETS });
  }

  /** The slowest of the API host's last answers, in ms (see DropboxHttp.recentAnswerMs). */
  recentAnswerMs(): number {
    return this.api.recentAnswerMs();
  }

  async listFolder(auth: DropboxAuth, path: string, limit: number): Promise<ListedPage> {
    return listedPageOf(await this.rpc(auth, 'files/list_folder', listFolderResult, { path, limit, include_non_downloadable_files: true }));
  }

  /**
   * The next page of a listing, or, from a listing's last cursor, what changed since. `quick`:
   * a 429 is not waited out but thrown at once (see http.ts).
   */
  async listFolderContinue(auth: DropboxAuth, cursor: string, options: { quick?: boolean } = {}): Promise<ListedPage> {
    return listedPageOf(await this.rpc(auth, 'files/list_folder/continue', listFolderResult, { cursor }, { waitOutRateLimit: !options.quick }));
  }

  async getLatestCursor(auth: DropboxAuth, path: string): Promise<string> {
    return (await this.rpc(auth, 'files/list_folder/get_latest_cursor', latestCursorResult, { path })).cursor;
  }

  /**
   * Waits until the folder behind `cursor` changes or `timeoutSeconds` pass. No token: the
   * cursor is the credential (notify.dropboxapi.com, auth "noauth").
   */
  async longpoll(cursor: string, timeoutSeconds: number, signal: AbortSignal): Promise<{ changes: boolean; backoffSeconds?: number }> {
    const route = 'files/list_folder/longpoll';
    const response = await this.notify.post(
      route,
      `/2/${route}`,
      JSON.stringify({ cursor, timeout: timeoutSeconds }),
      { headers: { 'Content-Type': 'application/json' }, timeoutMs: (timeoutSeconds + LONGPOLL_JITTER_SECONDS + 10) * 1000, signal },
      false,
    );
    if (response.status !== 200) throw apiFailure(route, response);
    // A tolerant reader: an unreadable success answer counts as "no news".
    const parsed = longpollResult.safeParse(parseJson(response.data) ?? {});
    return parsed.success ? { changes: parsed.data.changes, backoffSeconds: parsed.data.backoff } : { changes: false };
  }

  async getMetadata(auth: DropboxAuth, path: string): Promise<FolderEntry> {
    const route = 'files/get_metadata';
    const entry = folderEntryOf(await this.rpc(auth, route, metadata, { path }));
    if (!entry) throw new DropboxError(route, { kind: 'route', tag: 'path/not_found' });
    return entry;
  }

  async search(auth: DropboxAuth, query: string, path: string, maxResults: number): Promise<SearchPage> {
    return searchPageOf(await this.rpc(auth, 'files/search_v2', searchResult, { query, options: { ...(path ? { path } : {}), max_results: maxResults } }));
  }

  async searchContinue(auth: DropboxAuth, cursor: string): Promise<SearchPage> {
    return searchPageOf(await this.rpc(auth, 'files/search/continue_v2', searchResult, { cursor }));
  }

  /** Up to 25 JPEG thumbnails in one call, in the order asked. */
  async getThumbnails(auth: DropboxAuth, requests: { path: string; size: string }[]): Promise<Thumbnail[]> {
    const body = await this.rpc(
      auth,
      'files/get_thumbnail_batch',
      thumbnailBatchResult,
      { entries: requests.map((request) => ({ path: request.path, size: request.size, format: 'jpeg', mode: 'bestfit' })) },
      { host: 'content' },
    );
    return requests.map((_, index): Thumbnail => {
      const entry = body.entries[index];
      if (!entry) return { ok: false, reason: 'missing' };
      if (entry['.tag'] === 'failure') return { ok: false, reason: entry.failure?.['.tag'] ?? 'failure' };
      return { ok: true, jpeg: Buffer.from(entry.thumbnail, 'base64'), rev: entry.metadata?.rev };
    });
  }

  async getSpaceUsage(auth: DropboxAuth): Promise<SpaceUsage> {
    const body = await this.rpc(auth, 'users/get_space_usage', spaceUsageResult);
    return { used: body.used, allocated: body.allocation.allocated ?? 0 };
  }

  async getTemporaryLink(auth: DropboxAuth, path: string): Promise<string> {
    return (await this.rpc(auth, 'files/get_temporary_link', temporaryLinkResult, { path })).link;
  }

  /** A file's bytes (files/download), `maxBytes` at most: a bigger answer fails rather than filling memory. */
  async download(auth: DropboxAuth, path: string, maxBytes: number): Promise<Buffer> {
    const route = 'files/download';
    const response = await this.content.content(route, `/2/${route}`, { headers: this.contentHeaders(auth, { path }), maxBytes });
    this.resultOf(route, response.headers, fileMetadata);
    return response.data;
  }

  /** A file's bytes as they arrive (files/download), for passing on to a browser. */
  async downloadStream(auth: DropboxAuth, path: string, signal: AbortSignal): Promise<ContentStream> {
    const route = 'files/download';
    const response = await this.content.contentStream(route, `/2/${route}`, { headers: this.contentHeaders(auth, { path }), signal });
    return { name: this.resultOf(route, response.headers, fileMetadata, response.data).name, body: response.data };
  }

  /** Dropbox's preview of a document (PDF) or spreadsheet (HTML), files/get_preview. */
  async getPreview(auth: DropboxAuth, path: string, maxBytes: number): Promise<Preview> {
    const route = 'files/get_preview';
    const response = await this.content.content(route, `/2/${route}`, { headers: this.contentHeaders(auth, { path }), maxBytes });
    this.resultOf(route, response.headers, fileMetadata);
    const contentType = String(response.headers['content-type'] ?? '').toLowerCase();
    if (contentType.startsWith('application/pdf')) return { type: 'pdf', bytes: response.data };
    if (contentType.startsWith('text/html')) return { type: 'html', bytes: response.data };
    throw badAnswer(route);
  }

  /** A folder as a zip as it is made (files/download_zip); `signal` ends the download. */
  async downloadZip(auth: DropboxAuth, path: string, signal: AbortSignal): Promise<ContentStream> {
    const route = 'files/download_zip';
    const response = await this.content.contentStream(route, `/2/${route}`, { headers: this.contentHeaders(auth, { path }), signal });
    return { name: this.resultOf(route, response.headers, downloadZipResult, response.data).metadata.name, body: response.data };
  }

  async getCurrentAccount(auth: DropboxAuth): Promise<Account> {
    const body = await this.rpc(auth, 'users/get_current_account', currentAccountResult);
    return { displayName: body.name.display_name, email: body.email, rootNamespaceId: body.root_info?.root_namespace_id, homeNamespaceId: body.root_info?.home_namespace_id };
  }

  /** Revokes the token and, since it came from a refresh token, that refresh token too. */
  async revokeToken(auth: DropboxAuth, timeoutMs?: number): Promise<void> {
    await this.rpc(auth, 'auth/token/revoke', undefined, undefined, { timeoutMs, repeatable: false });
  }

  private contentHeaders(auth: DropboxAuth, args: object): Record<string, string> {
    return {
      Authorization: `Bearer ${auth.accessToken}`,
      'Dropbox-API-Arg': headerSafeJson(args),
      ...(auth.pathRoot ? { 'Dropbox-API-Path-Root': JSON.stringify({ '.tag': 'root', root: auth.pathRoot }) } : {}),
    };
  }

  /** The Dropbox-API-Result header of a download-style answer, checked against `shape`; a stream not yet read is ended when it does not fit. */
  private resultOf<S extends z.ZodType>(route: string, headers: Record<string, unknown>, shape: S, body?: Readable): z.infer<S> {
    const raw = headers['dropbox-api-result'];
    const parsed = shape.safeParse(typeof raw === 'string' ? parseJson(raw) : undefined);
    if (parsed.success) return parsed.data;
    body?.destroy();
    throw badAnswer(route);
  }

  /**
   * An RPC call, its answer checked against `shape`. Routes without arguments get no body and
   * no Content-Type, which is one of the two forms Dropbox accepts (an empty body with a JSON
   * Content-Type is a 400).
   */
  private async rpc<S extends z.ZodType>(auth: DropboxAuth, route: string, shape: S | undefined, args?: object, options: RpcOptions = {}): Promise<z.infer<S>> {
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
    if (!shape) return undefined as z.infer<S>;
    const parsed = shape.safeParse(parseJson(response.data));
    if (!parsed.success) throw badAnswer(route);
    return parsed.data;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
