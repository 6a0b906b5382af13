import type { RequestHandler } from 'express';
import { dropboxPathOf, segmentsOf } from '../dropbox-path';
import type { Services } from '../services';

/**
 * @route GET /__bench/floor{/*splat} : only with DROPVIEW_BENCH_FLOOR=1. The benchmarks' floor:
 * the same session, the same token handling and the same list_folder as a folder page, and no
 * other work, so that the folder page's own cost can be measured against it.
 */
export function benchFloorHandler(services: Services): RequestHandler {
  const { api, tokens } = services;
  return async (req, res) => {
    const path = dropboxPathOf(segmentsOf(req));
    res.json(await tokens.withAccessToken(req, (auth) => api.listFolder(auth, path, 2000)));
  };
}
