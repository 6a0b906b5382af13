import { RingBuffer } from '../bounded';

/**
 * The tree's change journal: one record per add, modify or delete, each with its generation
 * (1, 2, 3, ...: generation N is the N-th change). Change feeds (list_folder/continue on a
 * listing's last cursor) and longpoll read it. It holds the last `capacity` changes; a feed
 * that starts before the oldest one held cannot be answered and gets `reset`, as a Dropbox
 * cursor that has been unused too long does.
 */

export type ChangeAction = 'add' | 'modify' | 'delete';

export interface Change {
  generation: number;
  action: ChangeAction;
  /** Whether the node was a folder: a deleted folder took everything inside it along. */
  folder: boolean;
  /** The changed node's path, lower case (the key it is found by) and as displayed then. */
  pathLower: string;
  pathDisplay: string;
  /** Its parent folder's lower-case path (`` for the root). */
  parentLower: string;
}

export const DEFAULT_CHANGE_JOURNAL_SIZE = 100_000;

export class ChangeJournal {
  private readonly changes: RingBuffer<Change>;

  constructor(capacity = DEFAULT_CHANGE_JOURNAL_SIZE) {
    this.changes = new RingBuffer(capacity);
  }

  /** The generation of the latest change (0 before the first). */
  get generation(): number {
    return this.changes.length;
  }

  record(action: ChangeAction, pathDisplay: string, folder: boolean): Change {
    const pathLower = pathDisplay.toLowerCase();
    const parentLower = pathLower.slice(0, pathLower.lastIndexOf('/'));
    const change: Change = { generation: this.changes.length + 1, action, folder, pathLower, pathDisplay, parentLower };
    this.changes.push(change);
    return change;
  }

  /** Whether every change after `generation` is still held. */
  covers(generation: number): boolean {
    // Change g sits at position g - 1; the changes after `generation` start at position `generation`.
    return generation >= this.changes.firstHeld && generation <= this.changes.length;
  }

  /** The changes after `generation`, oldest first; check covers() first. */
  since(generation: number): IterableIterator<Change> {
    return this.changes.from(generation);
  }
}
