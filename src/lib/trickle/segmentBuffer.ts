/**
 * The bytes of one trickle segment: an append-only list of pages that readers stream from while it grows.
 * Pages start small so the many short segments (control/events JSON) stay cheap, and grow so a multi-megabyte video
 * segment needs few allocations; bytes once written never move, so readers can hold zero-copy slices of them.
 */

/** Size of the first page of a segment. */
export const FIRST_PAGE_BYTES = 32 * 1024;
/** Pages double up to this size and stay there. */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** Size of the page at `index` (0-based): 32 KiB doubling to 1 MiB. */
export function pageSize(index: number): number {
  // The cap is reached at index 5; avoid 2**index overflow for absurdly long segments.
  return index >= 5 ? MAX_PAGE_BYTES : Math.min(MAX_PAGE_BYTES, FIRST_PAGE_BYTES * 2 ** index);
}

/** Append-only byte store with change notification; no size limit. */
export class SegmentBuffer {
  private pages: Buffer[] = [];
  /** Absolute offset of each page's first byte, for locating a reader's offset. */
  private pageStarts: number[] = [];
  private filled = 0; // bytes used in the last page
  private total = 0;
  private isClosed = false;
  private readonly listeners = new Set<() => void>();

  /** Bytes written so far. */
  get length(): number {
    return this.total;
  }

  /** Whether the writer side is finished (readers end once they have caught up). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Copies `data` in and wakes readers. Writes after close still land, as go-livepeer's late writers' bytes do. */
  append(data: Uint8Array): void {
    if (data.length === 0) return;
    let from = 0;
    while (from < data.length) {
      let page = this.pages[this.pages.length - 1];
      if (page === undefined || this.filled === page.length) {
        // allocUnsafe is safe here: only the written prefix of a page is ever handed out.
        page = Buffer.allocUnsafe(pageSize(this.pages.length));
        this.pages.push(page);
        this.pageStarts.push(this.total);
        this.filled = 0;
      }
      const n = Math.min(page.length - this.filled, data.length - from);
      page.set(data.subarray(from, from + n), this.filled);
      this.filled += n;
      this.total += n;
      from += n;
    }
    this.notify();
  }

  /** The longest contiguous run of bytes available from `offset` (empty when the reader has caught up); no copy. */
  readAt(offset: number): Buffer {
    if (offset >= this.total || offset < 0) return Buffer.alloc(0);
    const i = this.pageIndex(offset);
    const page = this.pages[i]!;
    const start = offset - this.pageStarts[i]!;
    const end = i === this.pages.length - 1 ? this.filled : page.length;
    return page.subarray(start, end);
  }

  /** All bytes written so far, copied into one buffer. */
  snapshot(): Buffer {
    const out = Buffer.allocUnsafe(this.total);
    let at = 0;
    while (at < this.total) {
      const chunk = this.readAt(at);
      chunk.copy(out, at);
      at += chunk.length;
    }
    return out;
  }

  /** Marks the end of the segment and wakes readers; idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.notify();
  }

  /** Calls `listener` after every append and on close; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of registered listeners (tests check that finished readers do not leak them). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private pageIndex(offset: number): number {
    let lo = 0;
    let hi = this.pageStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pageStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private notify(): void {
    // Copy first: a listener may unsubscribe itself (a reader finishing) while we iterate.
    for (const listener of [...this.listeners]) listener();
  }
}
