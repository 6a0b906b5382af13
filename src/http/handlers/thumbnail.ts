import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ThumbnailBatcher } from '../../dropbox/thumbnail-batcher';
import { AppError } from '../app-error';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { dropboxOf } from '../session-dropbox';

/**
 * @route GET /thumbnail/*splat?size=w256h256[&rev=<rev>] : an image's JPEG thumbnail. With the
 * file's revision in the URL the bytes can never change, so browsers keep them (privately) for
 * a day and a revalidation is answered 304 without asking Dropbox.
 */

const SIZES = ['w32h32', 'w64h64', 'w128h128', 'w256h256', 'w480h320', 'w640h480', 'w960h640', 'w1024h768', 'w2048h1536'];

export function thumbnailHandler(thumbnails: ThumbnailBatcher): RequestHandler {
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const size = typeof req.query.size === 'string' ? req.query.size : 'w256h256';
    if (!SIZES.includes(size)) throw new AppError(400, 'bad_thumbnail_size', { key: 'errors.thumbnailSizes', params: { sizes: SIZES.join(', ') } });
    const rev = typeof req.query.rev === 'string' && /^[0-9a-f]{9,64}$/.test(req.query.rev) ? req.query.rev : undefined;
    const pinnedTag = rev ? `"${rev}-${size}"` : undefined;
    if (pinnedTag && req.get('if-none-match') === pinnedTag) {
      res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
      res.setHeader('ETag', pinnedTag);
      return res.status(304).end();
    }
    const thumbnail = await dropboxOf(res).call((auth) => thumbnails.get(auth, path, size));
    if (!thumbnail.ok) {
      res.setHeader('Cache-Control', 'no-store');
      throw new AppError(404, 'no_thumbnail', 'errors.noThumbnail', { logTag: thumbnail.reason });
    }
    // Immutable only when the address names the revision Dropbox just made it from: a made-up
    // or outdated rev is not kept for a day.
    const current = rev !== undefined && thumbnail.rev === rev;
    res.setHeader('Cache-Control', current ? 'private, max-age=86400, immutable' : 'private, max-age=300');
    res.setHeader('ETag', current && pinnedTag ? pinnedTag : `"${createHash('sha1').update(thumbnail.jpeg).digest('base64url')}"`);
    res.type('image/jpeg').send(thumbnail.jpeg);
  };
}
