/**
 * Containers with a fixed ceiling, so that the emulator's memory stays flat however long it
 * runs (it also lives inside Dropview's demo mode). When full, the oldest item goes first.
 */

/** A Map that forgets its oldest entry (by first insertion) once it holds `capacity` entries. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.capacity) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

/**
 * The last `capacity` items pushed, addressed by their absolute position: position 0 is the
 * first item ever pushed, `length` is how many were ever pushed, and positions older than
 * `length - capacity` are gone.
 */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private pushed = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('a ring buffer needs a capacity of at least 1');
  }

  /** How many items were ever pushed (not how many are held). */
  get length(): number {
    return this.pushed;
  }

  /** The absolute position of the oldest item still held. */
  get firstHeld(): number {
    return Math.max(0, this.pushed - this.capacity);
  }

  push(item: T): void {
    this.items[this.pushed % this.capacity] = item;
    this.pushed += 1;
  }

  /** The item at absolute position `position`, or undefined when it was never pushed or is gone. */
  at(position: number): T | undefined {
    if (position < this.firstHeld || position >= this.pushed) return undefined;
    return this.items[position % this.capacity];
  }

  /** The held items from absolute position `start` (clamped to what is held) to the newest, oldest first. */
  *from(start = 0): IterableIterator<T> {
    for (let position = Math.max(start, this.firstHeld); position < this.pushed; position += 1) yield this.items[position % this.capacity];
  }
}
