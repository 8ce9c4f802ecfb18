import { describe, expect, it } from 'vitest';
import { Rational } from '../../lib/protocol/rational.js';
import {
  DEFAULT_SELECTION_WEIGHTS,
  LatencyScoreSelector,
  filterByMaxPrice,
  filterByPerfScore,
  pickByProbability,
  selectByProbability,
  selectionProbabilities,
  validateWeights,
  type SelectionCandidate,
} from './selection.js';

const c = (address: string, stake: bigint, price?: Rational, perfScore?: number): SelectionCandidate => ({ address, stake, price, perfScore });

/** Deterministic uniform [0,1) generator (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('probability algorithm', () => {
  it('default weights: 0.7 stake share + 0.3 / N', () => {
    const p = selectionProbabilities([c('a', 1n), c('b', 1n), c('c', 2n)]);
    expect(p[0]).toBeCloseTo(0.7 * 0.25 + 0.1, 12);
    expect(p[1]).toBeCloseTo(0.275, 12);
    expect(p[2]).toBeCloseTo(0.7 * 0.5 + 0.1, 12);
    expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it('price weight uses e^(−price/F) shares', () => {
    const w = { stake: 0, price: 1, random: 0, priceExpFactor: 100 };
    const p = selectionProbabilities([c('a', 5n, Rational.of(0n)), c('b', 5n, Rational.of(100n))], w);
    const e = Math.exp(-1);
    expect(p[0]).toBeCloseTo(1 / (1 + e), 12);
    expect(p[1]).toBeCloseTo(e / (1 + e), 12);
  });

  it('a zero sum makes its term 1.0 (stake and underflowing price)', () => {
    expect(selectionProbabilities([c('a', 0n), c('b', 0n)])).toEqual([0.7 + 0.15, 0.7 + 0.15]);
    const w = { stake: 0.5, price: 0.5, random: 0, priceExpFactor: 1 };
    const p = selectionProbabilities([c('a', 1n, Rational.of(10n ** 6n)), c('b', 3n, Rational.of(10n ** 6n))], w);
    expect(p[0]).toBeCloseTo(0.5 * 1 + 0.5 * 0.25, 12);
    expect(p[1]).toBeCloseTo(0.5 * 1 + 0.5 * 0.75, 12);
  });

  it('stakes in wei keep their exact ratio', () => {
    const big = 10n ** 24n;
    const p = selectionProbabilities([c('a', big), c('b', 3n * big)], { stake: 1, price: 0, random: 0, priceExpFactor: 100 });
    expect(p).toEqual([0.25, 0.75]);
  });

  it('walks the cumulative sum with r ≤ cum, falling back to the first', () => {
    const p = [0.2, 0.3, 0.5];
    expect(pickByProbability(p, 0)).toBe(0);
    expect(pickByProbability(p, 0.2)).toBe(0);
    expect(pickByProbability(p, 0.2000001)).toBe(1);
    expect(pickByProbability(p, 0.5)).toBe(1);
    expect(pickByProbability(p, 0.99)).toBe(2);
    expect(pickByProbability(p, 1.5)).toBe(0);
    expect(pickByProbability([], 0.1)).toBe(-1);
    // Zero-sum case: probabilities above 1 in total; later entries only reachable below their cumulative sum.
    expect(pickByProbability([0.85, 0.85], 0.9)).toBe(1);
  });

  it('max-price filter: unpriced dropped, none passing → all with ignoreIfNeeded, else none', () => {
    const cands = [c('a', 1n, Rational.of(5n)), c('b', 1n, Rational.of(2n)), c('u', 1n, undefined)];
    expect(filterByMaxPrice(cands, Rational.of(3n), false).map((x) => x.address)).toEqual(['b']);
    expect(filterByMaxPrice(cands, Rational.of(5n), false).map((x) => x.address)).toEqual(['a', 'b']);
    expect(filterByMaxPrice(cands, Rational.of(1n), false)).toEqual([]);
    expect(filterByMaxPrice(cands, Rational.of(1n), true).map((x) => x.address)).toEqual(['a', 'b', 'u']);
    expect(filterByMaxPrice(cands, null, false)).toHaveLength(3);
  });

  it('perf filter: off when min ≤ 0, everybody when nobody passes', () => {
    const cands = [c('a', 1n, undefined, 0.9), c('b', 1n, undefined, 0.4), c('x', 1n)];
    expect(filterByPerfScore(cands, 0).map((x) => x.address)).toEqual(['a', 'b', 'x']);
    expect(filterByPerfScore(cands, 0.5).map((x) => x.address)).toEqual(['a']);
    expect(filterByPerfScore(cands, 0.95).map((x) => x.address)).toEqual(['a', 'b', 'x']);
  });

  it('selectByProbability: fixed RNG picks, filters applied, frequencies follow the weights', () => {
    const cands = [c('a', 1n, Rational.of(1n)), c('b', 3n, Rational.of(1n)), c('dear', 100n, Rational.of(50n))];
    // Price filter removes 'dear'; p(a) = 0.7/4 + 0.15 = 0.325, p(b) = 0.675.
    expect(selectByProbability(cands, { maxPrice: Rational.of(10n), rng: () => 0.3 })?.address).toBe('a');
    expect(selectByProbability(cands, { maxPrice: Rational.of(10n), rng: () => 0.33 })?.address).toBe('b');
    expect(selectByProbability(cands, { maxPrice: Rational.of(0n) })).toBeUndefined();
    expect(selectByProbability(cands, { maxPrice: Rational.of(0n), ignoreMaxPriceIfNeeded: true, rng: () => 0.999 })?.address).toBe('dear');
    const rng = seeded(42);
    const counts: Record<string, number> = { a: 0, b: 0 };
    const N = 20_000;
    for (let i = 0; i < N; i++) counts[selectByProbability(cands.slice(0, 2), { rng })!.address]!++;
    expect(counts['a']! / N).toBeCloseTo(0.325, 1);
    expect(Math.abs(counts['a']! / N - 0.325)).toBeLessThan(0.015);
  });

  it('validates weights', () => {
    expect(() => validateWeights(DEFAULT_SELECTION_WEIGHTS)).not.toThrow();
    expect(() => validateWeights({ stake: 0.7, price: 0.1, random: 0.3, priceExpFactor: 100 })).toThrow(/sum to 1/);
    expect(() => validateWeights({ stake: 0.69995, price: 0, random: 0.3, priceExpFactor: 100 })).not.toThrow();
    expect(() => validateWeights({ stake: -0.1, price: 0.8, random: 0.3, priceExpFactor: 100 })).toThrow(/non-negative/);
    expect(() => validateWeights({ stake: 0.7, price: 0, random: 0.3, priceExpFactor: 0 })).toThrow(/positive/);
  });
});

interface S {
  name: string;
  latencyScore: number;
}
const s = (name: string, latencyScore = 0): S => ({ name, latencyScore });

describe('latency-score selector', () => {
  it('unused first in order; a returned session with LS ≤ 1.0 beats unused ones', () => {
    const sel = new LatencyScoreSelector<S>();
    const [a, b, c2] = [s('a'), s('b'), s('c')];
    sel.add([a, b, c2]);
    expect(sel.size()).toBe(3);
    expect(sel.select()).toBe(a);
    a.latencyScore = 0.5;
    sel.complete(a);
    expect(sel.select()).toBe(a);
    a.latencyScore = 1.0;
    sel.complete(a);
    expect(sel.select()).toBe(a); // threshold inclusive
    a.latencyScore = 1.2;
    sel.complete(a);
    expect(sel.select()).toBe(b); // best known above threshold and unused exist
    expect(sel.select()).toBe(c2);
    expect(sel.select()).toBe(a); // no unused left: best known even above threshold
    expect(sel.select()).toBeUndefined();
  });

  it('returned sessions come out in latency-score order (ties in return order)', () => {
    const sel = new LatencyScoreSelector<S>();
    const xs = [s('x', 2.0), s('y', 1.2), s('z', 1.7), s('t1', 1.5), s('t2', 1.5), s('w', 3)];
    for (const x of xs) sel.complete(x);
    const order: string[] = [];
    for (let v = sel.select(); v; v = sel.select()) order.push(v.name);
    expect(order).toEqual(['y', 't1', 't2', 'z', 'x', 'w']);
  });

  it('remove() takes a session out of either list', () => {
    const sel = new LatencyScoreSelector<S>();
    const [a, b, c2, d] = [s('a'), s('b'), s('c', 0.3), s('d', 0.2)];
    sel.add([a, b]);
    sel.complete(c2);
    sel.complete(d);
    expect(sel.remove(a)).toBe(true);
    expect(sel.remove(d)).toBe(true);
    expect(sel.remove(d)).toBe(false);
    expect(sel.has(c2)).toBe(true);
    expect(sel.size()).toBe(2);
    expect(sel.select()).toBe(c2);
    expect(sel.select()).toBe(b);
  });

  it('a picker that declines every unused session falls back to the best returned one', () => {
    const sel = new LatencyScoreSelector<S>(() => undefined);
    const [a, k] = [s('a'), s('k', 1.8)];
    sel.add([a]);
    expect(sel.select()).toBeUndefined();
    sel.complete(k);
    expect(sel.select()).toBe(k);
    const picky = new LatencyScoreSelector<S>((u) => u.findIndex((x) => x.name === 'b'));
    picky.add([s('a'), s('b')]);
    expect(picky.select()?.name).toBe('b');
  });
});
