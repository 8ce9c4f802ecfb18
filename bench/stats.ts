/** Small statistics helpers shared by the benchmarks. */
import { percentile as sharedPercentile } from '../src/lib/stats/percentile.js';

/** Median of a sample (ms). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The p-th percentile (0–100) by nearest rank, as gw reports it; NaN for no samples (prints as a failed target). */
export function percentile(xs: number[], p: number): number {
  return sharedPercentile(xs, p) ?? Number.NaN;
}

/** Prints one result line in the common `name: value unit` shape plus a JSON line for tooling. */
export function report(bench: string, results: Record<string, number | string>): void {
  for (const [k, v] of Object.entries(results)) console.log(`${bench} ${k}: ${typeof v === 'number' ? Number(v.toFixed(3)) : v}`);
  console.log(`RESULT ${JSON.stringify({ bench, ...results })}`);
}
