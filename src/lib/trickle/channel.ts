/**
 * One trickle channel: a ring of the last 5 segments plus the write head (`nextWrite`), with the seq rules of
 * go-livepeer's trickle server (docs/live-ai.md §c.1). Socket-free, so the server and in-process owners share it.
 */
import { SegmentBuffer } from './segmentBuffer.js';
import { TRICKLE_SEQ_CURRENT, TRICKLE_SEQ_NEXT } from './headers.js';

/** Segments kept per channel; older seqs answer 470. */
export const RING_SIZE = 5;

/** Ring slot of a seq. */
export function slotOf(seq: number): number {
  return seq % RING_SIZE;
}

/** Parses a path seq: a decimal integer (negative allowed), or undefined. */
export function parseSeq(raw: string): number | undefined {
  if (!/^-?\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** Whether a parsed seq may be used for a GET (-1 next, -2 current, or a real seq). */
export function isReadSeq(seq: number): boolean {
  return seq >= TRICKLE_SEQ_CURRENT;
}

/** Whether a parsed seq may be used for a POST (-1 next, or a real seq). */
export function isWriteSeq(seq: number): boolean {
  return seq >= TRICKLE_SEQ_NEXT;
}

/** The seq a GET addresses: -1 = the next write, -2 = the one most recently started (0 before any write). */
export function resolveReadSeq(requested: number, nextWrite: number): number {
  if (requested === TRICKLE_SEQ_NEXT) return nextWrite;
  if (requested === TRICKLE_SEQ_CURRENT) return Math.max(nextWrite - 1, 0);
  return requested;
}

/** The seq a POST addresses: -1 = the next write. */
export function resolveWriteSeq(requested: number, nextWrite: number): number {
  return requested === TRICKLE_SEQ_NEXT ? nextWrite : requested;
}

/**
 * Whether a GET for a seq that is not in the ring may create it and wait: only the write head, plus seq 1 before
 * anything was written (a reader that took seq 0's headers and preconnects seq 1 can race the first write's accounting).
 */
export function mayPrecreate(seq: number, nextWrite: number): boolean {
  return seq === nextWrite || (nextWrite === 0 && seq === 1);
}

/** One segment: its seq and its bytes. */
export class Segment {
  readonly buffer = new SegmentBuffer();
  constructor(readonly seq: number) {}

  /** Whether the segment has ended. */
  get closed(): boolean {
    return this.buffer.closed;
  }

  /** Yields the segment's bytes from its start as they arrive, ending when it is closed. */
  async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    let offset = 0;
    let wake: (() => void) | undefined;
    const unsubscribe = this.buffer.subscribe(() => wake?.());
    try {
      for (;;) {
        const chunk = this.buffer.readAt(offset);
        if (chunk.length > 0) {
          offset += chunk.length;
          yield chunk;
          continue;
        }
        if (this.buffer.closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      unsubscribe();
    }
  }
}

/** What a read of a seq finds. */
export type ReadLookup =
  | { readonly kind: 'segment'; readonly seq: number; readonly segment: Segment }
  | { readonly kind: 'missing'; readonly seq: number; readonly latest: number }
  | { readonly kind: 'closed'; readonly seq: number };

/** A write handle for one segment, for an in-process publisher. */
export interface SegmentWriter {
  readonly seq: number;
  /** Appends bytes; the first one advances the channel's write head. */
  write(data: Uint8Array): void;
  /** Finishes the segment (readers end once caught up). */
  end(): void;
}

/** A trickle channel (stream): ring of segments, write head, idle clock. */
export class TrickleChannel {
  private readonly ring: (Segment | undefined)[] = new Array<Segment | undefined>(RING_SIZE).fill(undefined);
  private head = 0;
  private isClosed = false;
  private lastWrite: number;
  private readonly closeListeners = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly mime: string,
    private readonly now: () => number = Date.now,
  ) {
    this.lastWrite = now();
  }

  /** The seq the next new write goes to. */
  get nextWrite(): number {
    return this.head;
  }

  /** Whether the channel has been closed (deleted or idle). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Clock reading of the last write (creation counts as one). */
  get lastWriteAt(): number {
    return this.lastWrite;
  }

  /** The segment a read of `seq` (already resolved) addresses, creating it when a reader may wait for it. */
  lookupForRead(seq: number): ReadLookup {
    const slot = slotOf(seq);
    const existing = this.ring[slot];
    if (existing?.seq === seq) return { kind: 'segment', seq, segment: existing };
    if (this.isClosed) return { kind: 'closed', seq };
    if (!mayPrecreate(seq, this.head)) return { kind: 'missing', seq, latest: this.head };
    return { kind: 'segment', seq, segment: this.install(seq) };
  }

  /** The segment at exactly `seq` if it is still in the ring. */
  segmentAt(seq: number): Segment | undefined {
    if (seq < 0) return undefined;
    const s = this.ring[slotOf(seq)];
    return s?.seq === seq ? s : undefined;
  }

  /**
   * The segment a POST to `seq` (already resolved) writes into: the existing one (a second POST appends) or a new one.
   * A seq older than what its slot holds gets a detached segment, so a stale writer cannot evict newer data.
   */
  segmentForWrite(seq: number): Segment {
    const existing = this.ring[slotOf(seq)];
    if (existing?.seq === seq) return existing;
    if (existing !== undefined && existing.seq > seq) return new Segment(seq);
    return this.install(seq);
  }

  /** Records that bytes (or an empty completed body) arrived for `seq`: advances the head, resets the idle clock. */
  markWritten(seq: number): void {
    if (seq >= this.head) this.head = seq + 1;
    this.touch();
  }

  /** Resets the idle clock. */
  touch(): void {
    this.lastWrite = this.now();
  }

  /** Closes every segment older than `seq`, releasing readers left behind by a dead publisher. */
  resetBefore(seq: number): void {
    for (const s of this.ring) if (s !== undefined && s.seq < seq) s.buffer.close();
  }

  /** Closes the segment at exactly `seq`; false when it is not in the ring. */
  closeSegment(seq: number): boolean {
    const s = this.segmentAt(seq);
    if (s === undefined) return false;
    s.buffer.close();
    return true;
  }

  /** Opens an in-process writer, as a POST would (`seq` -1 = next; `reset` = Lp-Trickle-Reset). */
  openWriter(seq: number = TRICKLE_SEQ_NEXT, opts: { reset?: boolean } = {}): SegmentWriter {
    if (this.isClosed) throw new Error(`trickle channel ${this.name} is closed`);
    if (!isWriteSeq(seq)) throw new Error(`invalid trickle write seq ${seq}`);
    const effective = resolveWriteSeq(seq, this.head);
    if (opts.reset === true) this.resetBefore(effective);
    const segment = this.segmentForWrite(effective);
    let started = false;
    return {
      seq: effective,
      write: (data) => {
        if (data.length === 0) return;
        if (!started) {
          started = true;
          this.markWritten(effective);
        } else this.touch();
        segment.buffer.append(data);
      },
      end: () => {
        if (!started) this.markWritten(effective);
        started = true;
        segment.buffer.close();
      },
    };
  }

  /** Writes one whole segment in-process and returns its seq. */
  writeSegment(data: Uint8Array, seq: number = TRICKLE_SEQ_NEXT): number {
    const w = this.openWriter(seq);
    w.write(data);
    w.end();
    return w.seq;
  }

  /** Calls `listener` once when the channel closes; returns the unsubscribe function. */
  onClose(listener: () => void): () => void {
    if (this.isClosed) {
      listener();
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the channel and every segment; idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // Flag first, then wake: readers woken by the segment close must already see the channel as closed.
    for (const s of this.ring) s?.buffer.close();
    for (const l of [...this.closeListeners]) l();
    this.closeListeners.clear();
  }

  private install(seq: number): Segment {
    const slot = slotOf(seq);
    // The evicted segment is closed so its readers/writers finish; dropping the ring's reference frees its pages once
    // the last of them lets go.
    this.ring[slot]?.buffer.close();
    const segment = new Segment(seq);
    this.ring[slot] = segment;
    return segment;
  }
}
