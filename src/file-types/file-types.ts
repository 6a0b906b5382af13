/**
 * What Dropbox does with a file of each extension (docs/dropbox-api.md, "Viewing a file's
 * content"): which get thumbnails and which get a preview. Shared by the viewers (src/files)
 * and the folder pages (src/views), and knowing nothing of either.
 */

/** Dropbox makes no thumbnail of a photo over 20 MB. */
export const THUMBNAIL_MAX_SOURCE_BYTES = 20 * 1024 * 1024;
/** The extensions files/get_thumbnail_v2 (and the batch) accept: no SVG, no HEIC. */
export const THUMBNAIL_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'tiff', 'tif', 'gif', 'webp', 'ppm', 'bmp']);
/** files/get_preview answers a PDF for these... */
export const PDF_PREVIEW_EXTENSIONS = new Set(['ai', 'doc', 'docm', 'docx', 'eps', 'gdoc', 'gslides', 'odp', 'odt', 'pps', 'ppsm', 'ppsx', 'ppt', 'pptm', 'pptx', 'rtf']);
/** ...and HTML for these. */
export const HTML_PREVIEW_EXTENSIONS = new Set(['csv', 'ods', 'xls', 'xlsm', 'gsheet', 'xlsx']);

/** `Photo.JPG` -> `jpg`; `` when there is none (a leading dot is a name, not an extension). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Whether Dropbox makes thumbnails of this file. */
export function hasThumbnail(name: string, size: number | undefined): boolean {
  return THUMBNAIL_EXTENSIONS.has(extensionOf(name)) && (size ?? 0) <= THUMBNAIL_MAX_SOURCE_BYTES;
}
