import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { setImmediate as setImmediatePromise, setTimeout as delay } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Sealer } from '../crypto/sealer';
import type { ListedEntry, ListedPage } from '../dropbox/api-client';
import { isDropboxFailure, isRouteError } from '../dropbox/errors';
import { NO_TELEMETRY, type Telemetry } from '../telemetry/telemetry';
import { FolderSnapshot, type Change, type IndexEntry } from './folder-snapshot';
import { decodeBatch, decodeEntries, decodeFirstPages, encodeBatch, encodeFirstPages, IndexCodecError, upsertsOf } from './index-codec';
import type { FolderIndexStore, IndexHead } from './index-store';
import { openPosition, sealPosition } from './page-cursor';
import type { QuietFolders } from './quiet-folders';
import { displayComparator, indexAfter, SORT_KEYS, type SortChoice } from './sort-order';

/**
 * Folders of any size, listed once and kept fresh by Dropbox's own cursors.
 *
 * The first view of a folder reads it (list_folder, then list_folder/continue until
 * `has_more` is false) into an index shared by every instance and every session of the same
 * Dropbox account and root (folder-index store). Reading is done once: one instance holds the
 * read lease and writes each page as it arrives; the others show what it wrote so far. A later
 * view costs one list_folder/continue on the index's cursor, which answers only what changed
 * (usually nothing), and the change is applied and written for everyone; while a Dropbox
 * longpoll on that cursor stays quiet, not even that (quiet-folders.ts). A `reset`, or an
 * index that expired, reads the folder again.
 *
 * Every order is kept over the whole folder (folder-snapshot.ts), and pages are cut by
 * position (page-cursor.ts), not by offset.
 */

/** The Dropbox an index is read from: one account and root, calls made with some session's token. */
export interface FolderSource {
  accountId: string;
  /** The root namespace sent as Dropbox-API-Path-Root for team spaces; `` for the home namespace. */
  root: string;
  listFolder(path: string, limit: number): Promise<ListedPage>;
  /** `quick`: a rate-limited answer is not waited out (a freshness check then serves what the index has). */
  listFolderContinue(cursor: string, options?: { quick?: boolean }): Promise<ListedPage>;
  latestCursor(path: string): Promise<string>;
  /** The folder's path as Dropbox displays it (`/Photos`), for breadcrumbs and links. */
  displayPathOf(path: string): Promise<string>;
}

export interface PageRequest {
  sort: SortChoice;
  /** A page cursor: the page starts after that row. */
  after?: string;
  /** A page cursor: the page holds every row from the start through that one (restoring a list that was extended). */
  through?: string;
  limit: number;
}

export interface FolderPage {
  indexId: string;
  /** `/Photos/2024 Trip`, or `` for the root. */
  displayPath: string;
  entries: IndexEntry[];
  /** Entries in the folder (so far, while it is being read). */
  total: number;
  /** The whole folder has been read; until then `entries` come from what was read so far. */
  complete: boolean;
  /** The folder held more entries than an index keeps. */
  truncated: boolean;
  hasMore: boolean;
  /** Where the next page starts: after the last row of this one. */
  cursor?: string;
  /** Changes whenever the folder's contents do (rendered rows can be kept while it stays). */
  version: string;
  /** Dropbox did not answer the freshness check: the entries are what the index last knew. */
  stale: boolean;
}

/** A page cursor that does not open: made for another folder or order, or altered. */
/** 5xx, a timeout or no answer at all: Dropbox cannot say whether anything changed. */
function isUnavailable(error: unknown): boolean {
  return isDropboxFailure(error, 'unavailable') || isDropboxFailure(error, 'timeout') || isDropboxFailure(error, 'unreachable');
}

export class PageCursorError extends Error {
  override name = 'PageCursorError';
}

export interface FolderIndexOptions {
  /** Entries per list_folder call: Dropbox's maximum. */
  listLimit?: number;
  /** How long the view that starts a read waits for it to finish before showing what it has. */
  firstPaintMs?: number;
  /** An index not written for this long is dropped and read again on the next view. */
  ttlMs: number;
  /** A reader that stops writing for this long loses the read to whoever asks next. */
  leaseMs?: number;
  /** Entries one index keeps; a bigger folder is shown sorted over this many. */
  maxEntries: number;
  /** Entries held in this process's memory across all indexes. */
  memoryEntries: number;
  /** An unchanged folder's cursor is written back at most this often (Dropbox says keep the newest). */
  cursorRefreshMs?: number;
  /** Compact when this many change batches follow the sorted ones. */
  compactAfterBatches?: number;
  /** Rows of each order stored beside the index, so a first view on an instance that has not loaded it answers at once. */
  firstPageRows?: number;
  now?: () => number;
  /** Told of hits, freshness checks and full reads. */
  telemetry?: Telemetry;
  /** Folders a Dropbox longpoll vouches for, served without a freshness check; without it every view checks. */
  quiet?: QuietFolders;
  /** Said when background work (a read, a compaction) fails; never with tokens or names. */
  onBackgroundError?: (event: string, error: unknown) => void;
}

interface Held {
  id: string;
  generation: string;
  /** Batches of `generation` applied to `snapshot`. */
  batches: number;
  sortedBatches: number;
  sequence: number;
  cursor: string;
  complete: boolean;
  truncated: boolean;
  displayPath: string;
  writtenAt: number;
  /** When this copy was last brought up to date with the store (0: never). */
  syncedAt: number;
  snapshot: FolderSnapshot;
  /** Bytes of the batches of `generation` this copy was built from (what the store holds of them). */
  storedBytes: number;
}

interface Checked {
  held: Held;
  stale: boolean;
}

interface Reading {
  held: Held;
  /** Settles when the first page was written (or failed: its error is the view's). */
  firstPage: Promise<void>;
  done: Promise<void>;
}

const MAX_THROUGH_ROWS = 10_000;
/** The collator's version: a compacted index sorted by the same one is loaded without checking its order. */
const ICU_VERSION = process.versions.icu ?? 'none';
const POLL_MS = 150;
/**
 * How long a view waits for another instance's first page when there is nothing to show yet:
 * as long as that instance's first Dropbox call may take (its timeout), so a slow Dropbox or a
 * busy reader shows the first entries rather than an empty page.
 */
const FIRST_PAGE_PATIENCE_MS = 10_000;
/**
 * How long a complete copy synced with the store serves views without syncing again. What
 * changed at Dropbox the view's own freshness check (list_folder/continue from this copy's
 * cursor) reports anyway; the store adds only what other instances did to the index itself (a
 * compaction, a re-read after a reset), which can wait this long. A view of an unchanged
 * folder then costs its one Dropbox call and no Redis command for the index.
 */
const SYNC_REUSE_MS = 2000;
const COMPACT_BATCH_ENTRIES = 2000;

const orderName = (sort: SortChoice) => `${sort.key}.${sort.order}`;

function lowerName(pathLower: string): string {
  return pathLower.slice(pathLower.lastIndexOf('/') + 1);
}

/**
 * The folder's spelling as Dropbox displays it, read off its entries' `path_display` (the
 * folder is their parent): the first view then costs the listing alone, not a get_metadata
 * beside it. Undefined for an empty folder (or entries without the field).
 */
function displayPathFromEntries(entries: readonly ListedEntry[]): string | undefined {
  const shown = entries.find((entry) => entry.type !== 'deleted' && entry.pathDisplay)?.pathDisplay;
  return shown === undefined ? undefined : shown.slice(0, shown.lastIndexOf('/'));
}

/** Dropbox's answer as changes to apply: entries stored at their path, deleted ones removed. */
export function changesOf(entries: readonly ListedEntry[]): Change[] {
  return entries.map((entry): Change => {
    const lower = lowerName(entry.pathLower);
    if (entry.type === 'deleted') return { kind: 'delete', lower };
    if (entry.type === 'folder') return { kind: 'upsert', entry: { folder: true, name: entry.name, lower, size: 0, modified: 0 } };
    const modified = entry.modified ? Math.floor(Date.parse(entry.modified) / 1000) : 0;
    return { kind: 'upsert', entry: { folder: false, name: entry.name, lower, size: entry.size ?? 0, modified: Number.isFinite(modified) ? modified : 0, rev: entry.rev } };
  });
}

export class FolderIndex {
  private readonly held: LRUCache<string, Held>;
  private readonly reads = new Map<string, Reading>();
  /** Attempts to take a read lease in flight, so that requests of this process ask Redis once. */
  private readonly leaseAttempts = new Map<string, Promise<Reading | undefined>>();
  private readonly syncs = new Map<string, Promise<Held | undefined>>();
  private readonly checks = new Map<string, Promise<Checked>>();
  /** Freshness checks sent beside a sync with the store, until the check they start takes them (see earlyCheck). */
  private readonly earlyChecks = new Map<string, Promise<ListedPage>>();
  private readonly compactions = new Set<string>();
  /** Page cursors after a row, by index and order (see cursorAfter); gone with the row. */
  private readonly sealedCursors = new WeakMap<IndexEntry, Map<string, string>>();
  private readonly idKey: Buffer;
  private readonly closing = new AbortController();
  private readonly options: Required<Omit<FolderIndexOptions, 'onBackgroundError' | 'quiet'>> & Pick<FolderIndexOptions, 'onBackgroundError' | 'quiet'>;
  private readonly telemetry: Telemetry;

  constructor(
    private readonly store: FolderIndexStore,
    private readonly sealer: Sealer,
    /** Key material for index ids: the first token-encryption key. */
    idSecret: string,
    options: FolderIndexOptions,
  ) {
    this.options = {
      listLimit: 2000,
      firstPaintMs: 600,
      leaseMs: 15_000,
      cursorRefreshMs: 5 * 60_000,
      compactAfterBatches: 16,
      firstPageRows: 200,
      now: Date.now,
      telemetry: NO_TELEMETRY,
      ...options,
    };
    this.telemetry = this.options.telemetry;
    this.idKey = Buffer.from(hkdfSync('sha256', idSecret, 'dropview', 'folder-index-id-v1', 32));
    this.held = new LRUCache<string, Held>({ maxSize: this.options.memoryEntries, sizeCalculation: (held) => held.snapshot.size + 1 });
  }

  /**
   * The index's id: the same for every session of one account and root, different for another
   * account with the same folder path, and telling nothing about either in a Redis key name.
   */
  idOf(source: Pick<FolderSource, 'accountId' | 'root'>, path: string): string {
    return createHmac('sha256', this.idKey).update(`${source.accountId}\n${source.root}\n${path.toLowerCase()}`).digest('base64url').slice(0, 22);
  }

  /** One page of the folder at `path`, read or checked against Dropbox as the index needs. */
  async page(source: FolderSource, path: string, request: PageRequest): Promise<FolderPage> {
    const id = this.idOf(source, path);
    const positions = this.positionsOf(id, request);
    const cold = await this.coldStart(source, id, request, positions);
    if (cold?.page) {
      this.telemetry.folderIndex('hit');
      return cold.page;
    }
    // No index in the store at all (coldStart just looked): nothing to sync, the folder is read.
    if (cold?.absent) return this.pageOf(await this.untilReadable(source, path, id, undefined), request, positions, false);
    const early = cold?.early ?? this.earlyCheck(source, id);
    // An early check that no check takes over is dropped: a later view must not read its old answer.
    const synced = await this.sync(id).catch((error: unknown) => {
      this.earlyChecks.delete(id);
      throw error;
    });
    if (!synced?.complete) {
      this.earlyChecks.delete(id);
      return this.pageOf(await this.untilReadable(source, path, id, synced), request, positions, false);
    }
    const { held, stale } = await this.checked(source, path, id, synced, early);
    if (held.complete) this.telemetry.folderIndex('hit');
    return this.pageOf(held, request, positions, stale);
  }

  /**
   * The index's Dropbox cursor and whether it is complete, for watching the folder (longpoll).
   * A folder with no index (it expired while its page stayed open) is read again.
   */
  async cursorOf(source: FolderSource, path: string): Promise<{ id: string; cursor?: string; complete: boolean; entries: number; version: string }> {
    const id = this.idOf(source, path);
    let held = this.reads.get(id)?.held ?? (await this.sync(id));
    if (!held || (!held.complete && !this.reads.has(id))) {
      const reading = await this.startReadingOnce(source, path, id, held);
      // A folder that cannot be read (gone, not a folder) says so here, to whoever watches it.
      await reading?.firstPage;
      held = reading?.held ?? held;
    }
    return { id, cursor: held?.complete ? held.cursor : undefined, complete: held?.complete ?? false, entries: held?.snapshot.size ?? 0, version: held ? this.versionOf(held) : '' };
  }

  /** Checks the folder against Dropbox now (after a longpoll said it changed); the new version. */
  async refresh(source: FolderSource, path: string): Promise<string> {
    const id = this.idOf(source, path);
    // Another longpoll said the folder changed: whatever vouched for it no longer does.
    this.options.quiet?.forget(id);
    const held = await this.sync(id);
    if (!held?.complete) return held ? this.versionOf(held) : '';
    return this.versionOf((await this.checked(source, path, id, held)).held);
  }

  /** Entries this process holds across indexes, and the stored bytes of the batches they came from (for metrics). */
  heldSize(): { entries: number; storedBytes: number } {
    let entries = 0;
    let storedBytes = 0;
    for (const held of this.held.values()) {
      entries += held.snapshot.size;
      storedBytes += held.storedBytes;
    }
    return { entries, storedBytes };
  }

  /** Redis bytes of a folder's index, for the benchmarks. */
  async bytesOf(source: FolderSource, path: string): Promise<number> {
    return this.store.bytesOf(this.idOf(source, path));
  }

  /**
   * Stops reads in progress (at shutdown): each stops after its Dropbox call in flight and
   * hands its read lease back, so another instance resumes at once; waits `graceMs` at most.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closing.abort();
    this.options.quiet?.close();
    const settled = Promise.allSettled([...this.reads.values()].map((reading) => reading.done));
    await Promise.race([settled, delay(graceMs)]);
  }

  private positionsOf(id: string, request: PageRequest) {
    const open = (cursor: string | undefined) => {
      if (cursor === undefined) return undefined;
      const position = openPosition(this.sealer, id, request.sort, cursor);
      if (!position) throw new PageCursorError('a page cursor did not open');
      return position;
    };
    return { after: open(request.after), through: open(request.through) };
  }

  private pageOf(held: Held, request: PageRequest, positions: ReturnType<FolderIndex['positionsOf']>, stale: boolean): FolderPage {
    const order = held.snapshot.order(request.sort);
    const compare = displayComparator(request.sort);
    const start = positions.after ? indexAfter(order, positions.after, compare) : 0;
    const end = positions.through ? Math.min(indexAfter(order, positions.through, compare), start + MAX_THROUGH_ROWS) : Math.min(start + request.limit, order.length);
    const entries = order.slice(start, Math.max(start, end));
    const last = entries[entries.length - 1];
    return {
      indexId: held.id,
      displayPath: held.displayPath,
      entries,
      total: held.snapshot.size,
      complete: held.complete,
      truncated: held.truncated,
      hasMore: end < order.length || !held.complete,
      cursor: last ? this.cursorAfter(held.id, request.sort, last) : request.after,
      version: this.versionOf(held),
      stale,
    };
  }

  /**
   * The page cursor after `row`: sealed once per row and order and then reused (the seal is
   * deterministic, so this is the same text), since every view of an unchanged folder ends its
   * first page on the same row; sealing it each time was 2 % of a folder page's CPU.
   */
  private cursorAfter(id: string, sort: SortChoice, row: IndexEntry): string {
    const key = `${id}\n${orderName(sort)}`;
    let byOrder = this.sealedCursors.get(row);
    if (!byOrder) this.sealedCursors.set(row, (byOrder = new Map<string, string>()));
    let cursor = byOrder.get(key);
    if (cursor === undefined) byOrder.set(key, (cursor = sealPosition(this.sealer, id, sort, row)));
    return cursor;
  }

  private versionOf(held: Held): string {
    return `${held.id}.${held.generation}.${held.snapshot.version}`;
  }

  /** This process's copy of an index, brought up to date with the store; one sync per index at a time. */
  private sync(id: string): Promise<Held | undefined> {
    const reading = this.reads.get(id);
    // The reader's own copy is ahead of what it has written.
    if (reading) return Promise.resolve(reading.held);
    const known = this.held.get(id);
    if (known?.complete && this.options.now() - known.syncedAt < SYNC_REUSE_MS) return Promise.resolve(known);
    let flight = this.syncs.get(id);
    if (!flight) {
      flight = this.syncOnce(id).finally(() => this.syncs.delete(id));
      this.syncs.set(id, flight);
    }
    return flight;
  }

  private async syncOnce(id: string): Promise<Held | undefined> {
    const known = this.held.get(id);
    const result = await this.store.sync(id, known?.generation, known?.batches);
    if (!result) {
      this.held.delete(id);
      return undefined;
    }
    const { head, from, batches } = result;
    const held = known && from > 0 && known.generation === head.generation ? known : this.emptyHeld(id, head);
    try {
      for (const [index, batch] of batches.entries()) {
        held.storedBytes += batch.length;
        if (from + index < head.sortedBatches) held.snapshot.appendInNameOrder(decodeEntries(batch, this.sealer, id), head.sortedBy === ICU_VERSION);
        else held.snapshot.apply(decodeBatch(batch, this.sealer, id));
        // A big index loads in steps, so that requests in flight (this view's own check with
        // Dropbox among them) go on meanwhile.
        if (batches.length > 1) await setImmediatePromise();
      }
    } catch (error) {
      if (!(error instanceof IndexCodecError)) throw error;
      // Written under keys this server no longer has, or in a format it does not read: the
      // index counts as lost, and the folder is read again.
      this.options.onBackgroundError?.('folder_index_unreadable', error);
      await this.store.delete(id);
      this.held.delete(id);
      return undefined;
    }
    Object.assign(held, {
      generation: head.generation,
      batches: from + batches.length,
      sortedBatches: head.sortedBatches,
      sequence: head.sequence,
      cursor: this.openCursor(id, head.cursor),
      complete: head.complete,
      truncated: head.truncated,
      displayPath: this.sealer.open(head.displayPath, `path:${id}`) ?? '',
      writtenAt: head.writtenAt,
      syncedAt: this.options.now(),
    });
    this.held.set(id, held);
    return held;
  }

  private emptyHeld(id: string, head?: IndexHead): Held {
    return {
      id,
      generation: head?.generation ?? '',
      batches: 0,
      sortedBatches: 0,
      sequence: head?.sequence ?? 0,
      cursor: '',
      complete: false,
      truncated: false,
      displayPath: '',
      writtenAt: 0,
      syncedAt: 0,
      snapshot: new FolderSnapshot(),
      storedBytes: 0,
    };
  }

  private openCursor(id: string, sealed: string): string {
    return this.sealer.open(sealed, `cursor:${id}`) ?? '';
  }

  private sealCursor(id: string, cursor: string): string {
    return this.sealer.seal(cursor, `cursor:${id}`);
  }

  /**
   * While a folder is being read: the view that starts the read waits for it up to
   * firstPaintMs, then shows what was read; other views show what there is at once (or wait
   * for the first page, when there is nothing yet, FIRST_PAGE_PATIENCE_MS at most).
   */
  private async untilReadable(source: FolderSource, path: string, id: string, held: Held | undefined): Promise<Held> {
    const deadline = this.options.now() + this.options.firstPaintMs;
    for (;;) {
      let reading = this.reads.get(id);
      const startedHere = !reading;
      reading ??= await this.startReadingOnce(source, path, id, held);
      if (reading) {
        await reading.firstPage;
        if (startedHere) await Promise.race([reading.done.catch(() => undefined), delay(Math.max(0, deadline - this.options.now()))]);
        return reading.held;
      }
      // Another instance is reading: what it wrote so far, once there is something.
      if (held && held.snapshot.size > 0) return held;
      const left = deadline + FIRST_PAGE_PATIENCE_MS - this.options.now();
      if (left <= 0) return held ?? this.emptyHeld(id);
      await delay(Math.min(POLL_MS, left));
      held = await this.sync(id);
      if (held?.complete) return held;
    }
  }

  private startReadingOnce(source: FolderSource, path: string, id: string, held: Held | undefined): Promise<Reading | undefined> {
    let attempt = this.leaseAttempts.get(id);
    if (!attempt) {
      attempt = this.startReading(source, path, id, held).finally(() => this.leaseAttempts.delete(id));
      this.leaseAttempts.set(id, attempt);
    }
    return attempt;
  }

  /** Takes the read lease and reads in the background; undefined when another instance has the lease. */
  private async startReading(source: FolderSource, path: string, id: string, held: Held | undefined): Promise<Reading | undefined> {
    const owner = randomBytes(9).toString('base64url');
    if (!(await this.store.takeLease(id, owner, this.options.leaseMs))) return undefined;
    this.telemetry.folderIndex('full_read');
    const resumeFrom = held && !held.complete && held.cursor ? held : undefined;
    const target = resumeFrom ?? this.emptyHeld(id);
    let firstPageDone!: () => void;
    let firstPageFailed!: (error: unknown) => void;
    const firstPage = new Promise<void>((resolve, reject) => ((firstPageDone = resolve), (firstPageFailed = reject)));
    // Nobody may be waiting on it (a resumed read), and a rejection nobody awaits must not crash.
    firstPage.catch(() => undefined);
    if (resumeFrom) firstPageDone();
    const reading: Reading = { held: target, firstPage, done: Promise.resolve() };
    reading.done = this.read(source, path, id, owner, target, firstPageDone)
      .catch((error: unknown) => {
        firstPageFailed(error);
        if (!this.closing.signal.aborted) this.options.onBackgroundError?.('folder_read_failed', error);
        throw error;
      })
      .finally(async () => {
        this.reads.delete(id);
        await this.store.releaseLease(id, owner).catch(() => undefined);
      });
    reading.done.catch(() => undefined);
    this.reads.set(id, reading);
    this.held.set(id, target);
    return reading;
  }

  /**
   * The read itself: each page applied here at once (views of this process see it), written
   * to the store in order behind the next call to Dropbox, which starts as soon as the
   * previous page's cursor is known.
   */
  private async read(source: FolderSource, path: string, id: string, owner: string, held: Held, firstPageDone: () => void): Promise<void> {
    let cursor = held.cursor;
    let hasMore = true;
    let writes: Promise<void> = Promise.resolve();
    let writeFailed: Error | undefined;
    const write = (work: () => Promise<void>) => {
      writes = writes.then(work).catch((error: unknown) => void (writeFailed ??= error instanceof Error ? error : new Error(String(error))));
    };

    if (!cursor) {
      const first = await source.listFolder(path, this.options.listLimit);
      const displayPath = path === '' ? '' : (displayPathFromEntries(first.entries) ?? (await source.displayPathOf(path)));
      const changes = changesOf(first.entries);
      held.snapshot.apply(changes);
      held.displayPath = displayPath;
      ({ cursor, hasMore } = first);
      const batch = encodeBatch(changes, this.sealer, id);
      const truncated = await this.truncateIfFull(source, path, held, hasMore);
      if (truncated) ({ cursor, hasMore } = truncated);
      const created = await this.store.create(id, owner, {
        cursor: this.sealCursor(id, cursor),
        complete: !hasMore,
        entries: held.snapshot.size,
        displayPath: this.sealer.seal(displayPath, `path:${id}`),
        batch,
        truncated: held.truncated,
      });
      if (!created) throw new Error('the folder index read lease was lost');
      Object.assign(held, { ...created, batches: 1, cursor, complete: !hasMore, writtenAt: this.options.now(), storedBytes: batch.length });
      firstPageDone();
    }

    // Each page is asked for as soon as the previous one's cursor is known: applying and writing
    // a page happens while Dropbox prepares the next, so the read keeps Dropbox's own pace.
    const ask = (from: string) => {
      const call = source.listFolderContinue(from);
      // Awaited below, unless the read stops first: that must not be an unhandled rejection.
      call.catch(() => undefined);
      return call;
    };
    let next = hasMore ? ask(cursor) : undefined;
    while (next) {
      if (this.closing.signal.aborted) throw new Error('stopping');
      if (writeFailed) throw writeFailed;
      const page = await next;
      const full = held.snapshot.size + page.entries.length >= this.options.maxEntries;
      next = page.hasMore && !full ? ask(page.cursor) : undefined;
      // Let that call go out before this page is applied: its request is sent from promise
      // callbacks, which would otherwise wait for the work below.
      if (next) await setImmediatePromise();
      const changes = changesOf(page.entries);
      held.snapshot.apply(changes);
      // Keep the name order merged as pages arrive, a page at a time, rather than sorting the whole folder at the end.
      held.snapshot.inNameOrder();
      ({ cursor, hasMore } = page);
      const truncated = await this.truncateIfFull(source, path, held, hasMore);
      if (truncated) ({ cursor, hasMore } = truncated);
      // Held back for fear of the size bound, which this page did not reach after all.
      if (hasMore && !next) next = ask(cursor);
      const batch = encodeBatch(changes, this.sealer, id);
      const state = { cursor, complete: !hasMore, entries: held.snapshot.size, truncated: held.truncated };
      write(async () => {
        const result = await this.store.advance(id, {
          expectedSequence: held.sequence,
          owner,
          batch,
          cursor: this.sealCursor(id, state.cursor),
          complete: state.complete,
          entries: state.entries,
          truncated: state.truncated,
        });
        if (!result.ok) throw new Error(`the folder index could not be written (${result.reason})`);
        Object.assign(held, {
          sequence: result.sequence,
          batches: held.batches + 1,
          cursor: state.cursor,
          complete: state.complete,
          writtenAt: this.options.now(),
          storedBytes: held.storedBytes + batch.length,
        });
      });
    }
    await writes;
    if (writeFailed) throw writeFailed;
    if (held.complete) this.options.quiet?.checked(id, held.cursor);
    // A folder read in one page that fits in the stored first pages is left as written: another
    // instance loads and sorts it in no time, and compacting it (every order's first rows
    // encoded and sealed) was an eighth of the CPU of a first view of a 100-entry folder
    // (npm run bench:profile, PROFILE_FIRST_VIEWS=1).
    if (held.batches > 1 || held.snapshot.size > this.options.firstPageRows) this.compactLater(id, held);
  }

  /** At the size bound: stop reading, and watch the folder from now on (the rest stays unread). */
  private async truncateIfFull(source: FolderSource, path: string, held: Held, hasMore: boolean): Promise<{ cursor: string; hasMore: false } | undefined> {
    if (!hasMore || held.snapshot.size < this.options.maxEntries) return undefined;
    held.truncated = true;
    return { cursor: await source.latestCursor(path), hasMore: false };
  }

  /**
   * A complete index this process does not hold yet (another instance read it). Its head and
   * stored first pages are read alone (small), and the freshness check starts from the head's
   * cursor at once. A first page in a stored order, of a folder Dropbox says is unchanged, is
   * answered from the stored rows while the whole index loads behind it for the views that
   * follow; anything else waits for the load, which Dropbox's answer has meanwhile overlapped.
   */
  private async coldStart(
    source: FolderSource,
    id: string,
    request: PageRequest,
    positions: ReturnType<FolderIndex['positionsOf']>,
  ): Promise<{ page?: FolderPage; early?: Promise<ListedPage>; absent?: true } | undefined> {
    if (this.held.has(id) || this.reads.has(id) || this.checks.has(id)) return undefined;
    const found = await this.store.firstPages(id);
    const head = found?.head;
    if (!head) return { absent: true };
    const cursor = head.complete ? this.openCursor(id, head.cursor) : '';
    if (!cursor) return undefined;
    const early = source.listFolderContinue(cursor, { quick: true });
    early.catch(() => undefined);
    const stored = !positions.after && !positions.through && found.pages && head.firstPagesFor === head.contentVersion ? this.storedPage(found.pages, id, request, head.entries) : undefined;
    if (!stored) return { early };
    void this.sync(id).catch((error: unknown) => this.options.onBackgroundError?.('folder_load_failed', error));
    const answer = await early.catch(() => undefined);
    // Changes (or no answer): the full path applies them, from the same early answer.
    if (!answer || answer.entries.length > 0 || answer.hasMore) return { early };
    this.telemetry.folderIndex('delta_check');
    const last = stored[stored.length - 1];
    return {
      page: {
        indexId: id,
        displayPath: this.sealer.open(head.displayPath, `path:${id}`) ?? '',
        entries: stored,
        total: head.entries,
        complete: true,
        truncated: head.truncated,
        hasMore: head.entries > stored.length,
        cursor: last ? sealPosition(this.sealer, id, request.sort, last) : undefined,
        version: `${id}.${head.generation}.c${head.contentVersion}`,
        stale: false,
      },
    };
  }

  /** The stored first rows of the order asked for, when they cover the page. */
  private storedPage(sealed: Buffer, id: string, request: PageRequest, total: number): IndexEntry[] | undefined {
    let rows: IndexEntry[] | undefined;
    try {
      rows = decodeFirstPages(sealed, this.sealer, id)[orderName(request.sort)];
    } catch {
      return undefined;
    }
    if (!rows || (rows.length < request.limit && rows.length < total)) return undefined;
    return rows.slice(0, request.limit);
  }

  /** The first rows of every order, for storing beside the index. */
  private firstPagesOf(held: Held): Buffer {
    const pages: Record<string, readonly IndexEntry[]> = {};
    for (const key of SORT_KEYS) for (const order of ['asc', 'desc'] as const) pages[orderName({ key, order })] = held.snapshot.order({ key, order }).slice(0, this.options.firstPageRows);
    return encodeFirstPages(pages, this.sealer, held.id);
  }

  /**
   * For an index this process holds complete, with no check in flight: its freshness check
   * sent now, from the cursor held, rather than after the sync with the store (Redis, then
   * Dropbox, one after the other). Views that ask meanwhile share it. Should the sync bring
   * newer batches, the check's answer holds some of their changes again, which re-apply
   * harmlessly, and its cursor is as good as the newer one.
   */
  private earlyCheck(source: FolderSource, id: string): Promise<ListedPage> | undefined {
    if (this.checks.has(id) || this.reads.has(id)) return undefined;
    let early = this.earlyChecks.get(id);
    if (early) return early;
    const known = this.held.get(id);
    if (!known?.complete || !known.cursor || this.options.quiet?.isQuiet(id, known.cursor)) return undefined;
    early = source.listFolderContinue(known.cursor, { quick: true });
    // Awaited by the check it starts, unless the sync finds the index gone first.
    early.catch(() => undefined);
    this.earlyChecks.set(id, early);
    return early;
  }

  /**
   * A complete index checked against Dropbox: one list_folder/continue, shared by the views that
   * ask at the same time; none while a longpoll on its cursor vouches that nothing changed.
   */
  private checked(source: FolderSource, path: string, id: string, held: Held, early?: Promise<ListedPage>): Promise<Checked> {
    let flight = this.checks.get(id);
    if (!flight && !early && !this.earlyChecks.has(id) && this.options.quiet?.isQuiet(id, held.cursor)) {
      this.telemetry.folderIndex('quiet');
      return Promise.resolve({ held, stale: false });
    }
    if (!flight) {
      flight = this.check(source, path, id, held, early ?? this.earlyChecks.get(id)).finally(() => this.checks.delete(id));
      this.checks.set(id, flight);
    }
    this.earlyChecks.delete(id);
    return flight;
  }

  private async check(source: FolderSource, path: string, id: string, held: Held, early?: Promise<ListedPage>): Promise<Checked> {
    this.telemetry.folderIndex('delta_check');
    const changes: Change[] = [];
    const from = held.cursor;
    let cursor = from;
    try {
      for (let hasMore = true, first = early; hasMore; first = undefined) {
        // An early check ran from the head's cursor, perhaps a little older than the synced one:
        // its answer then holds some changes again, which re-apply harmlessly.
        const page = await (first ?? source.listFolderContinue(cursor, { quick: true }));
        changes.push(...changesOf(page.entries));
        ({ cursor, hasMore } = page);
      }
    } catch (error) {
      this.options.quiet?.forget(id);
      // Another identical call is being answered: what the index has is as fresh as it gets.
      if (isDropboxFailure(error, 'rate_limited')) return { held, stale: false };
      // Dropbox is down or slow: the index as it was beats an error page (the page says so).
      if (isUnavailable(error)) return { held, stale: true };
      if (!isRouteError(error, 'reset')) throw error;
      // The cursor is no longer valid: read the folder again.
      await this.store.delete(id);
      this.held.delete(id);
      return { held: await this.untilReadable(source, path, id, undefined), stale: false };
    }
    held.snapshot.apply(changes);
    if (changes.length === 0 && this.options.now() - held.writtenAt < this.options.cursorRefreshMs) {
      this.options.quiet?.checked(id, cursor, from);
      held.cursor = cursor;
      return { held, stale: false };
    }
    const batch = changes.length ? encodeBatch(changes, this.sealer, id) : undefined;
    const result = await this.store.advance(id, {
      expectedSequence: held.sequence,
      batch,
      firstPages: changes.length ? this.firstPagesOf(held) : undefined,
      cursor: this.sealCursor(id, cursor),
      complete: true,
      entries: held.snapshot.size,
      truncated: held.truncated,
    });
    if (result.ok) {
      Object.assign(held, { sequence: result.sequence, batches: held.batches + (batch ? 1 : 0), cursor, writtenAt: this.options.now(), storedBytes: held.storedBytes + (batch?.length ?? 0) });
      if (held.batches - held.sortedBatches > this.options.compactAfterBatches) this.compactLater(id, held);
    } else if (result.reason === 'gone') {
      this.held.delete(id);
    }
    // 'moved': another instance wrote first; its batch arrives with the next sync and re-applies
    // harmlessly. The copy keeps its older cursor then, which no longpoll vouches for.
    this.options.quiet?.checked(id, cursor, changes.length === 0 ? from : undefined);
    return { held, stale: false };
  }

  /** Rewrites the index as its entries in name order, so that other instances load it without sorting. */
  private compactLater(id: string, held: Held): void {
    if (this.compactions.has(id)) return;
    this.compactions.add(id);
    setImmediate(() => {
      const entries = held.snapshot.inNameOrder();
      const batches: Buffer[] = [];
      for (let start = 0; start < entries.length; start += COMPACT_BATCH_ENTRIES) batches.push(encodeBatch(upsertsOf(entries.slice(start, start + COMPACT_BATCH_ENTRIES)), this.sealer, id));
      if (batches.length === 0) batches.push(encodeBatch([], this.sealer, id));
      const expectedSequence = held.sequence;
      this.store
        .compact(id, { expectedSequence, batches, sortedBy: ICU_VERSION, firstPages: this.firstPagesOf(held) })
        .then((generation) => {
          if (generation && held.sequence === expectedSequence) {
            Object.assign(held, { generation, batches: batches.length, sortedBatches: batches.length, storedBytes: batches.reduce((sum, batch) => sum + batch.length, 0) });
          }
        })
        .catch((error: unknown) => this.options.onBackgroundError?.('folder_compaction_failed', error))
        .finally(() => this.compactions.delete(id));
    });
  }
}
