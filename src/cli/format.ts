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
