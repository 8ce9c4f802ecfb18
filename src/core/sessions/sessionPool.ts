// One pool of a stream's sessions (go-livepeer SessionPool): the sessions by URI, the latency-score selector,
// the last-used list and the suspender, plus the per-segment pick rules (§11.2).
import { isTrustedScore, isUntrustedScore } from '../discovery/pools.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { reusableAsLast, type BroadcastSession } from './broadcastSession.js';
import { LATENCY_SCORE_THRESHOLD, LatencyScoreSelector, selectByProbability, type ProbabilitySelectOptions, type UnusedPicker } from './selection.js';
import { Suspender } from './suspender.js';

/** Refresh when the selector holds fewer than min(this, ⌈numOrchs/2⌉) sessions. */
export const MAX_REFRESH_THRESHOLD = 8;

export type PoolName = 'trusted' | 'untrusted';

/**
 * On-chain pick among unused sessions: the probability algorithm over distinct ticket recipients (sessions without
 * ticket params are not candidates); the first session of the drawn recipient wins.
 */
export function onChainPicker(opts: () => Omit<ProbabilitySelectOptions, 'maxPrice'> & { maxPrice: Rational | null }): UnusedPicker<BroadcastSession> {
  return (unused) => {
    const byAddr = new Map<string, number>();
    const cands: { address: string; stake: bigint; price: Rational | undefined }[] = [];
    unused.forEach((s, i) => {
      const addr = s.info.ticketParams ? s.recipient : undefined;
      if (!addr || byAddr.has(addr)) return;
      byAddr.set(addr, i);
      cands.push({ address: addr, stake: s.stake, price: s.pricePerPixel });
    });
    const chosen = selectByProbability(cands, opts());
    return chosen ? byAddr.get(chosen.address) : undefined;
  };
}

export class SessionPool {
  readonly sessions = new Map<string, BroadcastSession>();
  readonly sus = new Suspender();
  readonly selector: LatencyScoreSelector<BroadcastSession>;
  lastUsed: BroadcastSession[] = [];
  /** Candidates passing this pool's score predicate at the last refresh. */
  poolSize = 0;
  /** How many orchestrators a refresh asks for. */
  numOrchs = 0;
  refreshing: Promise<void> | undefined;

  constructor(
    readonly name: PoolName,
    picker: UnusedPicker<BroadcastSession>,
  ) {
    this.selector = new LatencyScoreSelector(picker);
  }

  /** Score predicate: trusted ≥ 1, untrusted exactly 0. */
  accepts(score: number): boolean {
    return this.name === 'trusted' ? isTrustedScore(score) : isUntrustedScore(score);
  }

  /** True while the session is this pool's live session for its URI. */
  isLive(s: BroadcastSession): boolean {
    return this.sessions.get(s.uri) === s;
  }

  /**
   * Picks one session: last-used (×1), the selector, last-used (×2); sessions gone from the map are skipped.
   * `onLow` is called (to start a background refresh) whenever the selector holds fewer than the threshold.
   */
  pick(now: number, onLow: () => void): BroadcastSession | undefined {
    if (this.poolSize === 0) return undefined;
    const threshold = Math.min(MAX_REFRESH_THRESHOLD, Math.ceil(this.numOrchs / 2));
    for (;;) {
      const size = this.selector.size();
      if (size < threshold) onLow();
      if (size === 0 && this.lastUsed.length === 0) break;
      let fromLast = true;
      let s = this.lastUsed.find((x) => reusableAsLast(x, now, 1));
      if (!s) {
        s = this.selector.select();
        fromLast = false;
      }
      if (!s) {
        s = this.lastUsed.find((x) => x.inFlight.length > 0 && reusableAsLast(x, now, 2));
        fromLast = true;
      }
      if (!s) break;
      if (this.isLive(s)) {
        this.lastUsed = [s];
        return s;
      }
      // Gone from the map (removed meanwhile): forget it and try again.
      if (fromLast) this.lastUsed = this.lastUsed.filter((x) => x !== s);
    }
    this.lastUsed = [];
    return undefined;
  }

  /** A finished segment left the session idle: keep it as last-used while 0 < LS ≤ 1, else back to the selector. */
  returnIdle(s: BroadcastSession): void {
    if (this.lastUsed.includes(s)) {
      if (s.latencyScore > 0 && s.latencyScore <= LATENCY_SCORE_THRESHOLD) return;
      this.lastUsed = this.lastUsed.filter((x) => x !== s);
    }
    if (!this.selector.has(s)) this.selector.complete(s);
  }

  /** Takes the session out of the map, the selector and the last-used list. */
  take(s: BroadcastSession): void {
    if (this.isLive(s)) this.sessions.delete(s.uri);
    this.selector.remove(s);
    this.lastUsed = this.lastUsed.filter((x) => x !== s);
  }

  clear(): void {
    this.sessions.clear();
    this.selector.clear();
    this.lastUsed = [];
  }
}
