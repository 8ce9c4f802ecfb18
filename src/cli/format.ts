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
