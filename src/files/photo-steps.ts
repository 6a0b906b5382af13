import type { FolderIndex, FolderSource } from '../folders/folder-index';
import type { SortChoice } from '../folders/sort-order';
import { hasThumbnail } from '../file-types/file-types';

/**
 * The photos before and after one photo in its folder, in the order the folder is shown in,
 * from the folder's index (so stepping costs no listing once the folder has been read).
 */

/** Rows looked through for neighbours: a photo further into a bigger folder gets no steps. */
export const PHOTO_STEP_WINDOW = 10_000;

export interface PhotoSteps {
  previous?: string;
  next?: string;
  /** 1-based place among the folder's photos, and how many there are (in the rows looked through). */
  position: number;
  count: number;
}

export async function photoStepsOf(folders: FolderIndex, source: FolderSource, folderPath: string, name: string, sort: SortChoice): Promise<PhotoSteps | undefined> {
  const page = await folders.page(source, folderPath, { sort, limit: PHOTO_STEP_WINDOW });
  const photos = page.entries.filter((entry) => !entry.folder && hasThumbnail(entry.name, entry.size));
  const lower = name.toLowerCase();
  const index = photos.findIndex((entry) => entry.lower === lower);
  if (index < 0) return undefined;
  return { previous: photos[index - 1]?.name, next: photos[index + 1]?.name, position: index + 1, count: photos.length };
}
