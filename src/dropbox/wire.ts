import { z } from 'zod';

/**
 * The shapes of Dropbox's answers that Dropview reads, checked at the edge (docs/dropbox-api.md
 * says where each comes from). Only the fields Dropview uses are declared; Dropbox sends more
 * (ids, content hashes, sharing info) and may add fields at any time, which zod's objects let
 * through unread.
 */

export const fileMetadata = z.object({
  '.tag': z.literal('file'),
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
  size: z.number(),
  server_modified: z.string(),
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

export const latestCursorResult = z.object({ cursor: z.string().min(1) });

/** A tolerant reader: Dropbox has answered longpolls as text/plain, and may add fields. */
export const longpollResult = z.object({ changes: z.boolean().catch(false), backoff: z.number().optional().catch(undefined) });

/** search_v2 nests each match's Metadata inside a MetadataV2 union (`{".tag": "metadata", "metadata": {...}}`). */
export const searchResult = z.object({
  matches: z.array(z.object({ metadata: z.object({ metadata: z.unknown() }).partial() }).partial()),
  has_more: z.boolean(),
  cursor: z.string().optional(),
});

export const thumbnailBatchResult = z.object({
  entries: z.array(
    z.union([
      z.object({ '.tag': z.literal('success'), thumbnail: z.string(), metadata: z.object({ rev: z.string().optional() }).optional() }),
      z.object({ '.tag': z.literal('failure'), failure: z.object({ '.tag': z.string() }).optional() }),
    ]),
  ),
});

export const spaceUsageResult = z.object({ used: z.number(), allocation: z.object({ allocated: z.number().optional() }) });

export const temporaryLinkResult = z.object({ link: z.string().min(1) });

/** files/download_zip's Dropbox-API-Result: `{"metadata": FolderMetadata}`. */
export const downloadZipResult = z.object({ metadata: folderMetadata });

export const currentAccountResult = z.object({
  name: z.object({ display_name: z.string() }),
  email: z.string(),
  root_info: z.object({ root_namespace_id: z.string(), home_namespace_id: z.string() }).partial().optional(),
});

export const tokenResult = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  account_id: z.string().min(1).optional(),
});
