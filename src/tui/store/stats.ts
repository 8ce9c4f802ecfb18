/** Small statistics helpers for the dashboard. Latency percentiles are src/lib/stats/percentile.ts's. */

/** ok / (ok + failed) in 0–1; undefined before the first outcome. */
export function successRate(ok: number, failed: number): number | undefined {
  const total = ok + failed;
  return total === 0 ? undefined : ok / total;
}
