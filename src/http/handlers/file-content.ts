import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { RequestHandler, Response } from 'express';
import type { ContentStream } from '../../dropbox/api-client';
import { isRouteError } from '../../dropbox/errors';
import { inlineTypeOf, PREVIEW_MAX_BYTES } from '../../files/file-preview';
import { hrefOf } from '../../views/hrefs';
import { AppError, type ErrorText } from '../app-error';
import { appErrorOf } from '../error-table';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import { localizerOf } from '../middleware/language';
import { dropboxOf } from '../session-dropbox';

/**
 * A file's bytes for the browser to show in the page, and a folder as a .zip. What Dropbox
 * hands over here is the user's file or Dropbox's rendering of it, so it is untrusted: it is
 * served with `Content-Security-Policy: sandbox` (an opaque origin that runs no script and
 * reaches nothing of Dropview's) and may be framed by Dropview's own pages only.
 */

/**
 * Headers for untrusted content shown in a frame of a Dropview page: sandboxed, loading
 * nothing but inline styles and data: images, framed only by Dropview (the app-wide headers
 * say "never framed").
 */
function sandboxed(res: Response, contentType: string): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'");
  res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  res.setHeader('Cache-Control', 'private, no-store');
}

/** `attachment; filename*=UTF-8''<name>` (or `inline`): the name survives any character. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Passes a download on to the browser with back-pressure (stream.pipeline): Dropbox is read
 * only as fast as the browser takes the bytes, and a browser that goes away ends the call to
 * Dropbox (its stream is destroyed).
 */
async function relay(body: Readable, res: Response): Promise<void> {
  try {
    await pipeline(body, res);
  } catch {
    // The browser left, or Dropbox broke off: the response is already under way and cannot become an error page.
    body.destroy();
  }
}

/** Aborted when the browser goes away before the answer is complete, so a download not yet started is not started. */
function abortOnClose(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** @route GET /content/*splat : a PDF or photo inline, for the browser's own viewer (files/download, streamed). */
export const contentHandler: RequestHandler = async (req, res) => {
  const path = dropboxPathOf(segmentsOf(req));
  const name = path.slice(path.lastIndexOf('/') + 1);
  const contentType = inlineTypeOf(name);
  if (!contentType) throw new AppError(404, 'no_inline_view', 'errors.noInlineView', { action: { href: hrefOf('/file', path), label: 'errors.backToFile' } });
  let download: ContentStream;
  try {
    download = await dropboxOf(res).downloadStream(path, abortOnClose(res));
  } catch (error) {
    if (isRouteError(error, 'not_file')) return res.redirect(302, hrefOf('/browse', path));
    throw error;
  }
  sandboxed(res, contentType);
  res.setHeader('Content-Disposition', disposition('inline', download.name));
  await relay(download.body, res);
};

/** The page shown inside the preview frame when there is no preview to show (yet). */
function previewStatus(res: Response, status: number, message: ErrorText, retry: string | undefined): void {
  sandboxed(res, 'text/html; charset=utf-8');
  if (retry) res.setHeader('Retry-After', '5');
  res.status(status).render('preview-status', { message: localizerOf(res).t(message.key, message.params), retry });
}

/**
 * @route GET /preview/*splat : Dropbox's preview of a document (PDF) or spreadsheet (HTML),
 * files/get_preview, for a frame of the file page. Failures are told inside the frame.
 */
export const previewHandler: RequestHandler = async (req, res) => {
  const path = dropboxPathOf(segmentsOf(req));
  try {
    const preview = await dropboxOf(res).preview(path, PREVIEW_MAX_BYTES);
    sandboxed(res, preview.type === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8');
    res.send(preview.bytes);
  } catch (error) {
    if (isRouteError(error, 'in_progress')) return previewStatus(res, 503, { key: 'preview.preparing' }, req.originalUrl);
    if (isRouteError(error, 'unsupported_extension') || isRouteError(error, 'unsupported_content')) {
      return previewStatus(res, 415, { key: 'preview.unsupported' }, undefined);
    }
    const failure = appErrorOf(error);
    previewStatus(res, failure.status, failure.text, failure.status >= 500 ? req.originalUrl : undefined);
  }
};

/** @route GET /zip/*splat : a folder as a .zip (files/download_zip), streamed to the browser. */
export const zipHandler: RequestHandler = async (req, res) => {
  const path = dropboxPathOf(segmentsOf(req));
  let zip: ContentStream;
  try {
    zip = await dropboxOf(res).downloadZip(path, abortOnClose(res));
  } catch (error) {
    if (isRouteError(error, 'not_folder')) return res.redirect(302, hrefOf('/download', path));
    throw error;
  }
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', disposition('attachment', `${zip.name}.zip`));
  res.setHeader('Cache-Control', 'private, no-store');
  await relay(zip.body, res);
};
