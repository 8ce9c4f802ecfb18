// The AI models the devnet orchestrator serves: per (pipeline, model) capacity bookkeeping (go-livepeer
// CheckAICapacity), the capability advertisement (capacities and PerCapability models), and AI pricing
// (core/orchestrator.go priceInfo: the sum over the job's capacities that carry model constraints).
import { type CapabilityId, type ModelConstraintSpec, pipelineToCapability } from '../../../lib/protocol/capabilities.js';
import type { Capabilities } from '../../../lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../../lib/protocol/rational.js';
import { type AiPipeline, DEVNET_RUNNER_VERSION, type DevnetAiOptions, isAiPipeline } from './config.js';

/** One served model. */
export interface AiModelEntry {
  pipeline: AiPipeline;
  capability: CapabilityId;
  modelId: string;
  warm: boolean;
  capacity: number;
  inUse: number;
  price?: Rational;
}

/** A priced (capability, model) pair for capabilities_prices. */
export interface CapabilityPrice {
  capability: CapabilityId;
  constraint: string;
  price: Rational;
}

const DEFAULT_TOKEN_DELAY_MS = 20;

export class AiCatalog {
  private readonly models = new Map<string, AiModelEntry>();
  readonly llmTokenDelayMs: number;

  constructor(opts: DevnetAiOptions) {
    this.llmTokenDelayMs = opts.llmTokenDelayMs ?? DEFAULT_TOKEN_DELAY_MS;
    if (!(this.llmTokenDelayMs >= 0 && this.llmTokenDelayMs <= 10_000)) throw new RangeError('llmTokenDelayMs must be 0–10000');
    const seen = new Set<string>();
    for (const p of opts.pipelines) {
      if (!isAiPipeline(p.pipeline)) throw new RangeError(`ai: unsupported pipeline ${JSON.stringify(p.pipeline)}`);
      if (seen.has(p.pipeline)) throw new RangeError(`ai: pipeline ${p.pipeline} configured twice`);
      seen.add(p.pipeline);
      const capability = pipelineToCapability(p.pipeline);
      if (capability === undefined) throw new RangeError(`ai: no capability for ${p.pipeline}`);
      if (p.models.length === 0) throw new RangeError(`ai: pipeline ${p.pipeline} has no models`);
      if (p.price && (p.price.pixelsPerUnit <= 0n || p.price.pricePerUnit < 0n)) throw new RangeError(`ai: invalid price for ${p.pipeline}`);
      for (const m of p.models) {
        const capacity = m.capacity ?? 1;
        if (m.id === '' || /\s/.test(m.id)) throw new RangeError(`ai: invalid model id ${JSON.stringify(m.id)}`);
        if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ai: capacity of ${m.id} must be a positive integer`);
        const key = `${p.pipeline}/${m.id}`;
        if (this.models.has(key)) throw new RangeError(`ai: model ${key} configured twice`);
        this.models.set(key, {
          pipeline: p.pipeline,
          capability,
          modelId: m.id,
          warm: m.warm,
          capacity,
          inUse: 0,
          ...(p.price ? { price: Rational.of(p.price.pricePerUnit, p.price.pixelsPerUnit) } : {}),
        });
      }
    }
  }

  get(pipeline: string, modelId: string): AiModelEntry | undefined {
    return this.models.get(`${pipeline}/${modelId}`);
  }

  entries(): AiModelEntry[] {
    return [...this.models.values()];
  }

  /** go-livepeer CheckAICapacity: reserves one slot; false for unknown models or when full. */
  reserve(pipeline: string, modelId: string): boolean {
    const m = this.get(pipeline, modelId);
    if (!m || m.inUse >= m.capacity) return false;
    m.inUse++;
    return true;
  }

  release(pipeline: string, modelId: string): void {
    const m = this.get(pipeline, modelId);
    if (m && m.inUse > 0) m.inUse--;
  }

  /** Capability ids served. */
  capabilityIds(): CapabilityId[] {
    return [...new Set(this.entries().map((m) => m.capability))].sort((a, b) => a - b);
  }

  /** Per capability: total model capacity. */
  capacities(): Map<CapabilityId, number> {
    const out = new Map<CapabilityId, number>();
    for (const m of this.models.values()) out.set(m.capability, (out.get(m.capability) ?? 0) + m.capacity);
    return out;
  }

  /** PerCapability constraints with live in-use counts. */
  perCapability(): Map<CapabilityId, Record<string, ModelConstraintSpec>> {
    const out = new Map<CapabilityId, Record<string, ModelConstraintSpec>>();
    for (const m of this.models.values()) {
      const models = out.get(m.capability) ?? {};
      models[m.modelId] = { warm: m.warm, capacity: m.capacity, capacityInUse: m.inUse, runnerVersion: DEVNET_RUNNER_VERSION };
      out.set(m.capability, models);
    }
    return out;
  }

  /** Price of (capability, model), if priced. */
  price(capability: CapabilityId, modelId: string): Rational | undefined {
    for (const m of this.models.values()) if (m.capability === capability && m.modelId === modelId) return m.price;
    return undefined;
  }

  /**
   * The AI part of a quote for job caps: Σ over ids in `capacities` that have a PerCapability entry, over each
   * listed model, of its price (unpriced or unknown models add nothing). Zero means "quote the transcoding price".
   */
  quote(jobCaps: Capabilities): Rational {
    let sum = Rational.ZERO;
    const per = jobCaps.constraints?.PerCapability ?? {};
    for (const key of Object.keys(jobCaps.capacities)) {
      const cap = Number(key);
      const constraint = per[cap];
      if (!constraint) continue;
      for (const modelId of Object.keys(constraint.models)) {
        const p = this.price(cap, modelId);
        if (p) sum = sum.add(p);
      }
    }
    return sum;
  }

  /** Every priced (capability, model) pair, for capabilities_prices. */
  prices(): CapabilityPrice[] {
    return this.entries()
      .filter((m): m is AiModelEntry & { price: Rational } => m.price !== undefined)
      .map((m) => ({ capability: m.capability, constraint: m.modelId, price: m.price }));
  }
}
