// BYOC (external) capabilities of the devnet orchestrator (go-livepeer core/external_capabilities.go): name, worker
// (a built-in devnet handler or a real worker URL), capacity and load, and the price per second of compute.
import { Rational } from '../../../lib/protocol/rational.js';
import { Capability } from '../../../lib/protocol/capabilities.js';
import type { CapabilityPrice } from '../ai/catalog.js';
import type { DevnetByocOptions } from '../ai/config.js';

/** Built-in workers: 'echo' returns the request as JSON, 'sleep' sleeps `ms` from the JSON body. */
export type ByocHandler = 'echo' | 'sleep';

/** One registered capability. */
export interface ByocCapability {
  name: string;
  description: string;
  /** Worker URL: "devnet:echo" / "devnet:sleep" for the built-in handlers, else an http(s) URL to forward to. */
  url: string;
  capacity: number;
  load: number;
  /** wei per second of compute. */
  price: Rational;
  /** Bearer token for the worker, if any. */
  token?: string;
}

const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;
const INT64_MAX = (1n << 63n) - 1n;

/** The built-in handler behind a capability, if its URL names one. */
export function builtinHandler(cap: ByocCapability): ByocHandler | undefined {
  if (cap.url === 'devnet:echo') return 'echo';
  if (cap.url === 'devnet:sleep') return 'sleep';
  return undefined;
}

function intField(body: Record<string, unknown>, key: string, fallback: bigint): bigint {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  throw new Error(`${key} must be a whole number`);
}

export class ByocRegistry {
  private readonly caps = new Map<string, ByocCapability>();

  constructor(initial: readonly DevnetByocOptions[] = []) {
    for (const o of initial) {
      if (!NAME_RE.test(o.name)) throw new RangeError(`byoc: invalid capability name ${JSON.stringify(o.name)}`);
      if (!Number.isInteger(o.capacity) || o.capacity < 1) throw new RangeError(`byoc: capacity of ${o.name} must be a positive integer`);
      if (o.pricePerSecond.pixelsPerUnit <= 0n || o.pricePerSecond.pricePerUnit < 0n) throw new RangeError(`byoc: invalid price for ${o.name}`);
      if (this.caps.has(o.name)) throw new RangeError(`byoc: ${o.name} configured twice`);
      this.caps.set(o.name, {
        name: o.name,
        description: `devnet ${o.handler ?? 'echo'} capability`,
        url: `devnet:${o.handler ?? 'echo'}`,
        capacity: o.capacity,
        load: 0,
        price: Rational.of(o.pricePerSecond.pricePerUnit, o.pricePerSecond.pixelsPerUnit),
      });
    }
  }

  /**
   * Registers (or updates) a capability from go-livepeer's registration JSON {name, description, url, capacity,
   * price_per_unit, price_scaling, currency, token}. Only "wei" prices: the devnet has no price feed.
   */
  register(text: string): ByocCapability {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new Error(`invalid JSON: ${(err as Error).message}`);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('body must be a JSON object');
    const b = body as Record<string, unknown>;
    const name = b.name;
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw new Error('name must be 1–64 characters of A-Z a-z 0-9 . _ -');
    const url = b.url;
    if (typeof url !== 'string' || !(url === 'devnet:echo' || url === 'devnet:sleep' || /^https?:\/\/\S+$/.test(url))) {
      throw new Error('url must be an http(s) URL, "devnet:echo" or "devnet:sleep"');
    }
    const capacity = Number(intField(b, 'capacity', 1n));
    if (capacity < 1 || capacity > 100_000) throw new Error('capacity must be 1–100000');
    const ppu = intField(b, 'price_per_unit', 0n);
    const scaling = intField(b, 'price_scaling', 1n);
    if (scaling === 0n) throw new Error('price_scaling must be positive');
    if (ppu > INT64_MAX || scaling > INT64_MAX) throw new Error('price exceeds int64');
    const currency = b.currency ?? 'wei';
    if (typeof currency !== 'string' || currency.toLowerCase() !== 'wei') throw new Error(`currency ${JSON.stringify(currency)} is not supported by the devnet (no price feed): use wei`);
    const description = typeof b.description === 'string' ? b.description : '';
    const token = typeof b.token === 'string' && b.token !== '' ? b.token : undefined;
    const existing = this.caps.get(name);
    const cap: ByocCapability = { name, description, url, capacity, load: existing?.load ?? 0, price: Rational.of(ppu, scaling), ...(token ? { token } : {}) };
    this.caps.set(name, cap);
    return cap;
  }

  /** Removes a capability; false when unknown. */
  unregister(name: string): boolean {
    return this.caps.delete(name);
  }

  get(name: string): ByocCapability | undefined {
    return this.caps.get(name);
  }

  list(): ByocCapability[] {
    return [...this.caps.values()];
  }

  /** Free slots (go-livepeer CheckExternalCapabilityCapacity); 0 for unknown names. */
  available(name: string): number {
    const c = this.caps.get(name);
    return c ? Math.max(0, c.capacity - c.load) : 0;
  }

  /** Takes a slot; false when unknown or full. */
  reserve(name: string): boolean {
    const c = this.caps.get(name);
    if (!c || c.load >= c.capacity) return false;
    c.load++;
    return true;
  }

  free(name: string): void {
    const c = this.caps.get(name);
    if (c && c.load > 0) c.load--;
  }

  /** (37, name) prices for capabilities_prices. */
  prices(): CapabilityPrice[] {
    return this.list().map((c) => ({ capability: Capability.BYOC, constraint: c.name, price: c.price }));
  }
}
