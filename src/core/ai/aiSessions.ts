// go-livepeer's AISessionManager for batch pipelines (server/ai_session.go; ai-live-signer.md §6): one selector per
// "<capId>_<modelId>", each with a warm and a cold pool of orchestrator sessions found by GetOrchestrator with the
// AI job capabilities, a shared suspender (penalty 3), latency-score selection, in-flight markers and a 10-minute TTL.
// Unlike go-livepeer the per-capability max price is enforced on- and off-chain: a session above it is never used.
import type { AiPoolInfo, AiPoolView } from '../../api/contract.js';
import { create } from '@bufbuild/protobuf';
import type { Blocklist } from '../discovery/blocklist.js';
import { type GetOrchestratorFn, type TicketParamsValidator, discoverOrchestrators, judgeReply, classifyQueryError } from '../discovery/discover.js';
import type { CandidatePool } from '../discovery/pools.js';
import type { OrchestratorRegistry } from '../discovery/registry.js';
import { type Address, addressToBytes, toChecksumAddress } from '../../lib/protocol/address.js';
import type { CapabilityId } from '../../lib/protocol/capabilities.js';
import { type OrchestratorInfo, type OrchestratorRequest, OrchestratorRequestSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { aiJobCapabilities } from '../../lib/protocol/jobCapabilities.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { type SelectionWeights, type UnusedPicker, firstUnused, selectByProbability } from '../sessions/selection.js';
import { Suspender } from '../sessions/suspender.js';
import { AiSession, AiSessionPool, modelOffer } from './aiSessionPool.js';
import { type PricedPipeline, aiManifestId, pipelineCapabilityId } from '../../lib/pricing/pipelines.js';

export { AiSession, AiSessionPool, modelOffer } from './aiSessionPool.js';

/** Selector lifetime between refreshes (AISessionManagerTTL). */
export const AI_SESSION_TTL_MS = 10 * 60_000;
/** Suspension penalty of batch pipelines (refreshes). */
export const AI_PENALTY = 3;
/** Refresh when warm + cold fall below min(this, ⌈pool/2⌉). */
export const AI_MAX_REFRESH_THRESHOLD = 8;
/** With both pools empty, re-discover at most this often (go-livepeer waits for the TTL). */
export const AI_EMPTY_REFRESH_MS = 2000;
/** GetOrchestrator deadline when a chosen session is near expiry. */
export const AI_REFRESH_TIMEOUT_MS = 2500;

/** Why orchestrators are not available for a (pipeline, model), as of the last refresh and attempts. */
export type RejectionMap = Map<string, string>;

export interface AiSessionDeps {
  pool(): CandidatePool;
  getOrchestrator: GetOrchestratorFn;
  /** The paying identity for OrchestratorRequest (undefined off-chain: empty address and sig). */
  identity(): Promise<{ address: Address; sig: Uint8Array } | undefined>;
  /** The gateway's version string (job capabilities). */
  version: string;
  onChain: boolean;
  blocklist?(): Blocklist | undefined;
  validateTicketParams?: TicketParamsValidator;
  /** Max price in wei per unit for (pipeline, model); null = any. */
  maxPrice(pipeline: PricedPipeline, modelId: string): Rational | null;
  discoveryTimeoutMs?(): number;
  registry?: OrchestratorRegistry;
  weights?: SelectionWeights;
  now?: () => number;
  rng?: () => number;
  /** Minimum orchestrator version (`-orchMinLivepeerVersion`). */
  minVersion?: string;
}

/** Warm and cold pools of one (pipeline, model) with their suspender (AISessionSelector). */
export class AiSessionSelector {
  readonly key: string;
  readonly capability: CapabilityId;
  readonly warm: AiSessionPool;
  readonly cold: AiSessionPool;
  readonly sus = new Suspender();
  lastRefresh = 0;
  lastUsed: number;
  initialPoolSize = 0;
  /** Candidates at the last refresh. */
  poolSize = 0;
  refreshes = 0;
  private refreshing: Promise<void> | undefined;
  private request: Promise<OrchestratorRequest> | undefined;
  readonly rejections: RejectionMap = new Map();

  constructor(
    private readonly deps: AiSessionDeps,
    readonly pipeline: PricedPipeline,
    readonly modelId: string,
  ) {
    this.key = aiManifestId(pipeline, modelId);
    this.capability = pipelineCapabilityId(pipeline);
    const rng = deps.rng ?? Math.random;
    const picker = deps.onChain ? this.onChainPicker() : firstUnused;
    this.warm = new AiSessionPool(picker, rng);
    this.cold = new AiSessionPool(picker, rng);
    this.lastUsed = this.now();
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private onChainPicker(): UnusedPicker<AiSession> {
    return (unused) => {
      const byAddr = new Map<string, number>();
      const cands: { address: string; stake: bigint; price: Rational | undefined }[] = [];
      unused.forEach((s, i) => {
        const r = s.info.ticketParams?.recipient;
        const addr = r && r.length === 20 ? toChecksumAddress(r) : s.address;
        if (!addr || byAddr.has(addr)) return;
        byAddr.set(addr, i);
        cands.push({ address: addr, stake: s.stake, price: s.price });
      });
      const chosen = selectByProbability(cands, { weights: this.deps.weights, maxPrice: this.deps.maxPrice(this.pipeline, this.modelId), rng: this.deps.rng });
      return chosen ? byAddr.get(chosen.address) : undefined;
    };
  }

  /** The GetOrchestrator request with the AI job capabilities (identity fetched once). */
  orchestratorRequest(): Promise<OrchestratorRequest> {
    this.request ??= (async () => {
      const id = await this.deps.identity();
      return create(OrchestratorRequestSchema, {
        address: id ? addressToBytes(id.address) : new Uint8Array(0),
        sig: id?.sig ?? new Uint8Array(0),
        capabilities: aiJobCapabilities({ capability: this.capability, modelId: this.modelId, version: this.deps.version, minVersion: this.deps.minVersion }),
      });
    })();
    this.request.catch(() => (this.request = undefined));
    return this.request;
  }

  /** Sessions in both pools. */
  sessions(): AiSession[] {
    return [...this.warm.sessions.values(), ...this.cold.sessions.values()];
  }

  private shouldRefresh(): boolean {
    if (this.refreshes === 0) return true;
    const live = this.warm.size + this.cold.size;
    const threshold = Math.min(AI_MAX_REFRESH_THRESHOLD, Math.ceil(Math.min(this.poolSize, this.initialPoolSize) / 2));
    if (live < threshold) return true;
    if (this.now() >= this.lastRefresh + AI_SESSION_TTL_MS) return true;
    return live === 0 && this.now() >= this.lastRefresh + AI_EMPTY_REFRESH_MS;
  }

  /** Re-runs discovery unless one is running (never rejects). */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh()
      .catch((err: unknown) => {
        this.rejections.set('(pool)', `orchestrator list unavailable: ${(err as Error).message}`);
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const check = this.sus.beginRefresh();
    this.refreshes++;
    const candidates = (await this.deps.pool().candidates()).filter((c) => c.score >= 0);
    this.poolSize = candidates.length;
    const cap = this.deps.maxPrice(this.pipeline, this.modelId);
    const request = await this.orchestratorRequest();
    const result = await discoverOrchestrators({
      candidates,
      request,
      getOrchestrator: this.deps.getOrchestrator,
      blocklist: this.deps.blocklist?.(),
      onChain: this.deps.onChain,
      validateTicketParams: this.deps.validateTicketParams,
      maxPrice: cap,
      suspension: check,
      discoveryTimeoutMs: this.deps.discoveryTimeoutMs?.(),
      rng: this.deps.rng,
      now: this.deps.now,
    });
    this.rejections.clear();
    for (const r of result.rejected) this.rejections.set(r.uri, `${r.reason}: ${r.detail}`);
    for (const uri of result.unanswered) this.rejections.set(uri, 'no answer to GetOrchestrator in time');
    const warm: AiSession[] = [];
    const cold: AiSession[] = [];
    for (const o of result.orchestrators) {
      if (o.penalty > 0) {
        this.rejections.set(o.uri, `suspended for ${o.penalty} more refresh(es) after a failure`);
        continue;
      }
      const offer = modelOffer(o.info, this.capability, this.modelId);
      if (!offer) {
        this.rejections.set(o.uri, `does not serve ${this.pipeline} model ${this.modelId}`);
        continue;
      }
      const existing = this.warm.sessions.get(o.uri) ?? this.cold.sessions.get(o.uri);
      if (existing) {
        existing.update(o.info);
        existing.discoveryLatencyMs = o.latencyMs;
        if (existing.warm !== offer.warm && existing.inFlight === 0) {
          (existing.warm ? this.warm : this.cold).remove(existing);
          existing.warm = offer.warm;
          (offer.warm ? warm : cold).push(existing);
        }
        continue;
      }
      const s = new AiSession({ key: this.key, uri: o.uri, info: o.info, warm: offer.warm, stake: o.candidate.stake, latencyMs: o.latencyMs });
      (offer.warm ? warm : cold).push(s);
    }
    this.warm.add(warm);
    this.cold.add(cold);
    for (const s of this.sessions()) this.dropIfOverCap(s, cap);
    this.initialPoolSize = this.warm.size + this.cold.size + this.sus.list().length;
    this.lastRefresh = this.now();
  }

  /** Drops a session whose price is above the cap (no suspension); true when it did. */
  dropIfOverCap(s: AiSession, cap = this.deps.maxPrice(this.pipeline, this.modelId)): boolean {
    if (!cap || !s.price || s.price.lte(cap)) return false;
    this.poolOf(s)?.remove(s);
    this.rejections.set(s.uri, `price too high: ${s.price.toString()} wei/unit is above the cap ${cap.toString()}`);
    return true;
  }

  private poolOf(s: AiSession): AiSessionPool | undefined {
    if (this.warm.isLive(s)) return this.warm;
    if (this.cold.isLive(s)) return this.cold;
    return undefined;
  }

  /** Warm first, then cold; refreshes first when the pools run low or the TTL passed (§6 Select). */
  async select(): Promise<AiSession | undefined> {
    this.lastUsed = this.now();
    if (this.warm.size + this.cold.size === 0) {
      // Let suspended orchestrators back in rather than refusing the request outright.
      for (let i = 0; i < AI_PENALTY; i++) this.sus.beginRefresh();
    }
    if (this.shouldRefresh()) await this.refresh();
    for (;;) {
      const s = this.warm.select() ?? this.cold.select();
      if (!s) return undefined;
      if (this.dropIfOverCap(s)) continue;
      this.deps.registry?.acquire(s.uri);
      return s;
    }
  }

  /**
   * Lets every suspended orchestrator back in and re-discovers now, for a caller with nothing else left: go-livepeer
   * picks a suspended orchestrator rather than none, and one whose suspension ran out is back in the pools only
   * after a refresh.
   */
  async forgiveSuspensions(): Promise<void> {
    for (let i = 0; i < AI_PENALTY; i++) this.sus.beginRefresh();
    await this.refresh();
  }

  /** The request is done with the session (success, or an error that is not the orchestrator's fault). */
  complete(s: AiSession, latencyScore?: number): void {
    if (latencyScore !== undefined) s.latencyScore = latencyScore;
    this.deps.registry?.release(s.uri);
    const pool = this.poolOf(s);
    if (pool) pool.complete(s);
    else s.inFlight = Math.max(0, s.inFlight - 1);
  }

  /** The orchestrator failed: drop the session and suspend it for AI_PENALTY refreshes. */
  remove(s: AiSession, reason: string): void {
    this.deps.registry?.release(s.uri);
    this.poolOf(s)?.remove(s);
    this.sus.suspend(s.uri, AI_PENALTY);
    this.rejections.set(s.uri, reason);
    this.deps.registry?.setSuspension(s.uri, `ai:${this.key}`, { penalty: () => this.sus.penalty(s.uri), reason });
  }

  /**
   * GetOrchestrator again for a chosen session whose token or params are about to expire (§8.6). False when the
   * orchestrator no longer qualifies (it is then removed and suspended by the caller's rules).
   */
  async refreshSession(s: AiSession): Promise<{ ok: true } | { ok: false; reason: string }> {
    let info: OrchestratorInfo;
    try {
      ({ info } = await this.deps.getOrchestrator(s.uri, await this.orchestratorRequest(), { timeoutMs: AI_REFRESH_TIMEOUT_MS }));
    } catch (err) {
      return { ok: false, reason: `refresh failed: ${classifyQueryError(err).detail}` };
    }
    const verdict = judgeReply(info, { request: await this.orchestratorRequest(), blocklist: this.deps.blocklist?.(), onChain: this.deps.onChain, validateTicketParams: this.deps.validateTicketParams, maxPrice: null });
    if (!verdict.ok) return { ok: false, reason: `refresh: ${verdict.detail}` };
    if (!modelOffer(info, this.capability, this.modelId)) return { ok: false, reason: `refresh: no longer serves model ${this.modelId}` };
    s.update(info);
    s.staleParams = false;
    return { ok: true };
  }

  /** Clears the registry suspension holds of this selector. */
  close(): void {
    for (const { orch } of this.sus.list()) this.deps.registry?.setSuspension(orch, `ai:${this.key}`, null);
  }
}

function poolView(p: AiSessionPool): AiPoolView {
  return {
    size: p.size,
    in_use: p.inUseCount,
    orchestrators: [...p.sessions.values()].map((s) => ({ url: s.uri, latency_score: s.latencyScore, in_flight: s.inFlight, price_per_unit: s.price ? s.price.toString() : null })),
  };
}

/** The selectors of every (pipeline, model) requested so far (AISessionManager). */
export class AiSessionManager {
  private readonly selectors = new Map<string, AiSessionSelector>();

  constructor(private readonly deps: AiSessionDeps) {}

  /** The selector of (pipeline, model), created on first use; selectors idle for the TTL are dropped. */
  selector(pipeline: PricedPipeline, modelId: string): AiSessionSelector {
    this.sweep();
    const key = aiManifestId(pipeline, modelId);
    let sel = this.selectors.get(key);
    if (!sel) {
      sel = new AiSessionSelector(this.deps, pipeline, modelId);
      this.selectors.set(key, sel);
    }
    return sel;
  }

  private sweep(): void {
    const now = (this.deps.now ?? Date.now)();
    for (const [key, sel] of this.selectors) {
      const busy = sel.sessions().some((s) => s.inFlight > 0);
      if (!busy && now - sel.lastUsed > AI_SESSION_TTL_MS) {
        sel.close();
        this.selectors.delete(key);
      }
    }
  }

  /** All selectors (for views). */
  all(): AiSessionSelector[] {
    return [...this.selectors.values()];
  }

  /** `/getAISessionPoolsInfo`-like view keyed by "<capId>_<modelId>". */
  poolsInfo(): Record<string, AiPoolInfo> {
    this.sweep();
    const out: Record<string, AiPoolInfo> = {};
    for (const sel of this.selectors.values()) {
      const list: Record<string, number> = {};
      for (const { orch, penalty } of sel.sus.list()) list[orch] = penalty;
      out[sel.key] = {
        pipeline: sel.pipeline,
        model_id: sel.modelId,
        warm: poolView(sel.warm),
        cold: poolView(sel.cold),
        last_refresh: sel.lastRefresh ? new Date(sel.lastRefresh).toISOString() : null,
        suspended: { list, current_count: sel.sus.count },
      };
    }
    return out;
  }

  close(): void {
    for (const sel of this.selectors.values()) sel.close();
    this.selectors.clear();
  }
}
