import { describe, expect, it } from 'vitest';
import { p50p95, percentile, percentileOfSorted } from './percentile.js';

describe('percentile (nearest rank)', () => {
  it('picks a measured sample: the smallest with at least p % at or below it', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 100…1, unsorted on purpose
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile(v, 0)).toBe(1);
    expect(v[0]).toBe(100); // input not sorted in place
    // 10 samples: p95 is the 10th (ceil(9.5)), not an interpolation between the 9th and 10th
    expect(percentile([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], 95)).toBe(1000);
    expect(percentile([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], 50)).toBe(500);
  });

  it('handles no, one and few samples, and refuses p outside 0–100', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(p50p95([])).toEqual({ p50: undefined, p95: undefined });
    expect(p50p95([7])).toEqual({ p50: 7, p95: 7 });
    expect(p50p95([100, 200, 300, 400, 5000])).toEqual({ p50: 300, p95: 5000 });
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});
