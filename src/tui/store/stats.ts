/** Small statistics helpers for the dashboard (latency percentiles, success rates). */

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest value with at least p % of the
 * samples at or below it. Undefined for no samples. Does not modify `values`.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** p50 and p95 of the same samples with one sort. */
export function p50p95(values: readonly number[]): { p50: number | undefined; p95: number | undefined } {
  if (values.length === 0) return { p50: undefined, p95: undefined };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
  return { p50: at(50), p95: at(95) };
}

/** ok / (ok + failed) in 0–1; undefined before the first outcome. */
export function successRate(ok: number, failed: number): number | undefined {
  const total = ok + failed;
  return total === 0 ? undefined : ok / total;
}
