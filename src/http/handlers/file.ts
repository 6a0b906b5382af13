import type { RequestHandler } from 'express';
import { fileKindOf, formatDate, formatRelativeDate, formatSize } from '../../views/format';
import { breadcrumbsOf, thumbnailHrefOf } from '../../views/listing';
import { dropboxPathOf, hrefOf, parentOf, segmentsOf } from '../dropbox-path';
import type { Services } from '../services';

/** @route GET /file/*splat : a file's page: what it is, a preview for images, a download button. */
export function fileHandler(services: Services): RequestHandler {
  const { api, tokens } = services;
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const entry = await tokens.withAccessToken(req, (auth) => api.getMetadata(auth, path));
    if (entry.type === 'folder') return res.redirect(302, hrefOf('/browse', path));
    const crumbs = breadcrumbsOf(parentOf(entry.path));
    res.render('file', {
      title: entry.name,
      crumbs: [...crumbs, { label: entry.name, href: hrefOf('/file', entry.path) }],
      file: {
        name: entry.name,
        path: entry.path,
        kind: fileKindOf('file', entry.name),
        size: formatSize(entry.size),
        bytes: entry.size?.toLocaleString('en-US'),
        modified: formatDate(entry.modified),
        modifiedRelative: formatRelativeDate(entry.modified, Date.now()),
        modifiedIso: entry.modified,
        previewHref: thumbnailHrefOf(entry, 'w960h640'),
        downloadHref: hrefOf('/download', entry.path),
        folderHref: hrefOf('/browse', parentOf(entry.path)),
      },
    });
  };
}
