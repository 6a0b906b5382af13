import type { RequestHandler } from 'express';
import { isRouteError } from '../../dropbox/errors';
import { AppError } from '../app-error';
import { hrefOf } from '../../views/hrefs';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { dropboxOf } from '../session-dropbox';

/** @route GET /download/*splat : straight from Dropbox to the browser, through a temporary link (valid 4 h). */
export const downloadHandler: RequestHandler = async (req, res) => {
  const path = dropboxPathOf(segmentsOf(req));
  try {
    res.redirect(302, await dropboxOf(res).temporaryLink(path));
  } catch (error) {
    if (isRouteError(error, 'not_file')) {
      throw new AppError(400, 'not_a_file', 'errors.notAFile', { title: 'errorTitle.isFolder', action: { href: hrefOf('/browse', path), label: 'action.openFolder' } });
    }
    throw error;
  }
};
