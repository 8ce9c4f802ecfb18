// What the orchestrator network offers for AI and BYOC (go-livepeer /getNetworkCapabilities): every pool
// orchestrator asked for its OrchestratorInfo without job capabilities (so it lists all its capabilities and
// per-capability prices), cached briefly. Pure functions turn the replies into offers, the marketplace listing
// and go-livepeer's JSON shape.
import { create } from '@bufbuild/protobuf';
import type { Blocklist } from '../discovery/blocklist.js';
import { type GetOrchestratorFn, classifyQueryError } from '../discovery/discover.js';
import type { CandidatePool } from '../discovery/pools.js';
import { type Address, addressToBytes, toChecksumAddress } from '../../lib/protocol/address.js';
import { CAPABILITY_NAMES, Capability, capabilityToPipeline, decodeBitstring } from '../../lib/protocol/capabilities.js';
import { pricePerPixel } from '../../lib/protocol/fees.js';
import { type OrchestratorInfo, OrchestratorRequestSchema, type PriceInfo } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { ListingEntry, NetworkCapabilitiesResponse, OfferView } from '../../api/contract.js';
import { formatWeiPerPixel } from '../../lib/pricing/priceFormat.js';
import { type CapabilityPriceTable, lookupPrice } from '../../lib/pricing/capabilityPrices.js';
import { isAiPipeline } from '../../lib/pricing/pipelines.js';

/** How long a network snapshot is reused. */
export const NETWORK_VIEW_MAX_AGE_MS = 30_000;
/** GetOrchestrator deadline for the capability poll (go-livepeer: 3 s). */
export const NETWORK_POLL_TIMEOUT_MS = 3000;

/** One orchestrator's last answer (or failure). */
export interface NetworkEntry {
  readonly uri: string;
  readonly info?: OrchestratorInfo;
  readonly error?: string;
  readonly latencyMs?: number;
  readonly at: number;
}

export interface NetworkViewDeps {
  pool(): CandidatePool;
  getOrchestrator: GetOrchestratorFn;
  identity(): Promise<{ address: Address; sig: Uint8Array } | undefined>;
  blocklist?(): Blocklist | undefined;
  now?: () => number;
  maxAgeMs?: number;
}

/** Cached capability poll of the whole pool. */
export class NetworkView {
  private cached: { at: number; entries: NetworkEntry[] } | undefined;
  private running: Promise<NetworkEntry[]> | undefined;

  constructor(private readonly deps: NetworkViewDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The latest snapshot, polling when older than the max age (or when forced). */
  async snapshot(force = false): Promise<NetworkEntry[]> {
    const maxAge = this.deps.maxAgeMs ?? NETWORK_VIEW_MAX_AGE_MS;
    if (!force && this.cached && this.now() - this.cached.at < maxAge) return this.cached.entries;
    this.running ??= this.poll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async poll(): Promise<NetworkEntry[]> {
    let candidates: readonly { uri: string }[];
    try {
      candidates = await this.deps.pool().candidates();
    } catch (err) {
      // No orchestrator source configured (or it is down): an empty network, with the reason.
      return [{ uri: '(pool)', error: `orchestrator list unavailable: ${(err as Error).message}`, at: this.now() }];
    }
    const id = await this.deps.identity();
    const request = create(OrchestratorRequestSchema, { address: id ? addressToBytes(id.address) : new Uint8Array(0), sig: id?.sig ?? new Uint8Array(0) });
    const blocklist = this.deps.blocklist?.();
    const entries = await Promise.all(
      candidates.map(async (c): Promise<NetworkEntry> => {
        try {
          const { info, latencyMs } = await this.deps.getOrchestrator(c.uri, request, { timeoutMs: NETWORK_POLL_TIMEOUT_MS });
          if (blocklist?.has(info.address)) return { uri: c.uri, error: 'blocklisted', at: this.now() };
          return { uri: c.uri, info, latencyMs, at: this.now() };
        } catch (err) {
          return { uri: c.uri, error: classifyQueryError(err).detail, at: this.now() };
        }
      }),
    );
    this.cached = { at: this.now(), entries };
    return entries;
  }
}

/** One orchestrator's offer of one AI (pipeline, model) or BYOC capability. */
export interface Offer extends Omit<OfferView, 'pricePerUnit' | 'pricePerUnitWei' | 'unit'> {
  /** Wei per unit (BYOC: per second); undefined when O quotes none. */
  readonly price: Rational | undefined;
}

function priceOf(p: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'> | undefined): Rational | undefined {
  try {
    return pricePerPixel(p);
  } catch {
    return undefined;
  }
}

/** Every (pipeline, model) and BYOC capability each orchestrator offers, with its price for it. */
export function networkOffers(entries: readonly NetworkEntry[]): Offer[] {
  const out: Offer[] = [];
  for (const e of entries) {
    const info = e.info;
    if (!info) continue;
    const address = info.address.length === 20 ? toChecksumAddress(info.address) : null;
    const per = info.capabilities?.constraints?.PerCapability ?? {};
    const capPrice = (cap: number, constraint: string) => info.capabilitiesPrices.find((p) => p.capability === cap && p.constraint === constraint);
    const seen = new Set<string>();
    for (const [capKey, cons] of Object.entries(per)) {
      const cap = Number(capKey);
      const pipeline = cap === Capability.BYOC ? 'byoc' : capabilityToPipeline(cap);
      if (!pipeline) continue;
      for (const [modelId, m] of Object.entries(cons.models)) {
        seen.add(`${cap}/${modelId}`);
        // Without a model price O charges its general price (its per-capability sum is then 0).
        const price = priceOf(capPrice(cap, modelId)) ?? (cap === Capability.BYOC ? undefined : priceOf(info.priceInfo));
        out.push({ uri: e.uri, address, pipeline, modelId, warm: m.warm, capacity: m.capacity, capacityInUse: m.capacityInUse, price });
      }
    }
    // BYOC capabilities may only show up in the price list.
    for (const p of info.capabilitiesPrices) {
      if (p.capability !== Capability.BYOC || p.constraint === '' || seen.has(`${p.capability}/${p.constraint}`)) continue;
      seen.add(`${p.capability}/${p.constraint}`);
      out.push({ uri: e.uri, address, pipeline: 'byoc', modelId: p.constraint, warm: true, capacity: 0, capacityInUse: 0, price: priceOf(p) });
    }
  }
  return out;
}

/** A decimal rendering of a wei price with up to 3 decimals. */
function display(p: Rational | undefined): string | null {
  return p ? formatWeiPerPixel(p) : null;
}

/** Billing unit of a pipeline's price, for listings. */
export function priceUnit(pipeline: string): string {
  switch (pipeline) {
    case 'text-to-image':
    case 'image-to-image':
    case 'upscale':
    case 'segment-anything-2':
    case 'image-to-text':
      return 'pixel';
    case 'image-to-video':
      return 'pixel-frame';
    case 'audio-to-text':
      return 'millisecond of audio';
    case 'llm':
      return 'max token';
    case 'text-to-speech':
      return 'thousandth of a character';
    case 'byoc':
      return 'second';
    default:
      return 'unit';
  }
}

/**
 * The marketplace listing: per (pipeline, model) reachable through this gateway (orchestrators within the
 * gateway's cap), warm/cold counts, free capacity and the orchestrators' price range, plus our customer price.
 */
export function marketplaceListing(
  offers: readonly Offer[],
  opts: { maxPrice(pipeline: string, modelId: string): Rational | null; customer: CapabilityPriceTable },
): { pipelines: ListingEntry[]; byoc: ListingEntry[] } {
  const groups = new Map<string, Offer[]>();
  for (const o of offers) {
    const cap = o.pipeline === 'byoc' ? null : opts.maxPrice(o.pipeline, o.modelId);
    if (cap && o.price && o.price.gt(cap)) continue;
    const key = `${o.pipeline}\u0000${o.modelId}`;
    const g = groups.get(key) ?? [];
    g.push(o);
    groups.set(key, g);
  }
  const pipelines: ListingEntry[] = [];
  const byoc: ListingEntry[] = [];
  for (const g of groups.values()) {
    const { pipeline, modelId } = g[0]!;
    const prices = g.map((o) => o.price).filter((p): p is Rational => p !== undefined);
    const min = prices.reduce<Rational | undefined>((a, p) => (!a || p.lt(a) ? p : a), undefined);
    const max = prices.reduce<Rational | undefined>((a, p) => (!a || p.gt(a) ? p : a), undefined);
    const customer = lookupPrice(opts.customer, pipeline, modelId);
    const unit = priceUnit(pipeline);
    const entry: ListingEntry = {
      pipeline,
      model_id: modelId,
      warm: g.some((o) => o.warm),
      orchestrators: { warm: g.filter((o) => o.warm).length, cold: g.filter((o) => !o.warm).length },
      capacity: g.reduce((n, o) => n + Math.max(0, o.capacity - o.capacityInUse), 0),
      price: { unit, min_wei: min ? min.toString() : null, max_wei: max ? max.toString() : null, min: display(min), max: display(max) },
      customer_price: customer ? { unit, wei: customer.toString(), wei_per_unit: formatWeiPerPixel(customer) } : null,
    };
    (pipeline === 'byoc' ? byoc : pipelines).push(entry);
  }
  const order = (a: ListingEntry, b: ListingEntry) => a.pipeline.localeCompare(b.pipeline) || a.model_id.localeCompare(b.model_id);
  return { pipelines: pipelines.sort(order), byoc: byoc.sort(order) };
}

function num(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function priceJson(p: PriceInfo): Record<string, unknown> {
  return { pricePerUnit: num(p.pricePerUnit), pixelsPerUnit: num(p.pixelsPerUnit), capability: p.capability, constraint: p.constraint };
}

/** go-livepeer's `/getNetworkCapabilities` body. */
export function networkCapabilitiesJson(entries: readonly NetworkEntry[]): NetworkCapabilitiesResponse {
  const names: Record<string, string> = {};
  for (const [id, name] of Object.entries(CAPABILITY_NAMES)) names[id] = name;
  return {
    capabilities_names: names,
    orchestrators: entries
      .filter((e) => e.info)
      .map((e) => {
        const info = e.info!;
        const caps = info.capabilities;
        const per: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(caps?.constraints?.PerCapability ?? {})) {
          const models: Record<string, unknown> = {};
          for (const [m, c] of Object.entries(v.models)) models[m] = { warm: c.warm, capacity: c.capacity, runnerVersion: c.runnerVersion, capacityInUse: c.capacityInUse };
          per[k] = { models };
        }
        return {
          address: info.address.length === 20 ? toChecksumAddress(info.address) : '',
          local_address: e.uri,
          orch_uri: info.transcoder,
          capabilities: caps
            ? {
                bitstring: caps.bitstring.map(num),
                mandatories: caps.mandatories.map(num),
                capacities: caps.capacities,
                version: caps.version,
                constraints: { minVersion: caps.constraints?.minVersion ?? '', PerCapability: per },
              }
            : null,
          capability_names: caps ? decodeBitstring(caps.bitstring).map((id) => CAPABILITY_NAMES[id] ?? String(id)) : [],
          price_info: info.priceInfo ? priceJson(info.priceInfo) : null,
          capabilities_prices: info.capabilitiesPrices.map(priceJson),
          hardware: info.hardware.map((h) => ({ pipeline: h.pipeline, model_id: h.modelId, gpu_info: h.gpuInfo })),
        };
      }),
  };
}

/** The per-orchestrator AI view (`gw orchestrators ls --pipeline`), optionally filtered. */
export function offersView(entries: readonly NetworkEntry[], filter: { pipeline?: string; modelId?: string } = {}): OfferView[] {
  return networkOffers(entries)
    .filter((o) => (!filter.pipeline || o.pipeline === filter.pipeline) && (!filter.modelId || o.modelId === filter.modelId))
    .map((o) => ({
      uri: o.uri,
      address: o.address,
      pipeline: o.pipeline,
      modelId: o.modelId,
      warm: o.warm,
      capacity: o.capacity,
      capacityInUse: o.capacityInUse,
      pricePerUnit: o.price ? o.price.toString() : null,
      pricePerUnitWei: display(o.price),
      unit: priceUnit(o.pipeline),
    }))
    .sort((a, b) => a.pipeline.localeCompare(b.pipeline) || a.modelId.localeCompare(b.modelId) || a.uri.localeCompare(b.uri));
}

/** Pipelines known to gw (for validating filters). */
export function isKnownOfferPipeline(p: string): boolean {
  return isAiPipeline(p) || p === 'live-video-to-video' || p === 'byoc';
}
