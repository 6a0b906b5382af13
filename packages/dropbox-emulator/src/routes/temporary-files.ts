import express, { type Router } from 'express';
import type { EmulatorContext } from '../context';
import { sendFileBytes } from './byte-ranges';

/**
 * GET /temp/<id>/<name>: the bytes behind a files/get_temporary_link link, from the account
 * that asked for it; 410 Gone after 4 hours, 404 when the file has gone or changed place.
 * Links are kept in a bounded map (context.ts), so a very old link may also answer 404. Range
 * requests are served (206), which is what <audio> and <video> need to seek.
 */

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  json: 'application/json',
  csv: 'text/csv',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  webp: 'image/webp',
  html: 'text/html',
};

function contentTypeOf(name: string): string {
  return CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

export function temporaryFileRoutes(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.get('/temp/:id/:name', (req, res) => {
    const link = ctx.temporaryLinks.get(req.params.id);
    if (!link) return void res.status(404).type('text').send('Not found');
    if (link.expiresAt <= ctx.now()) return void res.status(410).type('text').send('Gone: this temporary link has expired.');
    const node = ctx.accounts.get(link.accountId)?.tree.lookup(link.path);
    if (!node || node.kind !== 'file' || node.id !== link.fileId) return void res.status(404).type('text').send('Not found');
    res.setHeader('Content-Type', contentTypeOf(node.name));
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(node.name)}`);
    sendFileBytes(req, res, node);
  });
  return router;
}
