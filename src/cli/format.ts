import { formatEth } from '../lib/payments/units.js';

/** Milliseconds for tables ("—" when unknown). */
export function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${Math.round(v)} ms`;
}

/** A 0..1 ratio as a percentage ("—" when unknown). */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

/** Wei (decimal string) as ETH, exact. */
export function eth(wei: string | bigint): string {
  return formatEth(BigInt(wei));
}

/** `12:01:02` local time of an ISO timestamp. */
export function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

/** An orchestrator's AI models, one line per pipeline: "llm: devnet/llm-tiny, devnet/llm-large (cold)"; "—" for none. */
export function aiModelsText(models: readonly { pipeline: string; modelId: string; warm: boolean }[]): string {
  if (models.length === 0) return '—';
  const by = new Map<string, string[]>();
  for (const m of models) by.set(m.pipeline, [...(by.get(m.pipeline) ?? []), m.warm ? m.modelId : `${m.modelId} (cold)`]);
  return [...by.entries()].map(([pipeline, names]) => `${pipeline}: ${names.join(', ')}`).join('\n');
}

/** go-livepeer's certain win: a ticket's winProb is a fraction of 2^256 − 1. */
const MAX_WIN_PROB = (1n << 256n) - 1n;

/** `n` rounded to `digits` significant digits (bigint, half up). */
function roundSignificant(n: bigint, digits: number): bigint {
  const extra = n.toString().length - digits;
  if (extra <= 0) return n;
  const f = 10n ** BigInt(extra);
  return ((n + f / 2n) / f) * f;
}

/**
 * A ticket's win probability (the raw integer over 2^256 − 1, as a decimal string) for people: "6.2e-8 (1 in
 * 16,142,000)", the odds rounded to 5 significant digits. Text that is not an integer is returned as it is.
 */
export function winProbText(winProb: string | bigint): string {
  let w: bigint;
  try {
    w = typeof winProb === 'bigint' ? winProb : BigInt(winProb);
  } catch {
    return String(winProb);
  }
  if (w <= 0n) return '0 (never wins)';
  if (w >= MAX_WIN_PROB) return '1 (every ticket wins)';
  // both fit a double (≤ 2^256), which keeps the 2 significant digits shown
  const p = Number(w) / Number(MAX_WIN_PROB);
  const prob = p < 0.001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
  const odds = roundSignificant((2n * MAX_WIN_PROB + w) / (2n * w), 5);
  return `${prob} (1 in ${odds.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')})`;
}
