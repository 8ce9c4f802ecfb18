// Per-capability prices in go-livepeer's `-maxPricePerCapability` JSON shape
// ({"capabilities_prices":[{pipeline, model_id, price_per_unit, pixels_per_unit, currency}]}), used for the
// gateway's max price per (pipeline, model) and for the price it charges its own customers. Pure and exact:
// numbers are read from the JSON text as decimals, never through floats. USD amounts convert at the current ETH/USD
// rate; without one their price is *unknown*, resolved as 0 wei (pay nothing) — never as "no cap".
import { type EthUsdRate, usdToWei } from './fiatPrice.js';
import { Rational } from '../protocol/rational.js';
import { type PricedPipeline, isPricedPipeline } from './pipelines.js';
import { GwError } from '../errors.js';

/** One configured price, as written in the JSON (amounts as decimal strings). */
export interface CapabilityPriceEntry {
  readonly pipeline: PricedPipeline;
  /** A model id, or "default" for every model without its own entry. */
  readonly modelId: string;
  /** Decimal amount in `currency` per `pixelsPerUnit` units; "0" = fall back to the global max price. */
  readonly pricePerUnit: string;
  /** Positive integer as text; "0" = use the global pixelsPerUnit. */
  readonly pixelsPerUnit: string;
  readonly currency: PriceCurrency;
}

/** Currencies a price may be given in (USD through the ETH/USD price feed). */
export type PriceCurrency = 'wei' | 'ETH' | 'USD';

/** A price list that cannot be used; the message names the entry and field. */
export class PriceConfigError extends GwError {
  constructor(message: string) {
    super('invalid_price', message);
    this.name = 'PriceConfigError';
  }
}

export const DEFAULT_MODEL_KEY = 'default';

const WEI_PER_ETH = 10n ** 18n;
const NUMBER_FIELDS = /"(price_per_unit|pixels_per_unit)"\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Normalises a currency name: wei (default, any case), ETH or USD (converted with the ETH/USD price feed). */
export function parseCurrency(raw: unknown, where: string): PriceCurrency {
  if (raw === undefined || raw === null || raw === '') return 'wei';
  if (typeof raw !== 'string') throw new PriceConfigError(`${where}: currency must be a string`);
  if (/^wei$/i.test(raw)) return 'wei';
  if (/^eth$/i.test(raw)) return 'ETH';
  if (/^usd$/i.test(raw)) return 'USD';
  throw new PriceConfigError(`${where}: currency "${raw}" is not supported (use wei, ETH or USD)`);
}

function decimalText(v: unknown, where: string, field: string): string {
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim())) {
    throw new PriceConfigError(`${where}: ${field} must be a number`);
  }
  return text.trim();
}

/**
 * Parses go-livepeer's JSON (also a bare array of entries). Missing model_id → "default"; missing amounts → "0".
 * Unknown pipelines and bad amounts throw PriceConfigError.
 */
export function parseCapabilityPrices(text: string): CapabilityPriceEntry[] {
  if (text.trim() === '') return [];
  let v: unknown;
  try {
    // Keep every digit: JSON numbers become strings before JSON.parse can round them.
    v = JSON.parse(text.replace(NUMBER_FIELDS, '"$1":"$2"'));
  } catch (err) {
    throw new PriceConfigError(`capability prices are not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['capabilities_prices'] : undefined;
  if (!Array.isArray(list)) throw new PriceConfigError('capability prices must look like {"capabilities_prices": [ … ]}');
  return list.map((item: unknown, i) => {
    const where = `capabilities_prices[${i}]`;
    if (typeof item !== 'object' || item === null) throw new PriceConfigError(`${where}: must be an object`);
    const rec = item as Record<string, unknown>;
    const pipeline = rec['pipeline'];
    if (typeof pipeline !== 'string' || !isPricedPipeline(pipeline)) throw new PriceConfigError(`${where}: unknown pipeline ${JSON.stringify(pipeline)}`);
    const model = rec['model_id'];
    if (model !== undefined && typeof model !== 'string') throw new PriceConfigError(`${where}: model_id must be a string`);
    const price = rec['price_per_unit'] === undefined ? '0' : decimalText(rec['price_per_unit'], where, 'price_per_unit');
    const pixels = rec['pixels_per_unit'] === undefined ? '0' : decimalText(rec['pixels_per_unit'], where, 'pixels_per_unit');
    if (!/^\d+$/.test(pixels) && !/^-/.test(pixels)) throw new PriceConfigError(`${where}: pixels_per_unit must be a whole number`);
    return { pipeline, modelId: model && model.trim() !== '' ? model.trim() : DEFAULT_MODEL_KEY, pricePerUnit: price, pixelsPerUnit: pixels, currency: parseCurrency(rec['currency'], where) };
  });
}

/** Serialises entries to go-livepeer's JSON shape, amounts as JSON numbers (exact digits). */
export function serializeCapabilityPrices(entries: readonly CapabilityPriceEntry[]): string {
  const items = entries.map(
    (e) => `{"pipeline":${JSON.stringify(e.pipeline)},"model_id":${JSON.stringify(e.modelId)},"price_per_unit":${e.pricePerUnit},"pixels_per_unit":${e.pixelsPerUnit},"currency":${JSON.stringify(e.currency)}}`,
  );
  return `{"capabilities_prices":[${items.join(',')}]}`;
}

/** Adds or replaces the entry for (pipeline, model). */
export function upsertCapabilityPrice(entries: readonly CapabilityPriceEntry[], entry: CapabilityPriceEntry): CapabilityPriceEntry[] {
  const out = entries.filter((e) => !(e.pipeline === entry.pipeline && e.modelId === entry.modelId));
  out.push(entry);
  return out;
}

/** Drops the entry for (pipeline, model); returns the list unchanged when absent. */
export function removeCapabilityPrice(entries: readonly CapabilityPriceEntry[], pipeline: string, modelId: string): CapabilityPriceEntry[] {
  return entries.filter((e) => !(e.pipeline === pipeline && e.modelId === modelId));
}

/** The global video cap (`-maxPricePerUnit` / `-pixelsPerUnit`) in wei. */
export interface GlobalPrice {
  readonly maxPricePerUnit: bigint;
  readonly pixelsPerUnit: bigint;
  /** Set when the cap is in USD and no ETH/USD rate is known: why. The cap is then 0 (pay nothing). */
  readonly unknown?: string;
}

/**
 * Wei per unit of one entry with go-livepeer's fallbacks: pixels ≤ 0 → the global pixelsPerUnit; price ≤ 0 → the
 * global maxPricePerUnit when set, else the entry is ignored (undefined). A USD price without `rate` (or a fallback
 * to an unknown global cap) is 0: the price is not known yet, so nothing may be paid.
 */
export function entryPrice(e: CapabilityPriceEntry, global: GlobalPrice, rate: EthUsdRate | null = null): Rational | undefined {
  let amount = Rational.fromDecimalString(e.pricePerUnit);
  let pixels = BigInt(e.pixelsPerUnit.startsWith('-') ? 0 : e.pixelsPerUnit);
  if (pixels <= 0n) pixels = global.pixelsPerUnit > 0n ? global.pixelsPerUnit : 1n;
  if (amount.sign() <= 0) {
    if (global.unknown !== undefined) return Rational.ZERO;
    if (global.maxPricePerUnit <= 0n) return undefined;
    amount = Rational.of(global.maxPricePerUnit);
  } else if (e.currency === 'ETH') {
    amount = amount.mul(WEI_PER_ETH);
  } else if (e.currency === 'USD') {
    if (!rate) return Rational.ZERO;
    amount = usdToWei(amount, rate);
  }
  return amount.div(pixels);
}

/** Resolved per-capability prices: pipeline → model (or "default") → wei per unit. */
export type CapabilityPriceTable = ReadonlyMap<string, ReadonlyMap<string, Rational>>;

/** Resolves every entry (later entries for the same key win); a 0 price means "not known yet" (see entryPrice). */
export function resolveCapabilityPrices(entries: readonly CapabilityPriceEntry[], global: GlobalPrice, rate: EthUsdRate | null = null): CapabilityPriceTable {
  const table = new Map<string, Map<string, Rational>>();
  for (const e of entries) {
    const price = entryPrice(e, global, rate);
    if (!price) continue;
    let models = table.get(e.pipeline);
    if (!models) table.set(e.pipeline, (models = new Map()));
    models.set(e.modelId, price);
  }
  return table;
}

/** The global cap as wei per unit, null when 0 (any price), 0 when it is in USD and not known yet. */
export function globalCap(global: GlobalPrice): Rational | null {
  if (global.unknown !== undefined) return Rational.ZERO;
  return global.maxPricePerUnit > 0n ? Rational.of(global.maxPricePerUnit, global.pixelsPerUnit > 0n ? global.pixelsPerUnit : 1n) : null;
}

/**
 * The max price for a job over (pipeline, model) pairs: Σ of each pair's configured max (exact model, else
 * "default"); pairs without any entry contribute nothing; a zero sum falls back to the global cap (null = any).
 * A pair whose price is not known yet (0, a USD price without a rate) makes the whole job's max 0.
 */
export function jobMaxPrice(table: CapabilityPriceTable, pairs: ReadonlyArray<{ pipeline: string; modelId: string }>, global: GlobalPrice): Rational | null {
  let sum = Rational.ZERO;
  for (const { pipeline, modelId } of pairs) {
    const models = table.get(pipeline);
    const p = models?.get(modelId) ?? models?.get(DEFAULT_MODEL_KEY);
    if (p?.isZero()) return Rational.ZERO;
    if (p) sum = sum.add(p);
  }
  return sum.sign() > 0 ? sum : globalCap(global);
}

/** The configured price for one (pipeline, model): exact model, else "default", else undefined. */
export function lookupPrice(table: CapabilityPriceTable, pipeline: string, modelId: string): Rational | undefined {
  const models = table.get(pipeline);
  return models?.get(modelId) ?? models?.get(DEFAULT_MODEL_KEY);
}
