import type { Request, Response } from 'express';
import type { KeeperSession, SessionChange, TokenKeeper } from '../auth/token-keeper';
import type { StoredCredentials } from '../sessions/credential-store';
import type { DropboxApiClient, DropboxAuth } from '../dropbox/api-client';
import type { FileSource } from '../files/file-preview';
import type { FolderSource } from '../folders/folder-index';

/** Credentials read ahead for a request, with the session id they were read for. */
const readAheads = new WeakMap<Request, { sid: string; credentials: Promise<StoredCredentials | undefined> }>();

/** For the session middleware's readAhead: the request's credentials read beside its session. */
export function credentialsReadAhead(keeper: TokenKeeper) {
  return (req: Request, sid: string): void => void readAheads.set(req, { sid, credentials: keeper.readAhead(sid) });
}

/**
 * A request's Dropbox: every call made with the session's token (through the token keeper),
 * and what a call changes about the session written back here, the one place that does it.
 * The folder index reads folders through it (it is a FolderSource); a read that outlives the
 * request keeps using it, and if the session ends meanwhile its calls fail and another view
 * resumes the read.
 */
export class SessionDropbox implements FolderSource, FileSource {
  private constructor(
    private readonly session: KeeperSession,
    private readonly keeper: TokenKeeper,
    private readonly api: DropboxApiClient,
    readonly accountId: string,
  ) {}

  /** The request's Dropbox; fails (ConnectionError) when the session has no usable connection. */
  static async open(req: Request, keeper: TokenKeeper, api: DropboxApiClient): Promise<SessionDropbox> {
    const ahead = readAheads.get(req);
    readAheads.delete(req);
    const session: KeeperSession = {
      id: req.sessionID,
      root: req.session.pathRoot,
      connected: req.session.connectedAt !== undefined,
      // Read for the id the cookie carried; a session renewed since then has other credentials.
      readAhead: ahead?.sid === req.sessionID ? ahead.credentials : undefined,
      changed: (change) => writeChange(req, change),
    };
    return new SessionDropbox(session, keeper, api, await keeper.accountIdOf(session));
  }

  get root(): string {
    return this.session.root ?? '';
  }

  /** Any call, with the session's auth. */
  call<T>(work: (auth: DropboxAuth) => Promise<T>): Promise<T> {
    return this.keeper.withToken(this.session, work);
  }

  listFolder(path: string, limit: number) {
    return this.call((auth) => this.api.listFolder(auth, path, limit));
  }

  listFolderContinue(cursor: string, options?: { quick?: boolean }) {
    return this.call((auth) => this.api.listFolderContinue(auth, cursor, options));
  }

  latestCursor(path: string) {
    return this.call((auth) => this.api.getLatestCursor(auth, path));
  }

  async displayPathOf(path: string): Promise<string> {
    return (await this.metadata(path)).path;
  }

  metadata(path: string) {
    return this.call((auth) => this.api.getMetadata(auth, path));
  }

  temporaryLink(path: string) {
    return this.call((auth) => this.api.getTemporaryLink(auth, path));
  }

  download(path: string, maxBytes: number) {
    return this.call((auth) => this.api.download(auth, path, maxBytes));
  }

  downloadStream(path: string, signal: AbortSignal) {
    return this.call((auth) => this.api.downloadStream(auth, path, signal));
  }

  preview(path: string, maxBytes: number) {
    return this.call((auth) => this.api.getPreview(auth, path, maxBytes));
  }

  downloadZip(path: string, signal: AbortSignal) {
    return this.call((auth) => this.api.downloadZip(auth, path, signal));
  }

  search(query: string, path: string, maxResults: number) {
    return this.call((auth) => this.api.search(auth, query, path, maxResults));
  }

  searchContinue(cursor: string) {
    return this.call((auth) => this.api.searchContinue(auth, cursor));
  }
}

/** What the token keeper reported about the session, written into it. */
function writeChange(req: Request, change: SessionChange): void {
  if (change.kind === 'root') {
    req.session.pathRoot = change.root;
    return;
  }
  delete req.session.connectedAt;
  delete req.session.pathRoot;
  delete req.session.account;
}

/** The request's Dropbox, attached by the connection middleware (middleware/require-connection.ts). */
export function dropboxOf(res: Response): SessionDropbox {
  const dropbox = res.locals.dropbox as SessionDropbox | undefined;
  if (!dropbox) throw new Error('this route has no Dropbox: mount it behind requireConnection');
  return dropbox;
}
