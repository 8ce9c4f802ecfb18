/**
 * Per-second buckets over the last `size` seconds: a count and a bigint amount (wei) per bucket. Adding is
 * amortised O(1): moving forward clears at most `size` buckets however long the gap.
 */
export class RollingWindow {
  private readonly counts: number[];
  private readonly amounts: bigint[];
  /** Absolute bucket number (ts / bucketMs) of the newest bucket; -1 before the first sample. */
  private head = -1;
  /** Timestamp of the first sample ever added: rates over a partial window divide by the time covered. */
  private firstTs: number | undefined;

  constructor(
    readonly size = 60,
    readonly bucketMs = 1000,
  ) {
    this.counts = new Array<number>(size).fill(0);
    this.amounts = new Array<bigint>(size).fill(0n);
  }

  /** Records `count` items worth `amount` at time `ts` (ms). Samples older than the window are dropped. */
  add(ts: number, count: number, amount: bigint): void {
    const b = Math.floor(ts / this.bucketMs);
    if (this.head < 0) this.head = b;
    this.advance(b);
    if (b <= this.head - this.size) return;
    const i = mod(b, this.size);
    this.counts[i] = (this.counts[i] ?? 0) + count;
    this.amounts[i] = (this.amounts[i] ?? 0n) + amount;
    if (this.firstTs === undefined || ts < this.firstTs) this.firstTs = ts;
  }

  /** Moves the newest bucket to `b`, zeroing the buckets skipped over. */
  private advance(b: number): void {
    if (b <= this.head) return;
    const steps = Math.min(b - this.head, this.size);
    for (let k = 1; k <= steps; k++) {
      const i = mod(this.head + k, this.size);
      this.counts[i] = 0;
      this.amounts[i] = 0n;
    }
    this.head = b;
  }

  /** Counts per bucket, oldest first, for the `n` buckets ending at `now` (no mutation). */
  countSeries(now: number, n = this.size): number[] {
    return this.series(now, n, (i) => this.counts[i] ?? 0, 0);
  }

  /** Amounts per bucket, oldest first, for the `n` buckets ending at `now` (no mutation). */
  amountSeries(now: number, n = this.size): bigint[] {
    return this.series(now, n, (i) => this.amounts[i] ?? 0n, 0n);
  }

  private series<T>(now: number, n: number, get: (i: number) => T, zero: T): T[] {
    const nowB = Math.floor(now / this.bucketMs);
    const k = Math.min(n, this.size);
    const out: T[] = new Array<T>(k);
    for (let j = 0; j < k; j++) {
      const b = nowB - (k - 1 - j);
      // a bucket is valid when it is within what the ring still holds and not newer than the head
      out[j] = this.head >= 0 && b <= this.head && b > this.head - this.size ? get(mod(b, this.size)) : zero;
    }
    return out;
  }

  /**
   * Totals over the last `windowMs` ending at `now`, with the time they cover: the window, or less when the
   * first sample is more recent (so a rate right after start-up is not diluted by time we never watched).
   */
  totals(now: number, windowMs = this.size * this.bucketMs): { count: number; amount: bigint; coveredMs: number } {
    const n = Math.max(1, Math.min(this.size, Math.round(windowMs / this.bucketMs)));
    const counts = this.countSeries(now, n);
    const amounts = this.amountSeries(now, n);
    let count = 0;
    let amount = 0n;
    for (let j = 0; j < n; j++) {
      count += counts[j] ?? 0;
      amount += amounts[j] ?? 0n;
    }
    const span = n * this.bucketMs;
    const covered = this.firstTs === undefined ? span : Math.min(span, Math.max(this.bucketMs, now - this.firstTs));
    return { count, amount, coveredMs: covered };
  }
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
