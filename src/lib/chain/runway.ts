// Runway of a deposit from recent expected-value spend: a sliding window of EV samples, bigint-exact.

/** Default spend window: ten minutes of tickets. */
export const DEFAULT_SPEND_WINDOW_MS = 10 * 60 * 1000;

/** One payment's expected value (wei) at a time (unix ms). */
export interface SpendSample {
  readonly atMs: number;
  readonly evWei: bigint;
}

/** Spend over the window: total EV and the span it covers. */
export interface SpendRate {
  /** EV sent inside the window, in wei. */
  readonly evWei: bigint;
  /** Milliseconds the rate is measured over (window, or less when tracking started later). */
  readonly spanMs: number;
  /** EV per hour in wei (floored); 0n when nothing was spent. */
  readonly perHourWei: bigint;
}

/** Runway of a deposit at the current spend rate. */
export interface Runway {
  readonly rate: SpendRate;
  /** Seconds until the deposit is spent at this rate; null when nothing was spent (no estimate). */
  readonly seconds: number | null;
}

/** Keeps EV samples for a sliding window; old samples are dropped as new ones arrive. */
export class SpendWindow {
  private readonly samples: SpendSample[] = [];
  private totalWei = 0n;

  constructor(
    readonly windowMs: number = DEFAULT_SPEND_WINDOW_MS,
    /** When tracking began: the rate's span never reaches back before it. */
    readonly sinceMs: number = Date.now(),
  ) {
    if (!(windowMs > 0)) throw new RangeError('spend window must be positive');
  }

  /** Records one payment's EV (negative values are refused: spend only grows). */
  record(evWei: bigint, atMs: number = Date.now()): void {
    if (evWei < 0n) throw new RangeError('EV must not be negative');
    if (evWei === 0n) return;
    this.samples.push({ atMs, evWei });
    this.totalWei += evWei;
    this.prune(atMs);
  }

  /** Spend inside the window ending at `nowMs`. */
  rate(nowMs: number = Date.now()): SpendRate {
    this.prune(nowMs);
    return spendRate(this.totalWei, Math.min(this.windowMs, Math.max(0, nowMs - this.sinceMs)));
  }

  private prune(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    while (this.samples.length > 0 && (this.samples[0] as SpendSample).atMs <= cutoff) {
      this.totalWei -= (this.samples.shift() as SpendSample).evWei;
    }
  }
}

/** Rate of `evWei` spent over `spanMs`. A span under one second counts as one second. */
export function spendRate(evWei: bigint, spanMs: number): SpendRate {
  const span = Math.max(1000, Math.round(spanMs));
  return { evWei, spanMs: span, perHourWei: (evWei * 3_600_000n) / BigInt(span) };
}

/** Seconds a deposit lasts at `rate`: deposit × span / spent; null without spend. */
export function estimateRunway(depositWei: bigint, rate: SpendRate): Runway {
  if (rate.evWei <= 0n) return { rate, seconds: null };
  const seconds = (depositWei * BigInt(rate.spanMs)) / (rate.evWei * 1000n);
  // Past ~285 million years a number stops being useful: cap to stay a safe integer.
  const capped = seconds > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(seconds);
  return { rate, seconds: capped };
}

/** "3d 4h", "2h 5m", "12m", "45s": the largest unit and the next one when it is not zero. */
export function formatRunway(seconds: number | null, unknown = 'unknown — no spend yet'): string {
  if (seconds === null) return unknown;
  if (seconds >= 365 * 86_400) return 'more than a year';
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const whole = Math.max(0, Math.floor(seconds));
  const i = units.findIndex(([, size]) => whole >= size);
  if (i < 0) return '0s';
  const [big, bigSize] = units[i] as [string, number];
  const first = `${Math.floor(whole / bigSize)}${big}`;
  const next = units[i + 1];
  if (!next) return first;
  const n = Math.floor((whole % bigSize) / next[1]);
  return n > 0 ? `${first} ${n}${next[0]}` : first;
}
