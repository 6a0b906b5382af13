import type { RequestHandler } from 'express';
import { hasDropboxTag } from '../../dropbox/errors';
import { AppError } from '../../errors';
import { dropboxPathOf, hrefOf, segmentsOf } from '../dropbox-path';
import type { Services } from '../services';

/** Downloads go straight from Dropbox to the browser through a temporary link (valid 4 h). */
export function downloadHandlers(services: Services) {
  const { api, tokens } = services;

  /** @route GET /download/*splat */
  const file: RequestHandler = async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    try {
      const link = await tokens.withAccessToken(req, (auth) => api.getTemporaryLink(auth, path));
      res.redirect(302, link);
    } catch (error) {
      if (hasDropboxTag(error, 'not_file')) {
        throw new AppError(400, 'not_a_file', 'This is a folder, and only files can be downloaded.', {
          title: 'That is a folder',
          action: { href: hrefOf('/browse', path), label: 'Open the folder' },
        });
      }
      throw error;
    }
  };

  return { file };
}
