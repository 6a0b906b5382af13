import { z } from 'zod';

/**
 * The shapes of Dropbox's answers that Dropview reads, checked at the edge. Only the fields
 * Dropview uses are declared; Dropbox sends more (ids, content hashes, sharing info) and may
 * add fields at any time, which zod's objects let through unread.
 */

const timestamp = z.string();

export const fileMetadata = z.object({
  '.tag': z.literal('file'),
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
  size: z.number(),
  server_modified: timestamp,
  rev: z.string(),
});

export const folderMetadata = z.object({
  '.tag': z.literal('folder'),
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
});

/** In change feeds: what was at `path_lower` is gone. */
export const deletedMetadata = z.object({
  '.tag': z.literal('deleted'),
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
});

export const metadata = z.discriminatedUnion('.tag', [fileMetadata, folderMetadata, deletedMetadata]);
export type Metadata = z.infer<typeof metadata>;

/** ListFolderResult; each entry is checked on its own, so that one entry of a kind Dropview does not know is skipped, not fatal. */
export const listFolderResult = z.object({
  entries: z.array(z.unknown()),
  cursor: z.string().min(1),
  has_more: z.boolean(),
});
