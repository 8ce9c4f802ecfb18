/**
 * The one percentile of gw: nearest rank. `gw sessions`, the control API and the dashboard all report latency
 * p50/p95 with it, so the same samples always give the same numbers. Nearest rank returns a latency that was
 * actually measured (no interpolated value between two segments), which is what an operator reading "p95 1.3 s"
 * expects. The benchmarks report with it too.
 */

/**
 * The p-th percentile (0–100) of samples already sorted ascending: the smallest value with at least p % of the
 * samples at or below it. Undefined for no samples.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The p-th percentile (0–100) by nearest rank; undefined for no samples. Does not modify `values`. */
export function percentile(values: readonly number[], p: number): number | undefined {
  return percentileOfSorted([...values].sort((a, b) => a - b), p);
}

/** p50 and p95 of the same samples with one sort. */
export function p50p95(values: readonly number[]): { p50: number | undefined; p95: number | undefined } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentileOfSorted(sorted, 50), p95: percentileOfSorted(sorted, 95) };
}
