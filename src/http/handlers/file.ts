import type { RequestHandler } from 'express';
import type { FolderEntry } from '../../dropbox/api-client';
import { inlineTypeOf, isTextViewer, readText, TEXT_VIEW_MAX_BYTES, viewerOf, type ViewerKind } from '../../files/file-preview';
import { photoStepsOf } from '../../files/photo-steps';
import type { FolderIndex } from '../../folders/folder-index';
import type { Localizer } from '../../i18n/localizer';
import { csvTable, linesOf, markdownHtml } from '../../views/file-viewers';
import { fileKindOf, iconHrefOf } from '../../views/format';
import { breadcrumbsOf, presentationFrom, queryOf, thumbnailHrefOf, type Presentation } from '../../views/folder-page';
import { dropboxWebHrefOf, hrefOf, parentOf } from '../../views/hrefs';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { localizerOf } from '../middleware/language';
import { dropboxOf, type SessionDropbox } from '../session-dropbox';

/**
 * @route GET /file/*splat[?sort=&order=&view=] : a file's page: its facts, Download, Open in
 * Dropbox, and the file itself in the viewer its kind opens in (file-preview.ts). The folder's
 * presentation in the address orders a photo's previous and next.
 */

export interface FileParts {
  folders: FolderIndex;
  now: () => number;
}

/** What partials/viewer.ejs shows, by kind. */
type ViewerModel =
  | { kind: 'image'; src: string; fullHref: string; previous?: { href: string; name: string }; next?: { href: string; name: string }; position?: number; count?: number }
  | { kind: 'text' | 'code'; lines: string[]; replaced: boolean }
  | { kind: 'markdown'; html: string; replaced: boolean }
  | { kind: 'csv'; header: string[]; rows: string[][]; cut: boolean; replaced: boolean }
  | { kind: 'too_big'; limit: string }
  | { kind: 'pdf'; src: string }
  | { kind: 'document' | 'spreadsheet'; src: string }
  | { kind: 'audio' | 'video'; src: string; type?: string }
  | { kind: 'none' };

const MEDIA_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mov: 'video/quicktime',
};

async function viewerModelOf(kind: ViewerKind, entry: FolderEntry, dropbox: SessionDropbox, folders: FolderIndex, presentation: Presentation, localizer: Localizer): Promise<ViewerModel> {
  const path = entry.path;
  if (isTextViewer(kind)) {
    if ((entry.size ?? 0) > TEXT_VIEW_MAX_BYTES) return { kind: 'too_big', limit: localizer.size(TEXT_VIEW_MAX_BYTES) };
    const { text, replaced } = await readText(dropbox, path);
    if (kind === 'markdown') return { kind, html: markdownHtml(text), replaced };
    if (kind === 'csv') return { kind, ...csvTable(text), replaced };
    return { kind, lines: linesOf(text), replaced };
  }
  switch (kind) {
    case 'image': {
      const query = queryOf(presentation);
      const steps = await photoStepsOf(folders, dropbox, parentOf(path), entry.name, presentation.sort);
      const stepTo = (name: string | undefined) => (name ? { href: `${hrefOf('/file', `${parentOf(path)}/${name}`)}${query}`, name } : undefined);
      // TIFF, PPM and the like have thumbnails but no browser shows the original: full size is then the download.
      const fullHref = inlineTypeOf(entry.name) ? hrefOf('/content', path) : hrefOf('/download', path);
      return {
        kind,
        src: thumbnailHrefOf(entry, 'w2048h1536') ?? fullHref,
        fullHref,
        previous: stepTo(steps?.previous),
        next: stepTo(steps?.next),
        position: steps?.position,
        count: steps?.count,
      };
    }
    case 'pdf':
      return { kind, src: hrefOf('/content', path) };
    case 'document':
    case 'spreadsheet':
      return { kind, src: hrefOf('/preview', path) };
    case 'audio':
    case 'video':
      return { kind, src: await dropbox.temporaryLink(path), type: MEDIA_TYPES[entry.name.slice(entry.name.lastIndexOf('.') + 1).toLowerCase()] };
    default:
      return { kind: 'none' };
  }
}

export function fileHandler({ folders, now }: FileParts): RequestHandler {
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    const dropbox = dropboxOf(res);
    const entry = await dropbox.metadata(path);
    if (entry.type === 'folder') return res.redirect(302, hrefOf('/browse', path));
    const localizer = localizerOf(res);
    const presentation = presentationFrom(req.query);
    const folderPath = parentOf(entry.path);
    const query = queryOf(presentation);
    const crumbs = breadcrumbsOf(folderPath, query);
    const kind = fileKindOf('file', entry.name);
    const viewer = await viewerModelOf(viewerOf(entry.name, entry.size), entry, dropbox, folders, presentation, localizer);
    res.render('file', {
      title: entry.name,
      crumbs: [...crumbs, { label: entry.name, href: `${hrefOf('/file', entry.path)}${query}` }],
      viewer,
      file: {
        name: entry.name,
        path: entry.path,
        kind: localizer.t(`kind.${kind}`),
        icon: iconHrefOf(kind),
        size: localizer.size(entry.size),
        bytes: entry.size === undefined ? undefined : localizer.plural('file.bytes', entry.size),
        modified: `${localizer.date(entry.modified)}, ${localizer.time(entry.modified)}`,
        modifiedRelative: localizer.relative(entry.modified, now()),
        modifiedIso: entry.modified,
        downloadHref: hrefOf('/download', entry.path),
        dropboxHref: dropboxWebHrefOf(entry.path),
        folderHref: `${hrefOf('/browse', folderPath)}${query}`,
        folderLabel: crumbs[crumbs.length - 1].label,
      },
    });
  };
}
