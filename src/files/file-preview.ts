import type { ContentStream, Preview } from '../dropbox/api-client';
import { extensionOf, hasThumbnail, HTML_PREVIEW_EXTENSIONS, PDF_PREVIEW_EXTENSIONS } from '../file-types/file-types';

/**
 * Which viewer a file opens in, chosen by its extension and size, and the reads each viewer
 * needs: text read whole (files/download, up to a cap) and decoded so that no byte can break
 * the page, Dropbox's own preview of office files (files/get_preview), a temporary link for
 * audio and video (which seek with Range requests on it), and the bytes as a stream for the
 * browser's PDF viewer and full-size photos.
 */

export type ViewerKind = 'image' | 'text' | 'markdown' | 'csv' | 'code' | 'pdf' | 'document' | 'spreadsheet' | 'audio' | 'video' | 'none';

/** The Dropbox a file is read from: a session's calls (SessionDropbox). */
export interface FileSource {
  download(path: string, maxBytes: number): Promise<Buffer>;
  downloadStream(path: string, signal: AbortSignal): Promise<ContentStream>;
  preview(path: string, maxBytes: number): Promise<Preview>;
  temporaryLink(path: string): Promise<string>;
}

/** Text files larger than this are not shown in the page (a note and Download instead). */
export const TEXT_VIEW_MAX_BYTES = 1024 * 1024;
/** A preview Dropbox makes is read into memory whole; past this it is refused. */
export const PREVIEW_MAX_BYTES = 64 * 1024 * 1024;
const MARKDOWN_EXTENSIONS = new Set(['md', 'markdown', 'mdown']);
const CSV_EXTENSIONS = new Set(['csv']);
const CODE_EXTENSIONS = new Set([
  'c',
  'cc',
  'cpp',
  'cs',
  'css',
  'go',
  'h',
  'hpp',
  'html',
  'htm',
  'java',
  'js',
  'json',
  'jsx',
  'kt',
  'mjs',
  'php',
  'pl',
  'py',
  'rb',
  'rs',
  'scss',
  'sh',
  'sql',
  'swift',
  'toml',
  'ts',
  'tsx',
  'xml',
  'yaml',
  'yml',
]);
const PLAIN_TEXT_EXTENSIONS = new Set(['txt', 'log', 'text', 'ini', 'conf', 'cfg', 'env', 'tsv', 'srt', 'vtt']);
const AUDIO_EXTENSIONS = new Set(['mp3', 'wav', 'ogg', 'oga', 'opus', 'm4a', 'aac', 'flac']);
const VIDEO_EXTENSIONS = new Set(['mp4', 'm4v', 'webm', 'ogv', 'mov']);
/** Images a browser shows itself; SVG is not among them, as it can carry script. */
const BROWSER_IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp' };

/** The viewer a file opens in. */
export function viewerOf(name: string, size: number | undefined): ViewerKind {
  const extension = extensionOf(name);
  if (hasThumbnail(name, size)) return 'image';
  if (MARKDOWN_EXTENSIONS.has(extension)) return 'markdown';
  if (CSV_EXTENSIONS.has(extension)) return 'csv';
  if (CODE_EXTENSIONS.has(extension)) return 'code';
  if (PLAIN_TEXT_EXTENSIONS.has(extension)) return 'text';
  if (extension === 'pdf') return 'pdf';
  if (PDF_PREVIEW_EXTENSIONS.has(extension)) return 'document';
  // CSV is in Dropbox's HTML list too, but Dropview shows it itself, as a table (above).
  if (HTML_PREVIEW_EXTENSIONS.has(extension)) return 'spreadsheet';
  if (AUDIO_EXTENSIONS.has(extension)) return 'audio';
  if (VIDEO_EXTENSIONS.has(extension)) return 'video';
  return 'none';
}

export function isTextViewer(kind: ViewerKind): kind is 'text' | 'markdown' | 'csv' | 'code' {
  return kind === 'text' || kind === 'markdown' || kind === 'csv' || kind === 'code';
}

/** The Content-Type the browser is given for a file served inline (/content), or undefined when it is not served that way. */
export function inlineTypeOf(name: string): string | undefined {
  const extension = extensionOf(name);
  return extension === 'pdf' ? 'application/pdf' : BROWSER_IMAGE_TYPES[extension];
}

export interface DecodedText {
  text: string;
  /** Some bytes were not UTF-8 and show as U+FFFD. */
  replaced: boolean;
}

/** Bytes as UTF-8 text, a byte-order mark dropped; bytes that are not UTF-8 become U+FFFD instead of failing. */
export function decodeText(bytes: Buffer): DecodedText {
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
  return { text, replaced: text.includes('\uFFFD') };
}

/** A text file's content for the page (its size was checked against TEXT_VIEW_MAX_BYTES by the caller). */
export async function readText(source: FileSource, path: string): Promise<DecodedText> {
  return decodeText(await source.download(path, TEXT_VIEW_MAX_BYTES));
}
