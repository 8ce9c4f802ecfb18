/** Wire types of the control API, shared by the daemon and the typed client. */
import type { GatewayMode } from './events.js';
import type { AccountView, FundingAction } from '../lib/chain/accountView.js';
import type { PricesResponse, PriceUpdateRequest, PriceEntryView, EthUsdView } from '../lib/pricing/priceViews.js';
import type { ConfigEntry, ConfigResponse, ConfigUpdateRequest } from '../lib/settings/settingViews.js';
import type { ErrorCode } from '../lib/errors.js';

export type { AccountView, FundingAction, PricesResponse, PriceUpdateRequest, PriceEntryView, EthUsdView, ConfigEntry, ConfigResponse, ConfigUpdateRequest, ErrorCode };

export interface Endpoints {
  readonly control: string;
  readonly http: string;
  readonly rtmp: string;
  readonly metrics: string;
}

export interface StatusResponse {
  readonly version: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly uptimeMs: number;
  readonly mode: GatewayMode;
  readonly network: string;
  readonly dataDir: string;
  readonly endpoints: Endpoints;
  readonly orchestrators: { readonly known: number; readonly usable: number; readonly rejected: number };
  readonly sessions: { readonly active: number; readonly streams: number; readonly aiJobs: number };
  readonly draining: boolean;
}

/** Every error answer of the control API; `code` is stable (see src/lib/errors.ts), `message` is for people. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** What the daemon writes to `daemon.json` once its control API listens. */
export interface DaemonState {
  readonly pid: number;
  readonly version: string;
  readonly startedAt: string;
  readonly controlUrl: string;
  readonly httpUrl: string;
  readonly rtmpUrl: string;
  readonly tokenPath: string;
  readonly logPath: string;
  readonly dataDir: string;
}

/** One orchestrator as the gateway sees it (GET /v1/orchestrators). Prices are wei per pixel as decimal strings. */
export interface OrchestratorView {
  readonly uri: string;
  readonly address: string | null;
  /** Exact price per pixel as "num/den" (wei), null when the orchestrator quotes none. */
  readonly pricePerPixel: string | null;
  /** Price per pixel rendered in wei with up to 3 decimals, for display. */
  readonly pricePerPixelWei: string | null;
  readonly latencyMs: number | null;
  readonly latencyScore: number | null;
  readonly successRate: number | null;
  readonly inUse: number;
  readonly suspended: { readonly penalty: number; readonly reason: string } | null;
  readonly rejected: { readonly reason: string; readonly detail: string } | null;
  readonly capabilities: string[];
  /** AI pipelines and models from the orchestrator's last GetOrchestrator reply (PerCapability constraints). */
  readonly ai: OrchestratorAiModel[];
  readonly lastSeen: string;
}

/** One AI model an orchestrator serves. */
export interface OrchestratorAiModel {
  readonly pipeline: string;
  readonly modelId: string;
  /** Loaded and ready (cold models are loaded on the first request). */
  readonly warm: boolean;
}

export interface OrchestratorsResponse {
  readonly orchestrators: OrchestratorView[];
  /** The gateway's cap as "num/den" wei per pixel, null when any price is accepted. */
  readonly maxPricePerPixel: string | null;
}

/** One stream or AI job (GET /v1/sessions). */
export interface SessionView {
  readonly id: string;
  readonly kind: 'stream' | 'ai' | 'live';
  readonly orchestrator: string | null;
  readonly renditions: string[];
  readonly segmentsOk: number;
  readonly segmentsFailed: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly successRate: number | null;
  readonly spendWei: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

export interface SegmentRecord {
  readonly seq: number;
  readonly orchestrator: string | null;
  readonly ok: boolean;
  readonly latencyMs: number | null;
  readonly attempts: number;
  readonly error: string | null;
  readonly at: string;
}

export interface FailoverView {
  readonly at: string;
  readonly sessionId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly attempt: number;
}

export interface TicketView {
  readonly at: string;
  readonly sessionId: string;
  readonly recipient: string;
  readonly nonce: number;
  readonly faceValueWei: string;
  readonly winProb: string;
  readonly evWei: string;
}

export interface SessionDetail extends SessionView {
  readonly segments: SegmentRecord[];
  readonly failovers: FailoverView[];
  readonly tickets: TicketView[];
}

/** One (orchestrator, pipeline, model) offer (GET /v1/ai/network). */
export interface OfferView {
  readonly uri: string;
  readonly address: string | null;
  /** AI pipeline slug, or "byoc". */
  readonly pipeline: string;
  /** Model id, or the BYOC capability name. */
  readonly modelId: string;
  readonly warm: boolean;
  readonly capacity: number;
  readonly capacityInUse: number;
  /** Exact wei per unit "num/den", null when O quotes none. */
  readonly pricePerUnit: string | null;
  readonly pricePerUnitWei: string | null;
  readonly unit: string;
}

/** GET /v1/ai/network. */
export interface NetworkOffersResponse {
  readonly orchestrators: OfferView[];
  /** Orchestrators that did not answer the capability poll, with why. */
  readonly unreachable: Array<{ readonly uri: string; readonly error: string }>;
  readonly updatedAt: string;
}

/** Answer of the POST /v1/funding/* routes (HTTP 202). */
export interface FundingTxResponse {
  readonly txHash: string;
  readonly action: FundingAction;
}

/** GET /v1/tx/:hash. */
export interface TxStatusView {
  readonly hash: string;
  readonly status: 'pending' | 'success' | 'reverted';
  readonly action?: FundingAction;
  readonly blockNumber?: string;
  readonly feeWei?: string;
  readonly reason?: string;
}

/** go-livepeer's getAISessionPoolsInfo shape for one selector. */
export interface AiPoolInfo {
  readonly pipeline: string;
  readonly model_id: string;
  readonly warm: AiPoolView;
  readonly cold: AiPoolView;
  readonly last_refresh: string | null;
  readonly suspended: { readonly list: Record<string, number>; readonly current_count: number };
}

export interface AiPoolView {
  readonly size: number;
  readonly in_use: number;
  readonly orchestrators: Array<{ url: string; latency_score: number; in_flight: number; price_per_unit: string | null }>;
}

/** One (pipeline, model) or BYOC capability in the marketplace listing (GET /v1/ai/capabilities). */
export interface ListingEntry {
  readonly pipeline: string;
  readonly model_id: string;
  readonly warm: boolean;
  readonly orchestrators: { readonly warm: number; readonly cold: number };
  readonly capacity: number;
  readonly price: { readonly unit: string; readonly min_wei: string | null; readonly max_wei: string | null; readonly min: string | null; readonly max: string | null };
  readonly customer_price: { readonly unit: string; readonly wei: string; readonly wei_per_unit: string } | null;
}

/** GET /v1/ai/capabilities: what this gateway can serve, with prices (a marketplace listing). */
export interface MarketplaceListing {
  readonly pipelines: ListingEntry[];
  readonly byoc: ListingEntry[];
  readonly updated_at: string;
}

/** GET /getNetworkCapabilities: go-livepeer's shape, each orchestrator's raw capabilities and prices. */
export interface NetworkCapabilitiesResponse {
  readonly capabilities_names: Record<string, string>;
  readonly orchestrators: ReadonlyArray<Record<string, unknown>>;
}

/** One orchestrator swap of a live AI stream. */
export interface LiveSwapView {
  readonly at: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  /** From the old session's end to the new orchestrator started. */
  readonly gapMs: number;
}

/** A live AI (live-video-to-video) stream: GET /v1/live, GET /v1/live/:stream, `gw live show`. */
export interface LiveStreamView {
  /** The stream name (`/update` key, HLS output `{stream}-out`). */
  readonly stream: string;
  /** The status API and events key (may be empty). */
  readonly streamId: string;
  readonly requestId: string;
  readonly pipeline: string;
  /** The latest params (the start's, then each update's). */
  readonly params: Record<string, unknown>;
  readonly state: 'starting' | 'running' | 'swapping' | 'ended';
  /** The runner's last reported state (ONLINE, DEGRADED_INFERENCE, …). */
  readonly runnerState: string | null;
  readonly orchestrator: { readonly url: string; readonly address: string; readonly manifestId: string } | null;
  /** How the stream was started: MediaMTX hook, JSON start, or gw's RTMP app. */
  readonly source: 'mediamtx' | 'json' | 'rtmp';
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly inputSegments: number;
  readonly outputSegments: number;
  readonly inputFps: number;
  readonly outputFps: number;
  /** Input segment handed to the orchestrator → its output segment back, last segment. */
  readonly latencyMs: number;
  /** The last output segment's Opus → AAC re-encode for browsers (null: the output needed none). */
  readonly audioReencodeMs: number | null;
  readonly swaps: LiveSwapView[];
  readonly ticketsSent: number;
  /** Expected value of the tickets sent for this stream. */
  readonly spentWei: string;
  /** Where the transformed stream plays (HLS on the gateway HTTP port). */
  readonly hlsUrl: string;
  readonly rtmpOutputs: string[];
}

/** POST /v1/live: start a live AI stream that pulls an RTMP source (`gw live start`). */
export interface LiveStartRequestBody {
  readonly stream: string;
  readonly rtmpUrl: string;
  readonly pipeline?: string;
  /** JSON object (or its text). */
  readonly params?: Record<string, unknown> | string;
  readonly streamId?: string;
  readonly rtmpOutput?: string | string[];
  readonly orchestrator?: string;
}
