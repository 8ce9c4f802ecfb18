// Process-wide view of every orchestrator the gateway has heard of: latest quote, why it is not used (if so),
// how it performs for us, and how many streams use or suspend it. Feeds `gw orchestrators ls` and the dashboard.
import { formatWeiPerPixel } from '../../lib/pricing/priceFormat.js';
import type { OrchestratorAiModel, OrchestratorView } from '../../api/contract.js';
import type { RejectReason } from '../../api/events.js';
import type { EventBus } from '../eventBus.js';
import { toChecksumAddress, type Address } from '../../lib/protocol/address.js';
import { capabilityName, decodeBitstring, perCapabilityModels } from '../../lib/protocol/capabilities.js';
import { pricePerPixel } from '../../lib/protocol/fees.js';
import type { OrchestratorInfo } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { DiscoveryOutcome } from './discover.js';

/** Weight of the newest latency score in the moving average. */
export const LATENCY_EWMA_ALPHA = 0.3;

/** A suspension some stream holds on an orchestrator; `penalty()` is read live (it shrinks with refreshes). */
export interface SuspensionHold {
  penalty: () => number;
  reason: string;
}

/** Snapshot of one orchestrator. */
export interface RegistryEntry {
  readonly uri: string;
  readonly address: Address | undefined;
  readonly price: Rational | undefined;
  readonly capabilities: readonly string[];
  /** AI pipelines and models of the last reply. */
  readonly ai: readonly OrchestratorAiModel[];
  /** Last GetOrchestrator round trip. */
  readonly latencyMs: number | undefined;
  /** EWMA of segment latency scores (≤ 1 is good). */
  readonly latencyScore: number | undefined;
  readonly successes: number;
  readonly failures: number;
  readonly inUse: number;
  readonly rejection: { readonly reason: RejectReason; readonly detail: string; readonly at: number } | undefined;
  /** Strongest current suspension across streams. */
  readonly suspension: { readonly penalty: number; readonly reason: string } | undefined;
  /** Unix ms of the last reply or attempt. */
  readonly lastSeen: number;
}

interface MutableEntry {
  uri: string;
  address: Address | undefined;
  price: Rational | undefined;
  capabilities: string[];
  ai: OrchestratorAiModel[];
  latencyMs: number | undefined;
  latencyScore: number | undefined;
  successes: number;
  failures: number;
  inUse: number;
  rejection: { reason: RejectReason; detail: string; at: number } | undefined;
  holds: Map<string, SuspensionHold>;
  lastSeen: number;
}

export class OrchestratorRegistry {
  private readonly entries = new Map<string, MutableEntry>();
  private readonly now: () => number;

  constructor(private readonly opts: { bus?: EventBus; now?: () => number; ewmaAlpha?: number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  private entry(uri: string): MutableEntry {
    let e = this.entries.get(uri);
    if (!e) {
      e = {
        uri,
        address: undefined,
        price: undefined,
        capabilities: [],
        ai: [],
        latencyMs: undefined,
        latencyScore: undefined,
        successes: 0,
        failures: 0,
        inUse: 0,
        rejection: undefined,
        holds: new Map(),
        lastSeen: this.now(),
      };
      this.entries.set(uri, e);
    }
    return e;
  }

  private applyInfo(e: MutableEntry, info: OrchestratorInfo): void {
    if (info.address.length === 20) e.address = toChecksumAddress(info.address);
    try {
      e.price = pricePerPixel(info.priceInfo);
    } catch {
      e.price = undefined;
    }
    if (info.capabilities) {
      e.capabilities = decodeBitstring(info.capabilities.bitstring).map(capabilityName);
      e.ai = perCapabilityModels(info.capabilities).map((m) => ({ pipeline: m.pipeline, modelId: m.modelId, warm: m.warm }));
    }
  }

  /** Records one discovery outcome (usable or rejected). */
  recordOutcome(o: DiscoveryOutcome): void {
    if (o.kind === 'usable') this.recordUsable(o.orchestrator.uri, o.orchestrator.info, o.orchestrator.latencyMs);
    else this.recordRejection(o.rejection.uri, o.rejection.reason, o.rejection.detail, o.rejection.info, o.rejection.latencyMs);
  }

  /** A usable reply (discovery, refresh or a segment reply's OrchestratorInfo): clears any rejection. */
  recordUsable(uri: string, info: OrchestratorInfo, latencyMs?: number): void {
    const e = this.entry(uri);
    this.applyInfo(e, info);
    if (latencyMs !== undefined) e.latencyMs = latencyMs;
    e.rejection = undefined;
    e.lastSeen = this.now();
  }

  /** A rejection; emits `orchestrator.rejected` only when the reason differs from the current state. */
  recordRejection(uri: string, reason: RejectReason, detail: string, info?: OrchestratorInfo, latencyMs?: number): void {
    const e = this.entry(uri);
    if (info) this.applyInfo(e, info);
    if (latencyMs !== undefined && info) e.latencyMs = latencyMs;
    const changed = e.rejection?.reason !== reason;
    e.rejection = { reason, detail, at: this.now() };
    e.lastSeen = this.now();
    if (changed) this.opts.bus?.emit({ type: 'orchestrator.rejected', orchestrator: uri, reason, detail });
  }

  /** A finished segment: success feeds the latency-score average, failure the failure counter. */
  recordResult(uri: string, result: { ok: true; latencyScore: number } | { ok: false }): void {
    const e = this.entry(uri);
    if (result.ok) {
      e.successes++;
      const a = this.opts.ewmaAlpha ?? LATENCY_EWMA_ALPHA;
      e.latencyScore = e.latencyScore === undefined ? result.latencyScore : a * result.latencyScore + (1 - a) * e.latencyScore;
    } else {
      e.failures++;
    }
    e.lastSeen = this.now();
  }

  /** A stream started using the orchestrator. */
  acquire(uri: string): void {
    this.entry(uri).inUse++;
  }

  /** A stream stopped using it. */
  release(uri: string): void {
    const e = this.entries.get(uri);
    if (e && e.inUse > 0) e.inUse--;
  }

  /** Sets (or clears with null) the suspension `holder` (a stream id) has on `uri`. */
  setSuspension(uri: string, holder: string, hold: SuspensionHold | null): void {
    if (hold) this.entry(uri).holds.set(holder, hold);
    else this.entries.get(uri)?.holds.delete(holder);
  }

  private strongestHold(e: MutableEntry): { penalty: number; reason: string } | undefined {
    let best: { penalty: number; reason: string } | undefined;
    for (const h of e.holds.values()) {
      const p = h.penalty();
      if (p > 0 && (!best || p > best.penalty)) best = { penalty: p, reason: h.reason };
    }
    return best;
  }

  private snapshot(e: MutableEntry): RegistryEntry {
    return {
      uri: e.uri,
      address: e.address,
      price: e.price,
      capabilities: [...e.capabilities],
      ai: e.ai.map((m) => ({ ...m })),
      latencyMs: e.latencyMs,
      latencyScore: e.latencyScore,
      successes: e.successes,
      failures: e.failures,
      inUse: e.inUse,
      rejection: e.rejection ? { ...e.rejection } : undefined,
      suspension: this.strongestHold(e),
      lastSeen: e.lastSeen,
    };
  }

  /** One orchestrator, or undefined when never heard of. */
  get(uri: string): RegistryEntry | undefined {
    const e = this.entries.get(uri);
    return e ? this.snapshot(e) : undefined;
  }

  /** All orchestrators in the API shape, sorted by URI. */
  list(): OrchestratorView[] {
    return [...this.entries.values()]
      .sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))
      .map((e) => {
        const total = e.successes + e.failures;
        const sus = this.strongestHold(e);
        return {
          uri: e.uri,
          address: e.address ?? null,
          pricePerPixel: e.price ? e.price.toString() : null,
          pricePerPixelWei: e.price ? formatWeiPerPixel(e.price) : null,
          latencyMs: e.latencyMs === undefined ? null : Math.round(e.latencyMs),
          latencyScore: e.latencyScore ?? null,
          successRate: total > 0 ? e.successes / total : null,
          inUse: e.inUse,
          suspended: sus ?? null,
          rejected: e.rejection ? { reason: e.rejection.reason, detail: e.rejection.detail } : null,
          capabilities: [...e.capabilities],
          ai: e.ai.map((m) => ({ ...m })),
          lastSeen: new Date(e.lastSeen).toISOString(),
        };
      });
  }

  /** Known = ever heard of; usable = last word was a usable reply; rejected = last word was a rejection. */
  counts(): { known: number; usable: number; rejected: number } {
    let usable = 0;
    let rejected = 0;
    for (const e of this.entries.values()) {
      if (e.rejection) rejected++;
      else usable++;
    }
    return { known: this.entries.size, usable, rejected };
  }

  /** Drops orchestrators not seen since `before` (unix ms) and not in use. */
  prune(before: number): number {
    let n = 0;
    for (const [uri, e] of this.entries) {
      if (e.lastSeen < before && e.inUse === 0 && e.holds.size === 0) {
        this.entries.delete(uri);
        n++;
      }
    }
    return n;
  }
}
