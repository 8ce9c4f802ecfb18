// Per-stream orchestrator sessions (go-livepeer BroadcastSessionsManager + SessionPool): a trusted and an
// untrusted pool, each with its sessions, latency-score selector, last-used list and suspender.
import type { EventBus } from '../eventBus.js';
import type { Blocklist } from '../discovery/blocklist.js';
import {
  discoverOrchestrators,
  judgeReply,
  priceTooHighDetail,
  classifyQueryError,
  type EndSessionFn,
  type GetOrchestratorFn,
  type TicketParamsValidator,
} from '../discovery/discover.js';
import type { CandidatePool } from '../discovery/pools.js';
import type { OrchestratorRegistry } from '../discovery/registry.js';
import type { OrchestratorInfo, OrchestratorRequest } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { BroadcastSession } from './broadcastSession.js';
import { SessionPool, onChainPicker, type PoolName } from './sessionPool.js';
import { firstUnused, type SelectionWeights, type UnusedPicker } from './selection.js';
import { transcodingPenalty } from './suspender.js';

/** Most sessions a trusted pool asks for (go-livepeer: HTTPTimeout / segment length × 2). */
export const MAX_TRUSTED_ORCHS = 8;
/** Refresh (GetOrchestrator before use) deadline. */
export const SESSION_REFRESH_TIMEOUT_MS = 2500;
/** Reason used when the price cap pushes a session out. */
export const PRICE_ABOVE_CAP = 'price above cap';

export interface StreamSessionsOptions {
  streamId: string;
  pool: CandidatePool;
  /** GetOrchestrator request with the stream's job capabilities (also used for refreshes). */
  request: OrchestratorRequest;
  getOrchestrator: GetOrchestratorFn;
  endSession?: EndSessionFn;
  registry?: OrchestratorRegistry;
  bus?: EventBus;
  blocklist?: Blocklist;
  onChain?: boolean;
  validateTicketParams?: TicketParamsValidator;
  maxPrice?: Rational | null;
  ignoreMaxPriceIfNeeded?: boolean;
  weights?: SelectionWeights;
  minPerfScore?: number;
  rng?: () => number;
  discoveryTimeoutMs?: number;
  discoveryCutoffMs?: number;
  refreshTimeoutMs?: number;
  extraNodes?: number;
  /** Emit `orchestrator.selected` when the stream switches orchestrator (default true). */
  emitSelected?: boolean;
  now?: () => number;
}

/** A switch away from a removed orchestrator, for the caller's `failover` event. */
export interface FailoverRecord {
  readonly streamId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly attempt: number;
  readonly at: number;
}

export class StreamSessions {
  readonly streamId: string;
  private readonly pools: Record<PoolName, SessionPool>;
  private readonly now: () => number;
  private maxPrice: Rational | null;
  private finished = false;
  private active: BroadcastSession | undefined;
  private pendingFailover: { from: string; reason: string } | undefined;
  private lastFailover: FailoverRecord | undefined;
  private readonly failovers: FailoverRecord[] = [];
  private readonly endings = new Set<Promise<unknown>>();
  /** URIs this stream holds a registry suspension on. */
  private readonly held = new Set<string>();
  /** Last candidate-source failure (e.g. webhook down with no list yet). */
  lastError: string | undefined;

  constructor(private readonly opts: StreamSessionsOptions) {
    this.streamId = opts.streamId;
    this.now = opts.now ?? Date.now;
    this.maxPrice = opts.maxPrice ?? null;
    const picker: UnusedPicker<BroadcastSession> = opts.onChain
      ? onChainPicker(() => ({
          weights: opts.weights,
          maxPrice: this.maxPrice,
          ignoreMaxPriceIfNeeded: opts.ignoreMaxPriceIfNeeded,
          minPerfScore: opts.minPerfScore,
          rng: opts.rng,
        }))
      : firstUnused;
    this.pools = { trusted: new SessionPool('trusted', picker), untrusted: new SessionPool('untrusted', picker) };
  }

  /** Fills both pools (awaited, like go-livepeer at stream start); returns how many sessions each got. */
  async start(): Promise<{ trusted: number; untrusted: number }> {
    await Promise.all([this.refreshPool(this.pools.trusted), this.refreshPool(this.pools.untrusted)]);
    return { trusted: this.pools.trusted.sessions.size, untrusted: this.pools.untrusted.sessions.size };
  }

  /** Current price cap (wei per pixel) or null. */
  get priceCap(): Rational | null {
    return this.maxPrice;
  }

  /** All live sessions (both pools). */
  sessions(): BroadcastSession[] {
    return [...this.pools.untrusted.sessions.values(), ...this.pools.trusted.sessions.values()];
  }

  /** Sessions a pool currently offers to the selector (unused + returned). */
  selectorSize(pool: PoolName): number {
    return this.pools[pool].selector.size();
  }

  /** Remaining suspension penalty of a URI in its pool(s). */
  suspension(uri: string): number {
    return Math.max(this.pools.trusted.sus.penalty(uri), this.pools.untrusted.sus.penalty(uri));
  }

  /** Re-runs discovery for one pool unless one is running; never rejects. */
  private refreshPool(pool: SessionPool): Promise<void> {
    if (this.finished) return Promise.resolve();
    pool.refreshing ??= this.doRefresh(pool)
      .catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        pool.refreshing = undefined;
      });
    return pool.refreshing;
  }

  private async doRefresh(pool: SessionPool): Promise<void> {
    const check = pool.sus.beginRefresh();
    let all;
    try {
      all = await this.opts.pool.candidates();
      this.lastError = undefined;
    } catch (err) {
      this.lastError = (err as Error).message;
      return;
    }
    const candidates = all.filter((c) => pool.accepts(c.score));
    pool.poolSize = candidates.length;
    pool.numOrchs = pool.name === 'trusted' ? Math.min(candidates.length, MAX_TRUSTED_ORCHS) : candidates.length;
    if (candidates.length === 0) return;
    const registry = this.opts.registry;
    const result = await discoverOrchestrators({
      candidates,
      request: this.opts.request,
      getOrchestrator: this.opts.getOrchestrator,
      wanted: pool.numOrchs,
      blocklist: this.opts.blocklist,
      onChain: this.opts.onChain,
      validateTicketParams: this.opts.validateTicketParams,
      maxPrice: this.maxPrice,
      ignoreMaxPriceIfNeeded: this.opts.ignoreMaxPriceIfNeeded,
      suspension: check,
      extraNodes: this.opts.extraNodes,
      discoveryTimeoutMs: this.opts.discoveryTimeoutMs,
      cutoffMs: this.opts.discoveryCutoffMs,
      onOutcome: registry ? (o) => registry.recordOutcome(o) : undefined,
      rng: this.opts.rng,
      now: this.now,
    });
    if (this.finished) return;
    const fresh: BroadcastSession[] = [];
    for (const o of result.orchestrators) {
      if (pool.sessions.has(o.uri)) continue;
      const s = BroadcastSession.fromDiscovery(o);
      pool.sessions.set(s.uri, s);
      fresh.push(s);
    }
    pool.selector.add(fresh);
  }

  /**
   * Picks the session for the next segment: untrusted pool first, else trusted (§11.2). Per pool: refresh in the
   * background when the selector runs low, then last-used (×1), the selector, last-used (×2). The chosen session
   * gets an in-flight entry; call complete() or remove() for it.
   */
  async select(opts: { durationMs?: number; attempt?: number } = {}): Promise<BroadcastSession | undefined> {
    if (this.finished) return undefined;
    const now = this.now();
    const chosen =
      this.pools.untrusted.pick(now, () => void this.refreshPool(this.pools.untrusted)) ??
      this.pools.trusted.pick(now, () => void this.refreshPool(this.pools.trusted));
    this.lastFailover = undefined;
    if (!chosen) return undefined;
    chosen.inFlight.push({ startedAt: now, durationMs: opts.durationMs ?? 2000 });
    if (this.pendingFailover && this.pendingFailover.from !== chosen.uri) {
      const f: FailoverRecord = { streamId: this.streamId, ...this.pendingFailover, to: chosen.uri, attempt: opts.attempt ?? 1, at: now };
      this.failovers.push(f);
      if (this.failovers.length > 100) this.failovers.shift();
      this.lastFailover = f;
    }
    this.pendingFailover = undefined;
    if (chosen !== this.active) {
      if (this.active) this.opts.registry?.release(this.active.uri);
      this.opts.registry?.acquire(chosen.uri);
      this.active = chosen;
      if (this.opts.emitSelected ?? true) {
        this.opts.bus?.emit({
          type: 'orchestrator.selected',
          streamId: this.streamId,
          orchestrator: chosen.uri,
          address: chosen.address,
          pricePerPixel: chosen.pricePerPixel ? chosen.pricePerPixel.toString() : '0',
        });
      }
    }
    return chosen;
  }

  /** The failover the last select() made (from a removed orchestrator to another), if any. */
  takeFailover(): FailoverRecord | undefined {
    const f = this.lastFailover;
    this.lastFailover = undefined;
    return f;
  }

  /** Failovers so far (newest last, at most 100). */
  failoverHistory(): readonly FailoverRecord[] {
    return this.failovers;
  }

  private poolOf(s: BroadcastSession): SessionPool {
    return s.trusted ? this.pools.trusted : this.pools.untrusted;
  }

  private isLive(s: BroadcastSession): boolean {
    return this.poolOf(s).isLive(s);
  }

  /**
   * A segment finished. With `latencyScore` it succeeded (score and success recorded); `info` replaces the
   * OrchestratorInfo. A quote above the cap (or above twice the initial price) drops the session. Otherwise
   * the session stays last-used while busy or while 0 < LS ≤ 1, else goes back to the selector.
   */
  complete(session: BroadcastSession, result: { latencyScore?: number; info?: OrchestratorInfo } = {}): void {
    session.inFlight.shift();
    if (result.latencyScore !== undefined) {
      session.latencyScore = result.latencyScore;
      this.opts.registry?.recordResult(session.uri, { ok: true, latencyScore: result.latencyScore });
    }
    if (result.info) {
      session.update(result.info);
      this.opts.registry?.recordUsable(session.uri, result.info);
    }
    if (!this.isLive(session)) {
      if (session.inFlight.length === 0) this.endSession(session);
      return;
    }
    if (this.priceCheck(session)) return;
    if (session.inFlight.length === 0) this.poolOf(session).returnIdle(session);
  }

  private withinCap(s: BroadcastSession): boolean {
    return !this.maxPrice || !s.pricePerPixel || s.pricePerPixel.lte(this.maxPrice);
  }

  /**
   * Drops the session when its quote is above the cap (no suspension; with ignoreMaxPriceIfNeeded only while
   * another session is within the cap) or above twice its initial price (suspended). True when it did.
   */
  private priceCheck(session: BroadcastSession): boolean {
    const cap = this.maxPrice;
    const price = session.pricePerPixel;
    if (cap && price && !this.withinCap(session)) {
      const alternative = this.sessions().some((s) => s !== session && this.withinCap(s));
      if (!this.opts.ignoreMaxPriceIfNeeded || alternative) {
        this.opts.registry?.recordRejection(session.uri, 'price too high', priceTooHighDetail(price, cap), session.info);
        this.drop(session, PRICE_ABOVE_CAP, false);
        return true;
      }
    }
    if (session.priceMoreThanDoubled()) {
      this.drop(session, 'price more than doubled', true);
      return true;
    }
    return false;
  }

  /**
   * The segment on this session failed (or its refresh did): its in-flight entry is dropped, the orchestrator is
   * suspended and the session removed; emits `orchestrator.suspended`.
   */
  remove(session: BroadcastSession, reason: string): void {
    session.inFlight.shift();
    this.opts.registry?.recordResult(session.uri, { ok: false });
    this.drop(session, reason, true);
  }

  private drop(session: BroadcastSession, reason: string, suspend: boolean): void {
    const pool = this.poolOf(session);
    const wasInUse = this.active === session || pool.lastUsed.includes(session);
    pool.take(session);
    if (suspend) {
      const penalty = transcodingPenalty(pool.poolSize, pool.numOrchs);
      const remaining = pool.sus.suspend(session.uri, penalty);
      this.opts.registry?.setSuspension(session.uri, this.streamId, { penalty: () => pool.sus.penalty(session.uri), reason });
      this.held.add(session.uri);
      this.opts.bus?.emit({ type: 'orchestrator.suspended', streamId: this.streamId, orchestrator: session.uri, penalty: remaining, reason });
    }
    if (this.active === session) {
      this.opts.registry?.release(session.uri);
      this.active = undefined;
    }
    if (wasInUse) this.pendingFailover = { from: session.uri, reason };
    // Free O's slot now unless a segment is still running on this session; complete() ends it later.
    if (session.inFlight.length === 0) this.endSession(session);
  }

  /**
   * Re-runs GetOrchestrator (same caps, 2.5 s) for the session select() just returned, before its segment is
   * sent. True = use it. False = do not: the segment's in-flight entry is released and, on a failure or a bad
   * reply, the orchestrator suspended and removed (a quote above the cap only removes it).
   */
  async refresh(session: BroadcastSession): Promise<boolean> {
    let info: OrchestratorInfo;
    try {
      ({ info } = await this.opts.getOrchestrator(session.uri, this.opts.request, { timeoutMs: this.opts.refreshTimeoutMs ?? SESSION_REFRESH_TIMEOUT_MS }));
    } catch (err) {
      const { reason, detail } = classifyQueryError(err);
      this.opts.registry?.recordRejection(session.uri, reason, detail);
      return this.refused(session, `refresh failed: ${detail}`);
    }
    const verdict = judgeReply(info, { ...this.opts, maxPrice: null });
    if (!verdict.ok) {
      this.opts.registry?.recordRejection(session.uri, verdict.reason, verdict.detail, info);
      return this.refused(session, `refresh: ${verdict.detail}`);
    }
    session.update(info);
    this.opts.registry?.recordUsable(session.uri, info);
    if (!this.isLive(session)) return this.refused(session, '');
    // The segment will not go out if the new quote drops the session: release its entry first.
    const entry = session.inFlight.pop();
    if (this.priceCheck(session)) return false;
    if (entry) session.inFlight.push(entry);
    return true;
  }

  /** A refresh said no: release the segment's (newest) in-flight entry; suspend and remove the session if live. */
  private refused(session: BroadcastSession, reason: string): false {
    session.inFlight.pop();
    if (this.isLive(session)) {
      this.opts.registry?.recordResult(session.uri, { ok: false });
      this.drop(session, reason, true);
    } else if (session.inFlight.length === 0) this.endSession(session);
    return false;
  }

  /**
   * Changes the price cap at run time: sessions above the new cap are removed ("price above cap", no suspension)
   * and discovery re-runs for both pools. Resolves when the re-discovery is done.
   */
  async setMaxPrice(max: Rational | null): Promise<{ removed: string[] }> {
    this.maxPrice = max;
    // A refresh already running uses the old cap: let it land first, then check everything against the new one.
    await Promise.all([this.pools.trusted.refreshing, this.pools.untrusted.refreshing]);
    const removed: string[] = [];
    for (const s of this.sessions()) if (!this.withinCap(s) && this.priceCheck(s)) removed.push(s.uri);
    await Promise.all([this.refreshPool(this.pools.trusted), this.refreshPool(this.pools.untrusted)]);
    return { removed };
  }

  private endSession(session: BroadcastSession): void {
    const end = this.opts.endSession;
    const token = session.info.authToken;
    if (session.ended || !end || !token) return;
    session.ended = true;
    const p: Promise<unknown> = Promise.resolve()
      .then(() => end(session.transcoder, token))
      .catch(() => undefined)
      .finally(() => this.endings.delete(p));
    this.endings.add(p);
  }

  /**
   * Stream end: EndTranscodingSession to every session (fire-and-forget) and the pools are emptied.
   * The returned promise settles when all teardown calls have (it never rejects).
   */
  async teardown(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      for (const pool of Object.values(this.pools)) {
        for (const s of pool.sessions.values()) this.endSession(s);
        pool.clear();
      }
      for (const uri of this.held) this.opts.registry?.setSuspension(uri, this.streamId, null);
      this.held.clear();
      if (this.active) this.opts.registry?.release(this.active.uri);
      this.active = undefined;
    }
    await Promise.allSettled([...this.endings]);
  }
}
