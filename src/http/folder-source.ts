import type { Request } from 'express';
import type { TokenKeeper } from '../auth/token-keeper';
import type { DropboxApiClient, DropboxAuth } from '../dropbox/api-client';
import type { FolderSource } from '../folders/folder-index';

/**
 * The Dropbox a folder index reads, for one request: the session's account and root, each
 * call made with the session's token (refreshed as needed). A read that outlives the request
 * keeps using it; if the session ends meanwhile its calls fail and another view resumes.
 */
export async function folderSourceOf(req: Request, tokens: TokenKeeper, api: DropboxApiClient): Promise<FolderSource> {
  const accountId = await tokens.accountIdOf(req);
  const call = <T>(work: (auth: DropboxAuth) => Promise<T>) => tokens.withAccessToken(req, work);
  return {
    accountId,
    root: req.session.pathRoot ?? '',
    listFolder: (path, limit) => call((auth) => api.listFolder(auth, path, limit)),
    listFolderContinue: (cursor, options) => call((auth) => api.listFolderContinue(auth, cursor, options)),
    latestCursor: (path) => call((auth) => api.getLatestCursor(auth, path)),
    displayPathOf: async (path) => (await call((auth) => api.getMetadata(auth, path))).path,
  };
}
