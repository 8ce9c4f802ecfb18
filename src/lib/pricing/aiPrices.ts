// The gateway's AI prices as settings: the per-capability max prices (`maxPricePerCapability`, go-livepeer's JSON or
// a file path) and the customer prices (`customerPricePerCapability`), resolved against the global video cap,
// read back for `gw price show` and updated (persisted through the runtime config) for `gw price set`. USD prices
// convert at the ETH/USD rate of the attached rate source and are re-resolved whenever that rate changes.
import { readFileSync } from 'node:fs';
import type { ConfigResponse, ConfigUpdateRequest } from '../settings/settingViews.js';
import type { SettingsReader } from '../settings/settings.js';
import { formatWeiPerPixel } from './priceFormat.js';
import { type EthUsdRateSource, formatUsdPerEth, quoteAgeSeconds } from './fiatPrice.js';
import { effectiveCap, noRateReason, type VideoCap, videoCapFromSettings } from './videoCap.js';
import { Rational } from '../protocol/rational.js';
import type { EthUsdView, PriceEntryView, PriceUpdateRequest, PricesResponse } from './priceViews.js';
import {
  type CapabilityPriceEntry,
  type CapabilityPriceTable,
  type GlobalPrice,
  PriceConfigError,
  entryPrice,
  jobMaxPrice,
  parseCapabilityPrices,
  parseCurrency,
  removeCapabilityPrice,
  resolveCapabilityPrices,
  serializeCapabilityPrices,
  upsertCapabilityPrice,
} from './capabilityPrices.js';
import { isPricedPipeline } from './pipelines.js';

/** The runtime config surface the AI gateway uses (RuntimeConfig satisfies it). */
export interface AiConfig extends SettingsReader {
  update(req: ConfigUpdateRequest): ConfigResponse;
}

export const MAX_PRICES_KEY = 'maxPricePerCapability';
export const CUSTOMER_PRICES_KEY = 'customerPricePerCapability';

interface LoadedList {
  entries: CapabilityPriceEntry[];
  file: string | null;
  problem: string | null;
}

/** Reads a price list setting: inline JSON, or (not starting with { or [) a file holding it. */
export function loadPriceList(value: string | undefined): LoadedList {
  if (value === undefined || value.trim() === '') return { entries: [], file: null, problem: null };
  const text = value.trim();
  const file = text.startsWith('{') || text.startsWith('[') ? null : text;
  try {
    const json = file ? readFileSync(file, 'utf8') : text;
    return { entries: parseCapabilityPrices(json), file, problem: null };
  } catch (err) {
    return { entries: [], file, problem: `${file ?? 'inline price list'}: ${(err as Error).message}` };
  }
}

/** The table without prices that are not known yet (0). */
function knownOnly(table: CapabilityPriceTable): CapabilityPriceTable {
  const out = new Map<string, Map<string, Rational>>();
  for (const [pipeline, models] of table) {
    const known = new Map([...models].filter(([, p]) => !p.isZero()));
    if (known.size > 0) out.set(pipeline, known);
  }
  return out;
}

/** Live prices: recomputed whenever a price setting changes. */
export class AiPrices {
  private max!: LoadedList;
  private customer!: LoadedList;
  private maxTable!: CapabilityPriceTable;
  private customerTable!: CapabilityPriceTable;
  private readonly unsubscribe: Array<() => void>;
  private rate: EthUsdRateSource | undefined;

  constructor(
    private readonly config: AiConfig,
    private readonly onChanged: () => void = () => undefined,
  ) {
    this.reload();
    this.unsubscribe = (['maxPricePerUnit', 'pixelsPerUnit', MAX_PRICES_KEY, CUSTOMER_PRICES_KEY] as const).map((k) =>
      config.onChange(k, () => {
        this.reload();
        this.onChanged();
      }),
    );
  }

  /** Converts USD prices with `source` from now on and re-resolves them whenever its rate changes. */
  setRateSource(source: EthUsdRateSource): void {
    this.rate = source;
    this.unsubscribe.push(
      source.onChange(() => {
        this.reload();
        this.onChanged();
      }),
    );
    this.reload();
    this.onChanged();
  }

  /** The video cap resolved with the current ETH/USD rate. */
  videoCap(): VideoCap {
    return videoCapFromSettings(this.config.get('maxPricePerUnit'), this.config.get('pixelsPerUnit'), this.rate);
  }

  /** The global video cap in wei per pixelsPerUnit; a USD cap's fractional wei moves into pixelsPerUnit (exact). */
  global(): GlobalPrice {
    const pixelsPerUnit = BigInt(this.config.get('pixelsPerUnit'));
    const cap = this.videoCap();
    switch (cap.kind) {
      case 'any':
        return { maxPricePerUnit: 0n, pixelsPerUnit };
      case 'wei':
        return { maxPricePerUnit: BigInt(this.config.get('maxPricePerUnit')), pixelsPerUnit };
      case 'usd':
        return { maxPricePerUnit: cap.perUnit.num, pixelsPerUnit: pixelsPerUnit * cap.perUnit.den };
      case 'unknown':
        return { maxPricePerUnit: 0n, pixelsPerUnit, unknown: cap.reason };
    }
  }

  private reload(): void {
    this.max = loadPriceList(this.config.get(MAX_PRICES_KEY));
    this.customer = loadPriceList(this.config.get(CUSTOMER_PRICES_KEY));
    const g = this.global();
    const quote = this.rate?.current() ?? null;
    this.maxTable = resolveCapabilityPrices(this.max.entries, g, quote);
    // Customer prices never fall back to the video cap, and one in USD is not listed until it is known.
    this.customerTable = knownOnly(resolveCapabilityPrices(this.customer.entries, { maxPricePerUnit: 0n, pixelsPerUnit: g.pixelsPerUnit }, quote));
  }

  /** Max wei per unit for (pipeline, model): its entry (exact model, else default), else the global cap; null = any. */
  maxPrice(pipeline: string, modelId: string): Rational | null {
    return jobMaxPrice(this.maxTable, [{ pipeline, modelId }], this.global());
  }

  /** Resolved max-price table. */
  get maxPrices(): CapabilityPriceTable {
    return this.maxTable;
  }

  /** Resolved customer-price table. */
  get customerPrices(): CapabilityPriceTable {
    return this.customerTable;
  }

  /** GET /v1/prices. */
  view(): PricesResponse {
    const g = this.global();
    const video = this.videoCap();
    const cap = effectiveCap(video);
    const quote = this.rate?.current() ?? null;
    const entryView = (e: CapabilityPriceEntry, global: GlobalPrice): PriceEntryView => {
      const p = entryPrice(e, global, quote);
      const unknown = p?.isZero() ? (e.currency === 'USD' && !quote ? noRateReason(this.rate) : global.unknown) : undefined;
      if (unknown !== undefined) return { ...e, weiPerUnit: null, weiPerUnitDisplay: null, unknownReason: unknown };
      return { ...e, weiPerUnit: p ? p.toString() : null, weiPerUnitDisplay: p ? formatWeiPerPixel(p) : null };
    };
    return {
      video: {
        maxPricePerUnit: this.config.get('maxPricePerUnit'),
        pixelsPerUnit: this.config.get('pixelsPerUnit'),
        currency: video.kind === 'usd' || video.kind === 'unknown' ? 'USD' : 'wei',
        weiPerPixel: cap ? cap.toString() : null,
        weiPerUnit: video.kind === 'usd' ? video.perUnit.toString() : null,
        acceptsAnyPrice: cap === null,
        unknownReason: video.kind === 'unknown' ? video.reason : null,
      },
      ethUsd: this.ethUsdView(),
      capabilities: this.max.entries.map((e) => entryView(e, g)),
      customer: this.customer.entries.map((e) => entryView(e, { maxPricePerUnit: 0n, pixelsPerUnit: g.pixelsPerUnit })),
      capabilitiesFile: this.max.file,
      customerFile: this.customer.file,
      problems: [this.max.problem, this.customer.problem].filter((p): p is string => p !== null),
    };
  }

  /** POST /v1/prices: validates, then persists the whole list through the runtime config (a file path is replaced by inline JSON). */
  update(req: PriceUpdateRequest): PricesResponse {
    if (!isPricedPipeline(req.pipeline)) throw new PriceConfigError(`unknown pipeline "${req.pipeline}"`);
    const key = req.target === 'customer' ? CUSTOMER_PRICES_KEY : MAX_PRICES_KEY;
    const current = req.target === 'customer' ? this.customer : this.max;
    if (current.problem) throw new PriceConfigError(`the current list cannot be read (${current.problem}); fix or unset ${key} first`);
    let entries: CapabilityPriceEntry[];
    if (req.remove) {
      entries = removeCapabilityPrice(current.entries, req.pipeline, req.modelId);
    } else {
      const amount = (req.pricePerUnit ?? '').trim();
      if (!/^\d+(\.\d+)?$/.test(amount)) throw new PriceConfigError(`price per unit must be a positive decimal number, got "${req.pricePerUnit ?? ''}"`);
      if (Rational.fromDecimalString(amount).sign() <= 0) throw new PriceConfigError('price per unit must be greater than 0');
      const pixels = (req.pixelsPerUnit ?? '1').trim();
      if (!/^\d+$/.test(pixels) || BigInt(pixels) <= 0n) throw new PriceConfigError(`pixels per unit must be a positive whole number, got "${req.pixelsPerUnit ?? ''}"`);
      const currency = parseCurrency(req.currency, 'price');
      entries = upsertCapabilityPrice(current.entries, { pipeline: req.pipeline, modelId: req.modelId, pricePerUnit: amount, pixelsPerUnit: pixels, currency });
    }
    this.config.update(entries.length > 0 ? { set: { [key]: serializeCapabilityPrices(entries) } } : { unset: [key] });
    this.reload();
    return this.view();
  }

  private ethUsdView(): EthUsdView | null {
    if (!this.rate) return null;
    const q = this.rate.current();
    return {
      feed: this.rate.feed,
      usdPerEth: q ? formatUsdPerEth(q) : null,
      answer: q ? q.answer.toString() : null,
      decimals: q ? q.decimals : null,
      updatedAt: q ? new Date(q.updatedAt * 1000).toISOString() : null,
      ageSeconds: q ? quoteAgeSeconds(q) : null,
      problem: this.rate.problem(),
    };
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }
}
