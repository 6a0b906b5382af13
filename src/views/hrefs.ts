/**
 * Dropbox paths as Dropview's addresses spell them: `/Photos/2024 Trip` is
 * `/browse/Photos/2024%20Trip`, each segment encoded. What comes in is checked by
 * src/http/dropbox-path.ts; this is the way out, for views and redirects alike.
 */

/** `/Photos/2024 Trip` into [`Photos`, `2024 Trip`]. */
export function splitDropboxPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** The URL of a Dropbox path under one of Dropview's routes, each segment encoded. */
export function hrefOf(route: '/browse' | '/download' | '/file' | '/thumbnail' | '/content' | '/preview' | '/zip', path: string): string {
  const encoded = splitDropboxPath(path).map(encodeURIComponent).join('/');
  return encoded ? `${route}/${encoded}` : route;
}

/** The parent folder of a Dropbox path: `/a/b/c.txt` -> `/a/b`; a top-level item -> `` (the root). */
export function parentOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), 0));
}

/** The same item on dropbox.com: `https://www.dropbox.com/home/Photos/2024%20Trip` (the site opens a file's preview from its path). */
export function dropboxWebHrefOf(path: string): string {
  return `https://www.dropbox.com/home${splitDropboxPath(path)
    .map((segment) => `/${encodeURIComponent(segment)}`)
    .join('')}`;
}
