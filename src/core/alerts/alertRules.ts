// Pure alert rules: from daemon events and a few observations, decide which alerts to raise. Each condition is
// raised once and stays quiet until it clears (an alert storm helps nobody at 3 a.m.). No I/O, no clock reads.
import type { AlertRaised, GwEvent } from '../../api/events.js';

/** Alerts these rules raise; anything else seen on the bus came from another module. */
export const ALERTS = {
  depositLow: 'deposit-low',
  reserveLow: 'reserve-low',
  unlockStarted: 'unlock-started',
  priceCap: 'no-orchestrator-under-price-cap',
  streamFailed: 'stream-failed',
  crashRestart: 'crash-restart',
} as const;

const OWN = new Set<string>(Object.values(ALERTS));

export type AlertSeverity = AlertRaised['severity'];

/** An alert to publish (the bus stamps seq and ts). */
export interface Alert {
  readonly alert: string;
  readonly severity: AlertSeverity;
  readonly message: string;
}

/** Thresholds in wei; 0 turns a rule off. */
export interface AlertThresholds {
  readonly depositBelowWei: bigint;
  readonly reserveBelowWei: bigint;
}

/** What the pool of orchestrators looks like now (from the registry). */
export interface PoolObservation {
  readonly known: number;
  readonly usable: number;
  /** Rejected because their price is above the cap. */
  readonly overCap: number;
  /** The cap in wei per pixel, for the message. */
  readonly cap: string | null;
  /** When this was observed (unix ms). */
  readonly at: number;
}

/** The previous daemon of this data dir did not stop cleanly. */
export interface CrashObservation {
  readonly pid: number | undefined;
  readonly startedAt: string | undefined;
}

export type AlertInput =
  | { readonly kind: 'event'; readonly event: GwEvent }
  | { readonly kind: 'pool'; readonly pool: PoolObservation }
  | { readonly kind: 'crash'; readonly crash: CrashObservation }
  /** Thresholds changed: re-check the last chain snapshot against them. */
  | { readonly kind: 'recheck' };

interface ChainView {
  deposit: bigint;
  reserve: bigint;
  senderState: string;
}

const RANK: Record<AlertSeverity, number> = { warning: 1, critical: 2 };
const POOL_HOLD_MS = 10_000;

/**
 * The rules' state: which conditions are raised (and at which severity), the last chain snapshot, and when
 * alerts raised by other modules were last seen. Call `apply` for each input; it returns the alerts to raise.
 */
export class AlertRules {
  private readonly active = new Map<string, AlertSeverity>();
  private chain: ChainView | undefined;
  private poolBadSince: number | undefined;

  /**
   * `poolHoldMs`: how long the pool must look unusable before the price-cap alert. Discovery records replies as
   * they arrive, so a fast "price too high" can be all the registry knows for a moment.
   */
  constructor(private readonly opts: { poolHoldMs?: number } = {}) {}

  /** Conditions currently raised, e.g. `deposit-low`, `stream-failed:cam1` (for tests and status). */
  get raised(): string[] {
    return [...this.active.keys()];
  }

  apply(input: AlertInput, thresholds: AlertThresholds): Alert[] {
    switch (input.kind) {
      case 'event':
        return this.onEvent(input.event, thresholds);
      case 'pool':
        return this.onPool(input.pool);
      case 'crash':
        return [crashAlert(input.crash)];
      case 'recheck':
        return this.chain ? this.onChain(this.chain, thresholds) : [];
    }
  }

  private onEvent(ev: GwEvent, thresholds: AlertThresholds): Alert[] {
    switch (ev.type) {
      case 'chain.updated': {
        if (!/^\d+$/.test(ev.depositWei) || !/^\d+$/.test(ev.reserveWei)) return [];
        this.chain = { deposit: BigInt(ev.depositWei), reserve: BigInt(ev.reserveWei), senderState: ev.senderState };
        return this.onChain(this.chain, thresholds);
      }
      case 'segment.failed': {
        if (!ev.final) return [];
        return this.condition(`${ALERTS.streamFailed}:${ev.streamId}`, true, {
          alert: ALERTS.streamFailed,
          severity: 'warning',
          message: `stream ${ev.streamId}: segment ${ev.segment} failed after ${ev.attempt} attempt(s): ${ev.error}`,
        });
      }
      case 'segment.transcoded':
        // The stream works again: a later failure is news.
        this.active.delete(`${ALERTS.streamFailed}:${ev.streamId}`);
        return [];
      case 'stream.started':
        this.active.delete(`${ALERTS.streamFailed}:${ev.streamId}`);
        this.active.delete(`stream-stopped:${ev.streamId}`);
        return [];
      case 'stream.ended': {
        this.active.delete(`${ALERTS.streamFailed}:${ev.streamId}`);
        if (!isPaymentStop(ev.reason)) return [];
        return this.condition(`stream-stopped:${ev.streamId}`, true, {
          alert: ALERTS.streamFailed,
          severity: 'critical',
          message: `stream ${ev.streamId} stopped after ${ev.segments} segment(s): ${ev.reason}`,
        });
      }
      default:
        return [];
    }
  }

  private onChain(c: ChainView, t: AlertThresholds): Alert[] {
    return [
      ...this.condition(ALERTS.depositLow, t.depositBelowWei > 0n && c.deposit < t.depositBelowWei, {
        alert: ALERTS.depositLow,
        severity: c.deposit === 0n ? 'critical' : 'warning',
        message: `deposit ${formatEth(c.deposit)} ETH is below ${formatEth(t.depositBelowWei)} ETH: top it up (gw deposit fund) before tickets can no longer be paid`,
      }),
      ...this.condition(ALERTS.reserveLow, t.reserveBelowWei > 0n && c.reserve < t.reserveBelowWei, {
        alert: ALERTS.reserveLow,
        severity: c.reserve === 0n ? 'critical' : 'warning',
        message: `reserve ${formatEth(c.reserve)} ETH is below ${formatEth(t.reserveBelowWei)} ETH: orchestrators may refuse work with "insufficient sender reserve" (gw reserve fund)`,
      }),
      ...this.condition(ALERTS.unlockStarted, c.senderState === 'Unlocking', {
        alert: ALERTS.unlockStarted,
        severity: 'critical',
        message: 'an unlock of the deposit and reserve is in progress: orchestrators stop taking work from this gateway (gw deposit cancel-unlock)',
      }),
    ];
  }

  private onPool(p: PoolObservation): Alert[] {
    const bad = p.known > 0 && p.usable === 0 && p.overCap > 0;
    if (!bad) this.poolBadSince = undefined;
    else this.poolBadSince ??= p.at;
    const held = bad && p.at - this.poolBadSince! >= (this.opts.poolHoldMs ?? POOL_HOLD_MS);
    if (bad && !held) return [];
    return this.condition(ALERTS.priceCap, held, {
      alert: ALERTS.priceCap,
      severity: 'critical',
      message: `no orchestrator is under the price cap${p.cap ? ` (${p.cap} wei/pixel)` : ''}: ${p.overCap} of ${p.known} quote above it; raise --max-price-per-unit or wait for prices to fall`,
    });
  }

  /** Raises `alert` when `on` and the key is not raised yet (or only at a lower severity); clears it when off. */
  private condition(key: string, on: boolean, alert: Alert): Alert[] {
    if (!on) {
      this.active.delete(key);
      return [];
    }
    const prev = this.active.get(key);
    if (prev !== undefined && RANK[prev] >= RANK[alert.severity]) return [];
    this.active.set(key, alert.severity);
    return [alert];
  }
}

/** Whether an alert on the bus is one of these rules' own (already de-duplicated) alerts. */
export function isOwnAlert(name: string): boolean {
  return OWN.has(name);
}

/**
 * De-duplicates alerts other modules publish (they may repeat one on every check): one passes when the same name
 * was not seen for `quietMs`. Pure: the caller passes the clock.
 */
export class RepeatFilter {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly quietMs: number) {}

  /** True when `name` should be forwarded now. */
  pass(name: string, now: number): boolean {
    const last = this.lastSeen.get(name);
    this.lastSeen.set(name, now);
    return last === undefined || now - last >= this.quietMs;
  }
}

function crashAlert(c: CrashObservation): Alert {
  const who = c.pid !== undefined ? ` (pid ${c.pid}${c.startedAt ? `, started ${c.startedAt}` : ''})` : '';
  return {
    alert: ALERTS.crashRestart,
    severity: 'critical',
    message: `the previous gw daemon${who} did not stop cleanly (crash or kill -9); restarted. Check gw logs for its last lines`,
  };
}

/** Stream ends that mean the gateway could not pay (streams.ts ends them with "payment problem: …"). */
function isPaymentStop(reason: string): boolean {
  return /payment|deposit|reserve|unlock|sender/i.test(reason);
}

/** Wei as ETH with up to 6 decimals, for messages (exact bigint arithmetic). */
export function formatEth(wei: bigint): string {
  const whole = wei / 10n ** 18n;
  const frac = (wei % 10n ** 18n).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}
