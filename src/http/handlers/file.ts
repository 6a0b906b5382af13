import type { RequestHandler } from 'express';
import { fileKindOf, formatDate, formatRelativeDate, formatSize } from '../../views/format';
import { breadcrumbsOf, thumbnailHrefOf } from '../../views/folder-page';
import { hrefOf, parentOf } from '../../views/hrefs';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { dropboxOf } from '../session-dropbox';

/** @route GET /file/*splat : a file's page: what it is, a preview for images, a download button. */
export function fileHandler(now: () => number): RequestHandler {
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const entry = await dropboxOf(res).metadata(path);
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
        modifiedRelative: formatRelativeDate(entry.modified, now()),
        modifiedIso: entry.modified,
        previewHref: thumbnailHrefOf(entry, 'w960h640'),
        downloadHref: hrefOf('/download', entry.path),
        folderHref: hrefOf('/browse', parentOf(entry.path)),
      },
    });
  };
}
