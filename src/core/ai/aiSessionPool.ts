// Sessions of the AI session manager: one orchestrator serving one (pipeline, model) (AISession), and a warm or cold
// pool of them with the latency-score selector and in-flight markers (AISessionPool, server/ai_session.go).
import { toChecksumAddress, type Address } from '../../lib/protocol/address.js';
import type { CapabilityId } from '../../lib/protocol/capabilities.js';
import { pricePerPixel } from '../../lib/protocol/fees.js';
import type { OrchestratorInfo } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { PaymentSession } from '../payments/paymentSource.js';
import { LatencyScoreSelector, type Scored, type UnusedPicker } from '../sessions/selection.js';

/** Tries of one pool's selector per selection. */
export const AI_POOL_SELECT_TRIES = 20;

/** One orchestrator serving one (pipeline, model). */
export class AiSession implements Scored {
  readonly key: string;
  readonly uri: string;
  info: OrchestratorInfo;
  warm: boolean;
  latencyScore = 0;
  /** Wei per unit for this capability/model; undefined when O quotes none. */
  price: Rational | undefined;
  address: Address | undefined;
  readonly stake: bigint;
  discoveryLatencyMs: number;
  /** Requests currently using it. */
  inFlight = 0;
  /** Payment state, opened by the request loop on first use. */
  payment: PaymentSession | undefined;
  /** Set when O said its ticket params expired: refresh before the next use. */
  staleParams = false;

  constructor(args: { key: string; uri: string; info: OrchestratorInfo; warm: boolean; stake?: bigint; latencyMs: number }) {
    this.key = args.key;
    this.uri = args.uri;
    this.info = args.info;
    this.warm = args.warm;
    this.stake = args.stake ?? 0n;
    this.discoveryLatencyMs = args.latencyMs;
    this.price = safePrice(args.info);
    this.address = args.info.address.length === 20 ? toChecksumAddress(args.info.address) : undefined;
  }

  /** Work URL: POST <transcoder>/<pipeline>. */
  get transcoder(): string {
    return this.info.transcoder;
  }

  /** Replaces the OrchestratorInfo (refresh) and what derives from it. */
  update(info: OrchestratorInfo): void {
    this.info = info;
    this.price = safePrice(info);
    if (info.address.length === 20) this.address = toChecksumAddress(info.address);
    this.payment?.update(info);
  }
}

function safePrice(info: OrchestratorInfo): Rational | undefined {
  try {
    return pricePerPixel(info.priceInfo);
  } catch {
    return undefined;
  }
}

/** The model constraint an O reports for (cap, model), or undefined when it does not serve it. */
export function modelOffer(info: OrchestratorInfo, cap: CapabilityId, modelId: string): { warm: boolean; capacity: number; capacityInUse: number; runnerVersion: string } | undefined {
  const m = info.capabilities?.constraints?.PerCapability[cap]?.models[modelId];
  return m ? { warm: m.warm, capacity: m.capacity, capacityInUse: m.capacityInUse, runnerVersion: m.runnerVersion } : undefined;
}

/** A warm or cold pool: sessions by URI, the latency-score selector and in-flight markers (AISessionPool). */
export class AiSessionPool {
  readonly sessions = new Map<string, AiSession>();
  readonly selector: LatencyScoreSelector<AiSession>;
  private inUse: AiSession[] = [];

  constructor(picker: UnusedPicker<AiSession>, private readonly rng: () => number) {
    this.selector = new LatencyScoreSelector(picker);
  }

  /** Adds new sessions (in preference order). */
  add(sessions: readonly AiSession[]): void {
    const fresh = sessions.filter((s) => !this.sessions.has(s.uri));
    for (const s of fresh) this.sessions.set(s.uri, s);
    this.selector.add(fresh);
  }

  isLive(s: AiSession): boolean {
    return this.sessions.get(s.uri) === s;
  }

  /** Picks a session: the selector, else a random in-use one (sessions are shared); a marker is pushed. */
  select(): AiSession | undefined {
    for (let i = 0; i < AI_POOL_SELECT_TRIES; i++) {
      let s = this.selector.select();
      if (!s && this.inUse.length > 0) s = this.inUse[Math.floor(this.rng() * this.inUse.length)];
      if (!s) return undefined;
      if (!this.isLive(s)) {
        this.inUse = this.inUse.filter((x) => x !== s);
        continue;
      }
      this.inUse.push(s);
      s.inFlight++;
      return s;
    }
    return undefined;
  }

  /** Pops one marker; the session goes back to the selector when no request uses it any more. */
  complete(s: AiSession): void {
    const i = this.inUse.indexOf(s);
    if (i < 0) return;
    this.inUse.splice(i, 1);
    s.inFlight = Math.max(0, s.inFlight - 1);
    if (s.inFlight === 0 && this.isLive(s) && !this.selector.has(s)) this.selector.complete(s);
  }

  /** Drops the session from the pool (its markers too). */
  remove(s: AiSession): void {
    if (this.isLive(s)) this.sessions.delete(s.uri);
    this.selector.remove(s);
    const before = this.inUse.length;
    this.inUse = this.inUse.filter((x) => x !== s);
    s.inFlight = Math.max(0, s.inFlight - (before - this.inUse.length));
  }

  get size(): number {
    return this.sessions.size;
  }

  get inUseCount(): number {
    return new Set(this.inUse).size;
  }
}
