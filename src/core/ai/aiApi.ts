// Wire types of the AI control routes (/v1/prices, /v1/ai/*), shared by the daemon and `gw price` / `gw orchestrators`.
import type { OfferView } from './networkView.js';

/** One per-capability price as configured, with its resolved wei per unit. */
export interface PriceEntryView {
  readonly pipeline: string;
  /** A model id or "default". */
  readonly modelId: string;
  readonly pricePerUnit: string;
  readonly pixelsPerUnit: string;
  readonly currency: 'wei' | 'ETH';
  /** Exact wei per unit ("num/den"), null when the entry has no effect (price 0 and no global cap). */
  readonly weiPerUnit: string | null;
  /** The same rendered with up to 3 decimals. */
  readonly weiPerUnitDisplay: string | null;
}

/** GET /v1/prices. */
export interface PricesResponse {
  readonly video: {
    readonly maxPricePerUnit: string;
    readonly pixelsPerUnit: number;
    /** "num/den" wei per pixel, null when any price is accepted. */
    readonly weiPerPixel: string | null;
    readonly acceptsAnyPrice: boolean;
  };
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

/** GET /v1/ai/network. */
export interface NetworkOffersResponse {
  readonly orchestrators: OfferView[];
  /** Orchestrators that did not answer the capability poll, with why. */
  readonly unreachable: Array<{ readonly uri: string; readonly error: string }>;
  readonly updatedAt: string;
}
