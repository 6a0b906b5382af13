import type { RequestHandler } from 'express';
import { fileKindOf } from '../../views/format';
import { breadcrumbsOf, thumbnailHrefOf } from '../../views/folder-page';
import { hrefOf, parentOf } from '../../views/hrefs';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { localizerOf } from '../middleware/language';
import { dropboxOf } from '../session-dropbox';

/** @route GET /file/*splat : a file's page: what it is, a preview for images, a download button. */
export function fileHandler(now: () => number): RequestHandler {
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const entry = await dropboxOf(res).metadata(path);
    if (entry.type === 'folder') return res.redirect(302, hrefOf('/browse', path));
    const localizer = localizerOf(res);
    const folder = parentOf(entry.path);
    const crumbs = breadcrumbsOf(folder);
    res.render('file', {
      title: entry.name,
      crumbs: [...crumbs, { label: entry.name, href: hrefOf('/file', entry.path) }],
      file: {
        name: entry.name,
        path: entry.path,
        kind: localizer.t(`kind.${fileKindOf('file', entry.name)}`),
        size: localizer.size(entry.size),
        bytes: entry.size === undefined ? undefined : localizer.plural('file.bytes', entry.size),
        modified: `${localizer.date(entry.modified)}, ${localizer.time(entry.modified)}`,
        modifiedRelative: localizer.relative(entry.modified, now()),
        modifiedIso: entry.modified,
        previewHref: thumbnailHrefOf(entry, 'w960h640'),
        downloadHref: hrefOf('/download', entry.path),
        folderHref: hrefOf('/browse', folder),
        folderLabel: crumbs[crumbs.length - 1].label,
      },
    });
  };
}
