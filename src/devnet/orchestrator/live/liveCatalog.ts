// What the devnet orchestrator advertises for live-video-to-video (capability 35): one warm model per devnet
// pipeline with its capacity and streams in use (go-livepeer setLiveAICapacity fills these per GetOrchestrator), and
// the one live price, quoted when a gateway's job capabilities name capability 35 with a served model.
import { Capability, type CapabilityId, type ModelConstraintSpec } from '../../../lib/protocol/capabilities.js';
import type { Capabilities } from '../../../lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../../lib/protocol/rational.js';
import type { CapabilityPrice } from '../ai/catalog.js';
import { DEVNET_RUNNER_VERSION } from '../ai/config.js';
import { LIVE_PIPELINES, isLivePipeline } from './liveRunner.js';

/** Wei per pixel unit: fee = units × pricePerUnit / pixelsPerUnit. */
export interface LivePrice {
  pricePerUnit: bigint;
  pixelsPerUnit: bigint;
}

/** 58 wei per unit: 5 s of lv2v (138,240,000 units) ≈ 8.02e9 wei, about one ticket of the default 8e9 EV. */
export const DEFAULT_LIVE_PRICE: LivePrice = { pricePerUnit: 58n, pixelsPerUnit: 1n };
/** Concurrent streams per pipeline when not configured. */
export const DEFAULT_LIVE_CAPACITY = 4;

/** The live models, their capacity and price; `inUse` counts the streams running on a pipeline. */
export class LiveCatalog {
  readonly price: Rational;

  constructor(
    readonly capacity: number,
    price: LivePrice,
    private readonly inUse: (pipeline: string) => number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('live capacity must be a positive integer');
    if (price.pixelsPerUnit <= 0n || price.pricePerUnit < 0n) throw new RangeError('invalid live price');
    this.price = Rational.of(price.pricePerUnit, price.pixelsPerUnit);
  }

  /** Whether a stream of `pipeline` may start now (go-livepeer CheckAICapacity for live-video-to-video). */
  hasRoom(pipeline: string): boolean {
    return isLivePipeline(pipeline) && this.inUse(pipeline) < this.capacity;
  }

  /** Capability 35's capacity: the sum over the models, as for AI capabilities. */
  capacities(): Map<CapabilityId, number> {
    return new Map([[Capability.LiveVideoToVideo, this.capacity * LIVE_PIPELINES.length]]);
  }

  /** PerCapability models of capability 35, warm, with the streams running now. */
  perCapability(): Map<CapabilityId, Record<string, ModelConstraintSpec>> {
    const models: Record<string, ModelConstraintSpec> = {};
    for (const p of LIVE_PIPELINES) models[p] = { warm: true, capacity: this.capacity, capacityInUse: this.inUse(p), runnerVersion: DEVNET_RUNNER_VERSION };
    return new Map([[Capability.LiveVideoToVideo, models]]);
  }

  /** The live part of a quote: the price once per served model the job caps list under capability 35. */
  quote(jobCaps: Capabilities): Rational {
    if (!Object.hasOwn(jobCaps.capacities, Capability.LiveVideoToVideo)) return Rational.ZERO;
    const models = jobCaps.constraints?.PerCapability?.[Capability.LiveVideoToVideo]?.models ?? {};
    let sum = Rational.ZERO;
    for (const id of Object.keys(models)) if (isLivePipeline(id)) sum = sum.add(this.price);
    return sum;
  }

  /** capabilities_prices entries: one per model. */
  prices(): CapabilityPrice[] {
    return LIVE_PIPELINES.map((p) => ({ capability: Capability.LiveVideoToVideo, constraint: p, price: this.price }));
  }
}
