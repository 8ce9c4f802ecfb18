/**
 * Spend rate and runway. EV (expected value) is what the gateway pays in expectation: the deposit only drops
 * when a winning ticket is redeemed, but over time it drains at the EV rate.
 *
 * Runway = deposit ÷ (EV per minute). Only the deposit counts: winning tickets are paid from the deposit
 * first, and the reserve is a per-orchestrator backstop (each orchestrator may claim only its share of it,
 * about reserve / active pool size) that keeps tickets honoured once the deposit is gone, not a budget to
 * spend. A deposit at zero also caps ticket face values at zero, so the gateway stops paying long before the
 * reserve would be touched in normal operation.
 */
import type { RollingWindow } from './rollingWindow.js';

export interface SpendRate {
  /** Tickets per second over the last minute (or the part of it we have watched). */
  readonly ticketsPerSec: number;
  /** EV per second in wei (integer division). */
  readonly evPerSecWei: bigint;
  /** EV per minute in wei. */
  readonly evPerMinWei: bigint;
}

/** Rates over the window ending at `now`, scaled to the time actually covered. */
export function spendRate(window: RollingWindow, now: number): SpendRate {
  const t = window.totals(now);
  const covered = BigInt(Math.max(1, Math.round(t.coveredMs)));
  return {
    ticketsPerSec: (t.count * 1000) / Number(covered),
    evPerSecWei: (t.amount * 1000n) / covered,
    evPerMinWei: (t.amount * 60_000n) / covered,
  };
}

/** How long the deposit lasts at `evPerMinWei`, in ms; undefined when nothing is being spent. */
export function runwayMs(depositWei: bigint, evPerMinWei: bigint): number | undefined {
  if (evPerMinWei <= 0n) return undefined;
  const ms = (depositWei * 60_000n) / evPerMinWei;
  return ms > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ms);
}
