// Assembly of the AI gateway for the daemon: session manager, request loop, result hosting, AI jobs, metrics,
// prices, the network view, the gateway-port route and the service the control routes call. BYOC shares its jobs and
// metrics but is assembled beside it (src/core/node.ts).
import type { Registry } from 'prom-client';
import type { AiPoolInfo, MarketplaceListing, NetworkCapabilitiesResponse, NetworkOffersResponse, PricesResponse, PriceUpdateRequest, SessionDetail, SessionView } from '../../api/contract.js';
import type { GetOrchestratorFn, TicketParamsValidator } from '../discovery/discover.js';
import type { DiscoveryService } from '../discovery/discoveryService.js';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import { resolveFfprobe } from '../../lib/media/ffmpeg.js';
import type { PaymentSource } from '../payments/paymentSource.js';
import { getOrchestrator as realGetOrchestrator } from '../../lib/protocol/orchestratorClient.js';
import type { Signer } from '../../lib/protocol/signer.js';
import { GW_VERSION } from '../version.js';
import type { GatewayRoute } from '../gateway/httpServer.js';
import { ActivityProjection } from '../gateway/activityProjection.js';
import { AiJobs } from './aiJobs.js';
import { type AiMetrics, createAiMetrics } from './aiMetrics.js';
import { type AiConfig, AiPrices } from '../../lib/pricing/aiPrices.js';
import type { AiProcessDeps } from './aiProcess.js';
import { servedModels } from './missingModel.js';
import { aiRoutes } from './aiRoutes.js';
import { AiSessionManager } from './aiSessions.js';
import { NetworkView, marketplaceListing, networkCapabilitiesJson, networkOffers, offersView } from './networkView.js';
import { ResultStore } from './results.js';
import { type Intake, RequestGate } from '../drain.js';

/** What the AI control routes call. */
export interface AiControl {
  prices(): PricesResponse;
  /** Validates, stores and persists one price; throws PriceConfigError for bad input. */
  setPrice(req: PriceUpdateRequest): PricesResponse;
  pools(): Record<string, AiPoolInfo>;
  network(opts: { pipeline?: string; modelId?: string; refresh?: boolean }): Promise<NetworkOffersResponse>;
  networkCapabilities(refresh?: boolean): Promise<NetworkCapabilitiesResponse>;
  listing(): Promise<MarketplaceListing>;
  jobs(): SessionView[];
  job(id: string): SessionDetail | undefined;
}

export interface AiGatewayOptions {
  readonly config: AiConfig;
  readonly bus: EventBus;
  /** The daemon's event projection, where AI jobs are sessions of kind 'ai'; a private one without it. */
  readonly activity?: ActivityProjection;
  readonly log: Logger;
  /** The daemon's orchestrator discovery (the same the video gateway uses). */
  readonly discovery: Pick<DiscoveryService, 'registry' | 'pool' | 'blocklist' | 'discoveryTimeoutMs'>;
  readonly payments: PaymentSource | null;
  /** The gateway's local key (segment credentials); undefined off-chain or with a remote signer. */
  readonly signer: Signer | undefined;
  readonly onChain: boolean;
  /** The daemon's prom-client registry (metrics.registry); no AI metrics without it. */
  readonly metricsRegistry?: Registry;
  lastL1Block?(): bigint | undefined;
  readonly validateTicketParams?: TicketParamsValidator;
  /** ffprobe for non-WAV audio; default: resolved from PATH / GW_FFPROBE (null disables). */
  readonly ffprobe?: string | null;
  /** For tests: the GetOrchestrator implementation. */
  readonly getOrchestrator?: GetOrchestratorFn;
  readonly rng?: () => number;
}

export interface AiGateway {
  /** The AI API on the gateway HTTP port. */
  readonly route: GatewayRoute;
  /** AI requests (with their async jobs and result downloads) for the daemon's drain. */
  readonly intake: Intake;
  /** What the control routes (/v1/prices, /v1/ai/*, /getNetworkCapabilities, /getAISessionPoolsInfo) call. */
  readonly control: AiControl;
  /** AI and BYOC jobs (BYOC records its requests here too). */
  readonly jobs: AiJobs;
  readonly metrics: AiMetrics | null;
  /** AI and BYOC requests in flight (`sessions.aiJobs` of /v1/status). */
  activeJobs(): number;
  /** AI jobs as sessions of kind 'ai' (merge into /v1/sessions). */
  views(): SessionView[];
  detail(id: string): SessionDetail | undefined;
  readonly sessions: AiSessionManager;
  readonly results: ResultStore;
  readonly prices: AiPrices;
  close(): Promise<void>;
}

/** Builds the AI gateway; nothing listens until the routes are mounted. */
export function createAiGateway(opts: AiGatewayOptions): AiGateway {
  const { config, bus, log } = opts;
  const getOrch = opts.getOrchestrator ?? realGetOrchestrator;
  const metrics: AiMetrics | null = opts.metricsRegistry ? createAiMetrics(opts.metricsRegistry) : null;
  const { discovery } = opts;
  const blocklist = () => discovery.blocklist();
  const identity = async () => (opts.payments ? await opts.payments.identity() : undefined);

  const updatePriceMetric = () => {
    if (!metrics) return;
    metrics.pricePerCapability.reset();
    for (const [pipeline, models] of prices.maxPrices) for (const [model, p] of models) metrics.pricePerCapability.set({ pipeline, model_name: model }, p.toNumber());
  };
  const prices: AiPrices = new AiPrices(config, () => {
    updatePriceMetric();
    log.info('AI price caps changed');
  });
  updatePriceMetric();

  const sessions = new AiSessionManager({
    pool: () => discovery.pool(),
    getOrchestrator: getOrch,
    identity,
    version: GW_VERSION,
    onChain: opts.onChain,
    blocklist,
    ...(opts.validateTicketParams ? { validateTicketParams: opts.validateTicketParams } : {}),
    maxPrice: (pipeline, modelId) => prices.maxPrice(pipeline, modelId),
    discoveryTimeoutMs: () => discovery.discoveryTimeoutMs(),
    registry: discovery.registry,
    ...(opts.rng ? { rng: opts.rng } : {}),
  });
  const intake = new RequestGate('ai');
  // A reply's media still downloading belongs to its request: the client was given URLs the gateway must serve.
  const results = new ResultStore({ onDownload: (settled) => intake.hold(settled) });
  const ownActivity = opts.activity ? undefined : new ActivityProjection(bus);
  const jobs = new AiJobs(opts.activity ?? ownActivity!);
  const network = new NetworkView({ pool: () => discovery.pool(), getOrchestrator: getOrch, identity, blocklist });

  const processDeps: AiProcessDeps = {
    sessions,
    payments: opts.payments,
    // Only a local key can sign the empty-segment credentials; a remote signer returns its own with the payment.
    segmentSigner: opts.payments?.kind === 'local' ? opts.signer : undefined,
    bus,
    log,
    metrics,
    results,
    retryTimeoutMs: () => config.get('aiProcessingRetryTimeout'),
    ...(opts.lastL1Block ? { lastL1Block: opts.lastL1Block } : {}),
    servedModels: async (pipeline) => servedModels(offersView(await network.snapshot(), { pipeline })),
  };

  const ffprobe = opts.ffprobe === null ? undefined : (opts.ffprobe ?? resolveFfprobe()?.path);
  const listing = async () => ({
    ...marketplaceListing(networkOffers(await network.snapshot()), { maxPrice: (p, m) => prices.maxPrice(p, m), customer: prices.customerPrices }),
    updated_at: new Date().toISOString(),
  });

  const route = aiRoutes({ process: processDeps, jobs, results, log, intake, ...(ffprobe ? { ffprobe } : {}), capabilities: listing });

  const control: AiControl = {
    prices: () => prices.view(),
    setPrice: (req) => prices.update(req),
    pools: () => sessions.poolsInfo(),
    network: async ({ pipeline, modelId, refresh }) => {
      const entries = await network.snapshot(refresh);
      return {
        orchestrators: offersView(entries, { ...(pipeline ? { pipeline } : {}), ...(modelId ? { modelId } : {}) }),
        unreachable: entries.filter((e) => e.error).map((e) => ({ uri: e.uri, error: e.error! })),
        updatedAt: new Date(Math.max(0, ...entries.map((e) => e.at))).toISOString(),
      };
    },
    networkCapabilities: async (refresh) => networkCapabilitiesJson(await network.snapshot(refresh)),
    listing,
    jobs: () => jobs.views(),
    job: (id) => jobs.detail(id),
  };

  return {
    route,
    intake,
    control,
    jobs,
    metrics,
    activeJobs: () => jobs.activeCount,
    views: () => jobs.views(),
    detail: (id) => jobs.detail(id),
    sessions,
    results,
    prices,
    close: async () => {
      prices.close();
      sessions.close();
      ownActivity?.close();
    },
  };
}
