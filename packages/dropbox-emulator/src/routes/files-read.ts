import { randomBytes } from 'node:crypto';
import { placeholderPhoto, jpegThumbnail, thumbnailBox } from '../images';
import { contentOf } from '../tree/content';
import { metadataOf } from '../tree/metadata';
import type { FileNode } from '../tree/nodes';
import { sendApiError, sendBadInput, sendJson, sendPathError } from '../wire';
import { lookupFor, readPath } from './paths';
import type { UserRoute } from './rpc-types';

/** files/get_metadata, files/get_temporary_link and files/get_thumbnail_batch. */

const TEMPORARY_LINK_LIFETIME_MS = 4 * 60 * 60 * 1000;
const MAX_BATCH = 25;
const THUMBNAIL_EXTENSIONS = ['jpg', 'jpeg', 'png', 'tiff', 'tif', 'gif', 'webp', 'ppm', 'bmp'];
/** Dropbox makes no thumbnail of a photo over 20 MB. */
const MAX_THUMBNAIL_SOURCE_BYTES = 20 * 1024 * 1024;

export const getMetadata: UserRoute = {
  scope: 'files.metadata.read',
  takesArgs: true,
  handle(_ctx, args, caller, _req, res) {
    const node = readPath(caller, 'files/get_metadata', args.path, res);
    if (node) sendJson(res, 200, metadataOf(node, caller.prefix));
  },
};

/** A link on this port that serves the file's bytes for 4 hours (410 Gone afterwards), for this account only. */
export const getTemporaryLink: UserRoute = {
  scope: 'files.content.read',
  takesArgs: true,
  handle(ctx, args, caller, req, res) {
    const node = readPath(caller, 'files/get_temporary_link', args.path, res);
    if (!node) return;
    if (node.kind !== 'file') return sendPathError(res, 'not_file');
    const id = randomBytes(18).toString('base64url');
    ctx.temporaryLinks.set(id, { accountId: caller.account.accountId, fileId: node.id, path: node.pathDisplay, expiresAt: ctx.now() + TEMPORARY_LINK_LIFETIME_MS });
    const link = `${req.protocol}://${req.get('host')}/temp/${id}/${encodeURIComponent(node.name)}`;
    sendJson(res, 200, { metadata: metadataOf(node, caller.prefix), link });
  },
};

/** A JPEG of the file that fits `box`; a virtual photo (no bytes kept) gets a picture made from its id. */
function thumbnailOf(file: FileNode, box: { width: number; height: number }): Buffer | undefined {
  if (!file.content) return placeholderPhoto(file.id, box);
  return jpegThumbnail(contentOf(file), box);
}

export const getThumbnailBatch: UserRoute = {
  scope: 'files.content.read',
  takesArgs: true,
  handle(_ctx, args, caller, _req, res) {
    const route = 'files/get_thumbnail_batch';
    if (!Array.isArray(args.entries)) return sendBadInput(res, route, "request body: missing required field 'entries'");
    if (args.entries.length > MAX_BATCH) return sendApiError(res, 409, ['too_many_files'], { '.tag': 'too_many_files' });
    const entries = (args.entries as { path?: unknown; size?: unknown }[]).map((entry) => {
      const box = thumbnailBox(typeof entry.size === 'string' ? entry.size : 'w64h64');
      if (!box) return undefined;
      const node = typeof entry.path === 'string' ? lookupFor(caller, entry.path) : undefined;
      if (!node) return { '.tag': 'failure', failure: { '.tag': 'path', path: { '.tag': 'not_found' } } };
      if (node.kind !== 'file') return { '.tag': 'failure', failure: { '.tag': 'path', path: { '.tag': 'not_file' } } };
      const extension = node.name.slice(node.name.lastIndexOf('.') + 1).toLowerCase();
      if (!THUMBNAIL_EXTENSIONS.includes(extension)) return { '.tag': 'failure', failure: { '.tag': 'unsupported_extension' } };
      if (node.size > MAX_THUMBNAIL_SOURCE_BYTES) return { '.tag': 'failure', failure: { '.tag': 'unsupported_image' } };
      const thumbnail = thumbnailOf(node, box);
      if (!thumbnail) return { '.tag': 'failure', failure: { '.tag': 'conversion_error' } };
      return { '.tag': 'success', metadata: metadataOf(node, caller.prefix), thumbnail: thumbnail.toString('base64') };
    });
    if (entries.includes(undefined)) return sendBadInput(res, route, 'request body: entries: size: unknown thumbnail size');
    sendJson(res, 200, { entries });
  },
};
