// Orchestrator selection (go-livepeer server/selection.go, server/selection_algorithm.go), pure:
// the stake/price/random probability algorithm for on-chain picks, and the latency-score selector that decides
// between a never-used session and the best one already returned.
import type { Rational } from '../../lib/protocol/rational.js';

/** Weights of the probability algorithm (`-selectStakeWeight`, `-selectPriceWeight`, `-selectRandFreq`). */
export interface SelectionWeights {
  readonly stake: number;
  readonly price: number;
  readonly random: number;
  /** `-selectPriceExpFactor`: price in wei/pixel is divided by this inside e^(−x). */
  readonly priceExpFactor: number;
}

export const DEFAULT_SELECTION_WEIGHTS: SelectionWeights = Object.freeze({ stake: 0.7, price: 0.0, random: 0.3, priceExpFactor: 100 });

/** Latency score at or below which a returned session is preferred over an unused one. */
export const LATENCY_SCORE_THRESHOLD = 1.0;

/** Throws unless the weights are non-negative and sum to 1 ± 0.0001 and the exp factor is positive. */
export function validateWeights(w: SelectionWeights): void {
  for (const [k, v] of Object.entries(w)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`selection weight ${k} must be a non-negative number, got ${v}`);
  }
  const sum = w.stake + w.price + w.random;
  if (Math.abs(sum - 1) > 0.0001) throw new RangeError(`selection weights must sum to 1, got ${sum}`);
  if (!(w.priceExpFactor > 0)) throw new RangeError(`price exp factor must be positive, got ${w.priceExpFactor}`);
}

/** One orchestrator as the probability algorithm sees it. */
export interface SelectionCandidate {
  /** Ticket recipient address (identifies the O on chain). */
  readonly address: string;
  /** Total stake in wei (0 when unknown). */
  readonly stake: bigint;
  /** Price per pixel in wei; undefined = unpriced. */
  readonly price: Rational | undefined;
  /** Performance score from `-orchPerfStatsUrl`, when known. */
  readonly perfScore?: number;
}

/** Keeps candidates scoring ≥ min; off (min ≤ 0) or nobody passing → everybody. */
export function filterByPerfScore<C extends SelectionCandidate>(cands: readonly C[], minPerfScore: number): C[] {
  if (!(minPerfScore > 0)) return [...cands];
  const kept = cands.filter((c) => (c.perfScore ?? 0) >= minPerfScore);
  return kept.length > 0 ? kept : [...cands];
}

/** Keeps priced candidates with price ≤ max (unpriced dropped); nobody passing → all if ignoreIfNeeded, else none. */
export function filterByMaxPrice<C extends SelectionCandidate>(cands: readonly C[], maxPrice: Rational | null | undefined, ignoreIfNeeded: boolean): C[] {
  if (!maxPrice) return [...cands];
  const kept = cands.filter((c) => c.price !== undefined && c.price.lte(maxPrice));
  if (kept.length === 0 && ignoreIfNeeded) return [...cands];
  return kept;
}

/**
 * p_i = PriceW · e^(−price_i/F) / Σ e^(−price/F) + StakeW · stake_i / Σ stake + RandW / N.
 * A zero sum makes its term 1.0 (as go-livepeer does); unpriced counts as price 0.
 */
export function selectionProbabilities(cands: readonly SelectionCandidate[], weights: SelectionWeights = DEFAULT_SELECTION_WEIGHTS): number[] {
  const n = cands.length;
  if (n === 0) return [];
  const priceTerms = cands.map((c) => Math.exp(-(c.price ? c.price.toNumber() : 0) / weights.priceExpFactor));
  const priceSum = priceTerms.reduce((a, b) => a + b, 0);
  const stakeSum = cands.reduce((a, c) => a + (c.stake > 0n ? c.stake : 0n), 0n);
  return cands.map((c, i) => {
    const priceProb = priceSum !== 0 ? (priceTerms[i] as number) / priceSum : 1.0;
    // Exact ratio first, then one float conversion: stakes in wei overflow float precision.
    const stakeProb = stakeSum !== 0n ? ratioToNumber(c.stake > 0n ? c.stake : 0n, stakeSum) : 1.0;
    return weights.price * priceProb + weights.stake * stakeProb + weights.random / n;
  });
}

function ratioToNumber(num: bigint, den: bigint): number {
  const SCALE = 10n ** 15n;
  return Number((num * SCALE) / den) / 1e15;
}

/** Walks the cumulative sum: first index whose cumulative probability ≥ r; fallback 0 (also for no entries: -1). */
export function pickByProbability(probabilities: readonly number[], r: number): number {
  if (probabilities.length === 0) return -1;
  let cum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    cum += probabilities[i] as number;
    if (r <= cum) return i;
  }
  return 0;
}

export interface ProbabilitySelectOptions {
  weights?: SelectionWeights;
  maxPrice?: Rational | null;
  ignoreMaxPriceIfNeeded?: boolean;
  minPerfScore?: number;
  /** Uniform [0, 1); default Math.random. */
  rng?: () => number;
}

/** The full algorithm: perf filter, max-price filter, probabilities, one draw. Undefined when nobody is left. */
export function selectByProbability<C extends SelectionCandidate>(cands: readonly C[], opts: ProbabilitySelectOptions = {}): C | undefined {
  const filtered = filterByMaxPrice(filterByPerfScore(cands, opts.minPerfScore ?? 0), opts.maxPrice, opts.ignoreMaxPriceIfNeeded ?? false);
  if (filtered.length === 0) return undefined;
  const probs = selectionProbabilities(filtered, opts.weights ?? DEFAULT_SELECTION_WEIGHTS);
  return filtered[pickByProbability(probs, (opts.rng ?? Math.random)())];
}

/** What the latency-score selector needs from a session. */
export interface Scored {
  /** Last segment's latency score; 0 = none yet. */
  readonly latencyScore: number;
}

/** Picks one of the never-used sessions (index into the list), or undefined for none. */
export type UnusedPicker<S> = (unused: readonly S[]) => number | undefined;

/** Off-chain rule: the first unused session (the list is in discovery-latency order). */
export const firstUnused = <S>(unused: readonly S[]): number | undefined => (unused.length > 0 ? 0 : undefined);

/**
 * MinLSSelector: never-used sessions in a list, returned ones in a min-heap by latency score.
 * select(): heap empty → an unused one; best returned score > threshold while unused exist → an unused one;
 * else the best returned one. When the picker declines every unused session, the best returned one is used.
 */
export class LatencyScoreSelector<S extends Scored> {
  private unused: S[] = [];
  private heap: { s: S; seq: number }[] = [];
  private seq = 0;

  constructor(
    private readonly pickUnused: UnusedPicker<S> = firstUnused,
    private readonly threshold = LATENCY_SCORE_THRESHOLD,
  ) {}

  /** Adds never-used sessions (in preference order). */
  add(sessions: readonly S[]): void {
    this.unused.push(...sessions);
  }

  /** Returns a used session to the selector. */
  complete(s: S): void {
    this.heap.push({ s, seq: this.seq++ });
    this.up(this.heap.length - 1);
  }

  /** Takes the next session out of the selector, or undefined when empty. */
  select(): S | undefined {
    const best = this.heap[0];
    if (!best) return this.takeUnused();
    if (best.s.latencyScore > this.threshold && this.unused.length > 0) {
      const u = this.takeUnused();
      if (u) return u;
    }
    return this.pop();
  }

  /** Removes a session wherever it is; true when it was there. */
  remove(s: S): boolean {
    const i = this.unused.indexOf(s);
    if (i >= 0) {
      this.unused.splice(i, 1);
      return true;
    }
    const h = this.heap.findIndex((e) => e.s === s);
    if (h < 0) return false;
    const last = this.heap.pop()!;
    if (h < this.heap.length) {
      this.heap[h] = last;
      this.down(h);
      this.up(h);
    }
    return true;
  }

  has(s: S): boolean {
    return this.unused.includes(s) || this.heap.some((e) => e.s === s);
  }

  /** Unused + returned sessions. */
  size(): number {
    return this.unused.length + this.heap.length;
  }

  /** Never-used sessions, in order. */
  unusedSessions(): readonly S[] {
    return this.unused;
  }

  clear(): void {
    this.unused = [];
    this.heap = [];
  }

  private takeUnused(): S | undefined {
    const i = this.pickUnused(this.unused);
    if (i === undefined || i < 0 || i >= this.unused.length) return undefined;
    return this.unused.splice(i, 1)[0];
  }

  private pop(): S | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top.s;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.s.latencyScore < y.s.latencyScore || (x.s.latencyScore === y.s.latencyScore && x.seq < y.seq);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [this.heap[i], this.heap[p]] = [this.heap[p]!, this.heap[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      [this.heap[i], this.heap[m]] = [this.heap[m]!, this.heap[i]!];
      i = m;
    }
  }
}
