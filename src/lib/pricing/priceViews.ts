// The price views gw shows (GET /v1/prices, `gw price show` offline): what aiPrices produces and the API carries.
import type { PriceCurrency } from './capabilityPrices.js';

/** One per-capability price as configured, with its resolved wei per unit. */
export interface PriceEntryView {
  readonly pipeline: string;
  /** A model id or "default". */
  readonly modelId: string;
  readonly pricePerUnit: string;
  readonly pixelsPerUnit: string;
  readonly currency: PriceCurrency;
  /** Exact wei per unit ("num/den"), null when the entry has no effect (price 0 and no global cap). */
  readonly weiPerUnit: string | null;
  /** The same rendered with up to 3 decimals. */
  readonly weiPerUnitDisplay: string | null;
  /** Present when the price is in USD and no ETH/USD rate is known: why (nothing is paid for it until then). */
  readonly unknownReason?: string;
}

/** The ETH/USD rate USD prices are converted with. */
export interface EthUsdView {
  /** The Chainlink AggregatorV3 feed read. */
  readonly feed: string;
  /** USD per ETH with 2 decimals, null before the first good read. */
  readonly usdPerEth: string | null;
  /** The feed's raw answer and decimals. */
  readonly answer: string | null;
  readonly decimals: number | null;
  /** When the feed last updated the answer (ISO time) and how long ago, in seconds. */
  readonly updatedAt: string | null;
  readonly ageSeconds: number | null;
  /** Why the last read failed (the last good rate, if any, stays in use). */
  readonly problem: string | null;
}

/** GET /v1/prices. */
export interface PricesResponse {
  readonly video: {
    /** As configured: whole wei, or a USD amount such as "0.02USD". */
    readonly maxPricePerUnit: string;
    readonly pixelsPerUnit: number;
    readonly currency: 'wei' | 'USD';
    /** "num/den" wei per pixel, null when any price is accepted; "0/1" while a USD cap's rate is unknown. */
    readonly weiPerPixel: string | null;
    /** A USD cap in wei per pixelsPerUnit at the current rate ("num/den"); null for a wei cap or an unknown rate. */
    readonly weiPerUnit: string | null;
    readonly acceptsAnyPrice: boolean;
    /** Set when the cap is in USD and no ETH/USD rate is known: no orchestrator is paid until there is one. */
    readonly unknownReason: string | null;
  };
  /** The ETH/USD price feed; null when the gateway has none (off-chain). */
  readonly ethUsd: EthUsdView | null;
  /** Max prices per (pipeline, model) (`-maxPricePerCapability`). */
  readonly capabilities: PriceEntryView[];
  /** What this gateway charges its customers (marketplace listing). */
  readonly customer: PriceEntryView[];
  /** Set when a price list setting names a file instead of holding JSON. */
  readonly capabilitiesFile: string | null;
  readonly customerFile: string | null;
  /** Why a price list could not be read, when it could not. */
  readonly problems: string[];
}

/** POST /v1/prices: set (or remove) one per-capability price. */
export interface PriceUpdateRequest {
  /** 'max' = the most the gateway pays; 'customer' = what it charges. */
  readonly target: 'max' | 'customer';
  readonly pipeline: string;
  /** A model id or "default". */
  readonly modelId: string;
  /** Decimal amount in `currency` (required unless remove). */
  readonly pricePerUnit?: string;
  /** Whole number of units the amount is for (default 1). */
  readonly pixelsPerUnit?: string;
  readonly currency?: string;
  readonly remove?: boolean;
}
