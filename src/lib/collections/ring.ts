/**
 * Fixed-capacity ring buffer: push is O(1) and the oldest entry is dropped once full, so the event projection
 * and the dashboard stay bounded however long they run.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of entries held (≤ capacity). */
  get size(): number {
    return this.count;
  }

  /** Appends; overwrites the oldest entry when full. */
  push(item: T): void {
    const idx = (this.start + this.count) % this.capacity;
    this.items[idx] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The newest entry, if any. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.start + this.count - 1) % this.capacity];
  }

  /** Entries oldest first (a copy). */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
    return out;
  }

  /** Up to `n` newest entries, newest first. */
  newest(n: number): T[] {
    const k = Math.min(n, this.count);
    const out: T[] = new Array<T>(k);
    for (let i = 0; i < k; i++) out[i] = this.items[(this.start + this.count - 1 - i) % this.capacity] as T;
    return out;
  }

  /** Drops everything. */
  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  /** Replaces the content with `items` (oldest first); keeps only the newest `capacity`. */
  replace(items: readonly T[]): void {
    this.clear();
    for (const it of items.slice(-this.capacity)) this.push(it);
  }
}
