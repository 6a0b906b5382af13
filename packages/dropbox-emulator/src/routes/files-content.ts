import { Readable, pipeline } from 'node:stream';
import express, { type Request, type Response, type Router } from 'express';
import type { EmulatorContext } from '../context';
import { simplePdf, spreadsheetPreviewHtml } from '../documents';
import { contentChunks, contentOf } from '../tree/content';
import { descendantsOf } from '../tree/file-tree';
import { metadataOf } from '../tree/metadata';
import type { FileNode, FolderNode } from '../tree/nodes';
import { ZIP_MAX_BYTES, zipStream, type ZipEntry } from '../zip';
import { sendApiError, sendBadInput, sendPathError } from '../wire';
import { sendFileBytes } from './byte-ranges';
import { authenticate } from './caller';
import { readPath } from './paths';
import type { Args, Caller, UserRoute } from './rpc-types';

/**
 * The download-style routes on the content host (files/download, files/get_preview,
 * files/download_zip): POST or GET, the argument in the `Dropbox-API-Arg` header or the `arg`
 * URL parameter, the result JSON in the `Dropbox-API-Result` response header and the bytes in
 * the body. Errors are the usual 400 text and 409 JSON.
 */

/** get_preview answers a PDF for these... */
const PDF_PREVIEW_EXTENSIONS = ['ai', 'doc', 'docm', 'docx', 'eps', 'gdoc', 'gslides', 'odp', 'odt', 'pps', 'ppsm', 'ppsx', 'ppt', 'pptm', 'pptx', 'rtf'];
/** ...and HTML for these; any other extension is unsupported_extension. */
const HTML_PREVIEW_EXTENSIONS = ['csv', 'ods', 'xls', 'xlsm', 'gsheet', 'xlsx'];
/** Cloud documents with no bytes to download (Dropbox says: use files/export). */
const EXPORT_ONLY_EXTENSIONS = ['gdoc', 'gsheet', 'gslides', 'gdraw', 'gform', 'gmap', 'gsite', 'gjam', 'paper', 'papert', 'web'];

/** download_zip's limits: the folder under 20 GB, every file under 4 GB, at most 10,000 entries with the top folder. */
const ZIP_MAX_FOLDER_BYTES = 20 * 1024 ** 3;
const ZIP_MAX_FILE_BYTES = 4 * 1024 ** 3;
const ZIP_MAX_ENTRIES = 10_000;

const extensionOf = (name: string) => (name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '');

/** JSON that fits in an HTTP header: everything past ASCII escaped as \uXXXX, as the SDKs' httpHeaderSafeJson does. */
function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The route's argument from Dropbox-API-Arg (or `?arg=`), or undefined after the 400 Dropbox gives. */
function argsOf(route: string, req: Request, res: Response): Args | undefined {
  const raw = req.get('dropbox-api-arg') ?? (typeof req.query.arg === 'string' ? req.query.arg : undefined);
  if (raw === undefined) return void sendBadInput(res, route, 'Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return void sendBadInput(res, route, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return void sendBadInput(res, route, 'HTTP header "Dropbox-API-Arg": expected an object');
  return parsed as Args;
}

function fileAt(caller: Caller, route: string, args: Args, res: Response): FileNode | undefined {
  const node = readPath(caller, route, args.path, res);
  if (!node) return undefined;
  if (node.kind !== 'file') return void sendPathError(res, 'not_file');
  return node;
}

const download = (_ctx: EmulatorContext, caller: Caller, args: Args, req: Request, res: Response): void => {
  const file = fileAt(caller, 'files/download', args, res);
  if (!file) return;
  if (EXPORT_ONLY_EXTENSIONS.includes(extensionOf(file.name))) return sendApiError(res, 409, ['unsupported_file'], { '.tag': 'unsupported_file' });
  res.setHeader('Dropbox-API-Result', headerSafeJson(metadataOf(file, caller.prefix)));
  res.setHeader('Content-Type', 'application/octet-stream');
  sendFileBytes(req, res, file);
};

const getPreview = (_ctx: EmulatorContext, caller: Caller, args: Args, _req: Request, res: Response): void => {
  const file = fileAt(caller, 'files/get_preview', args, res);
  if (!file) return;
  const extension = extensionOf(file.name);
  let body: Buffer;
  if (PDF_PREVIEW_EXTENSIONS.includes(extension)) {
    res.setHeader('Content-Type', 'application/pdf');
    body = simplePdf([file.name, `Dropbox's preview of a ${file.size.toLocaleString('en-US')}-byte .${extension} file.`, 'Served by the Dropview emulator.']);
  } else if (HTML_PREVIEW_EXTENSIONS.includes(extension)) {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    body = Buffer.from(spreadsheetPreviewHtml(file.name, file.size <= 1024 * 1024 ? contentOf(file) : Buffer.alloc(0)));
  } else {
    return sendApiError(res, 409, ['unsupported_extension'], { '.tag': 'unsupported_extension' });
  }
  res.setHeader('Dropbox-API-Result', headerSafeJson(metadataOf(file, caller.prefix)));
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
};

/** The folder and everything in it as zip entries, names relative to the folder's parent (`Folder/`, `Folder/a.txt`). */
function* zipEntriesOf(folder: FolderNode, descendants: readonly (FileNode | FolderNode)[], now: Date): Generator<ZipEntry> {
  const base = folder.pathDisplay.length - folder.name.length;
  yield { name: `${folder.name}/`, modified: now };
  for (const node of descendants) {
    const name = node.pathDisplay.slice(base);
    if (node.kind === 'folder') yield { name: `${name}/`, modified: now };
    else yield { name, modified: new Date(node.serverModified), chunks: contentChunks(node) };
  }
}

const downloadZip = (ctx: EmulatorContext, caller: Caller, args: Args, _req: Request, res: Response): void => {
  const folder = readPath(caller, 'files/download_zip', args.path, res);
  if (!folder) return;
  if (folder.kind !== 'folder') return sendPathError(res, 'not_folder');
  const descendants = descendantsOf(folder);
  if (descendants.length + 1 > ZIP_MAX_ENTRIES) return sendApiError(res, 409, ['too_many_files'], { '.tag': 'too_many_files' });
  let total = 0;
  for (const node of descendants) {
    if (node.kind !== 'file') continue;
    if (node.size >= ZIP_MAX_FILE_BYTES) return sendApiError(res, 409, ['too_large'], { '.tag': 'too_large' });
    total += node.size;
  }
  // ⚠ Dropbox makes ZIP64 archives past 4 GiB; this emulator writes plain zip and so stops there.
  if (total >= ZIP_MAX_FOLDER_BYTES || total >= ZIP_MAX_BYTES - 64 * 1024 * 1024) return sendApiError(res, 409, ['too_large'], { '.tag': 'too_large' });
  res.setHeader('Dropbox-API-Result', headerSafeJson({ metadata: metadataOf(folder, caller.prefix) }));
  res.setHeader('Content-Type', 'application/zip');
  // No Content-Length (the archive is made as it goes) and no Range support.
  pipeline(Readable.from(zipStream(zipEntriesOf(folder, descendants, new Date(ctx.now()))), { objectMode: false }), res, () => undefined);
};

type ContentHandler = (ctx: EmulatorContext, caller: Caller, args: Args, req: Request, res: Response) => void;

const CONTENT_ROUTES: Record<string, ContentHandler> = {
  'files/download': download,
  'files/get_preview': getPreview,
  'files/download_zip': downloadZip,
};

/** For the caller check: every content route needs files.content.read. */
const CONTENT_READ: UserRoute = { scope: 'files.content.read', takesArgs: true, handle: () => undefined };

export function contentRoutes(ctx: EmulatorContext): Router {
  const router = express.Router();
  for (const [route, handle] of Object.entries(CONTENT_ROUTES)) {
    router.all(`/2/${route}`, (req, res, next) => {
      if (req.method !== 'POST' && req.method !== 'GET') return next();
      const caller = authenticate(ctx, route, CONTENT_READ, req, res);
      if (!caller) return;
      const args = argsOf(route, req, res);
      if (args) handle(ctx, caller, args, req, res);
    });
  }
  return router;
}
