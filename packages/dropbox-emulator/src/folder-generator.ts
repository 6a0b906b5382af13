import { SeededRandom } from './seeded-random';
import type { FileTree } from './tree/file-tree';

/**
 * Big folders for benchmarks and tests, made of virtual files (sizes, no bytes), so 100,000 of
 * them cost little memory:
 * - `photos`: a phone's camera uploads, `IMG_20240714_103012.jpg`, named after the time the
 *   photo was taken (client_modified), uploaded up to 90 days later (server_modified);
 * - `files`: documents and the like, `Invoice draft 00042.pdf`.
 * Names are unique, sizes 0.5-8 MB, dates spread over 2019-2025; the files are inserted in
 * shuffled order, so that neither name, date nor size order follows the listing order (which
 * is insertion order). The same seed gives the same folder, entry for entry.
 */

export type GeneratedKind = 'photos' | 'files';

export interface GenerateFolderSpec {
  /** The folder, created with its parents if need be; files already there are kept (same names are overwritten). */
  path: string;
  count: number;
  kind: GeneratedKind;
  /** Default 1. */
  seed?: number;
}

export interface GeneratedFolder {
  path: string;
  count: number;
  kind: GeneratedKind;
  seed: number;
}

/** What a benchmark compares a client's view with: each entry of a folder as Dropbox reports it. */
export interface EntryTruth {
  name: string;
  kind: 'file' | 'folder';
  /** Files only: bytes, and server_modified (what a client shows as "modified"). */
  size?: number;
  modified?: string;
}

export const MAX_GENERATED = 1_000_000;
const MIN_SIZE = 500_000;
const MAX_SIZE = 8_000_000;
const FIRST_DAY = Date.UTC(2019, 0, 1);
const LAST_DAY = Date.UTC(2025, 11, 31, 23, 59, 59);
const MAX_UPLOAD_LAG_MS = 90 * 24 * 3600 * 1000;

const TOPICS = ['Invoice', 'Report', 'Notes', 'Budget', 'Contract', 'Slides', 'Minutes', 'Receipt', 'Plan', 'Letter', 'Scan', 'Draft'];
const WORDS = ['final', 'draft', 'march', 'q3', 'signed', 'copy', 'review', 'old', 'new', 'v2', 'shared', 'team'];
const EXTENSIONS = ['pdf', 'docx', 'xlsx', 'pptx', 'txt', 'csv', 'zip', 'md'];

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `IMG_YYYYMMDD_HHMMSS.jpg` for a moment. */
function photoName(ms: number): string {
  const d = new Date(ms);
  return `IMG_${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.jpg`;
}

interface Planned {
  name: string;
  size: number;
  clientModified: number;
  modified: number;
}

function plan(random: SeededRandom, count: number, kind: GeneratedKind): Planned[] {
  const taken = new Set<string>();
  const planned: Planned[] = [];
  for (let n = 0; n < count; n += 1) {
    // Whole seconds, as Dropbox timestamps are.
    let moment = Math.floor((FIRST_DAY + random.next() * (LAST_DAY - FIRST_DAY)) / 1000) * 1000;
    let name: string;
    if (kind === 'photos') {
      // Two photos in the same second: the later one moves on a second, as burst shots are named.
      while (taken.has((name = photoName(moment)).toLowerCase())) moment += 1000;
    } else {
      name = `${random.pick(TOPICS)} ${random.pick(WORDS)} ${pad(n + 1, 5)}.${random.pick(EXTENSIONS)}`;
    }
    taken.add(name.toLowerCase());
    const lag = kind === 'photos' ? random.int(0, MAX_UPLOAD_LAG_MS / 1000) * 1000 : 0;
    planned.push({ name, size: random.int(MIN_SIZE, MAX_SIZE), clientModified: moment, modified: moment + lag });
  }
  return random.shuffle(planned);
}

export function generateFolder(tree: FileTree, spec: GenerateFolderSpec): GeneratedFolder {
  const { path, count, kind } = spec;
  const seed = spec.seed ?? 1;
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw new Error('path must be "" or start with "/"');
  if (!Number.isInteger(count) || count < 1 || count > MAX_GENERATED) throw new Error(`count must be a whole number from 1 to ${MAX_GENERATED}`);
  if (kind !== 'photos' && kind !== 'files') throw new Error('kind must be "photos" or "files"');
  if (!Number.isInteger(seed)) throw new Error('seed must be a whole number');
  const folder = tree.addFolder(path);
  for (const file of plan(new SeededRandom(seed), count, kind)) {
    tree.addFile(`${folder.pathDisplay}/${file.name}`, { size: file.size, modified: new Date(file.modified), clientModified: new Date(file.clientModified) });
  }
  return { path: folder.pathDisplay, count, kind, seed };
}

/** Every entry of the folder at `path`, in listing order. */
export function groundTruthOf(tree: FileTree, path: string): EntryTruth[] {
  return tree.list(path).map((node) => (node.kind === 'file' ? { name: node.name, kind: 'file', size: node.size, modified: node.serverModified } : { name: node.name, kind: 'folder' }));
}
