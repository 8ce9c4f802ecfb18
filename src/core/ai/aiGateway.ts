// Assembly of the AI gateway for the daemon: session manager, request loop, result hosting, AI jobs, metrics,
// prices, the network view, BYOC, the gateway-port routes and the control routes.
import { randomBytes } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { SessionDetail, SessionView } from '../../api/contract.js';
import { Blocklist } from '../discovery/blocklist.js';
import type { GetOrchestratorFn, TicketParamsValidator } from '../discovery/discover.js';
import type { CandidatePool } from '../discovery/pools.js';
import type { OrchestratorRegistry } from '../discovery/registry.js';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import { resolveFfprobe } from '../../lib/media/ffmpeg.js';
import type { PaymentSource } from '../payments/paymentSource.js';
import type { TicketSender } from '../../lib/payments/ticketSender.js';
import { getOrchestrator as realGetOrchestrator } from '../../lib/protocol/orchestratorClient.js';
import { type Signer, localSigner } from '../../lib/protocol/signer.js';
import { GW_VERSION } from '../version.js';
import { type AiControl, aiControlRoutes } from '../control/routes/ai.js';
import type { ControlRouteModule } from '../control/app.js';
import { ByocBalances } from '../byoc/byocPayment.js';
import { byocRoute } from '../byoc/byocGateway.js';
import { AiJobs } from './aiJobs.js';
import { type AiMetrics, createAiMetrics } from './aiMetrics.js';
import { type AiConfig, AiPrices } from '../../lib/pricing/aiPrices.js';
import type { AiProcessDeps } from './aiProcess.js';
import { type GatewayRoute, aiRoutes } from './aiRoutes.js';
import { AiSessionManager } from './aiSessions.js';
import { NetworkView, marketplaceListing, networkCapabilitiesJson, networkOffers, offersView } from './networkView.js';
import { ResultStore } from './results.js';

export interface AiGatewayOptions {
  readonly config: AiConfig;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly registry: OrchestratorRegistry;
  /** The daemon's orchestrator pool (the same one the video gateway uses). */
  pool(): CandidatePool;
  readonly payments: PaymentSource | null;
  /** The gateway's local key (segment credentials, BYOC job signatures); undefined off-chain or with a remote signer. */
  readonly signer: Signer | undefined;
  /** The local ticket sender, for BYOC payments (sized from O's job token, not through a PaymentSession). */
  readonly ticketSender?: TicketSender;
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
  /** Gateway HTTP port handlers (createGatewayHttpServer `extraRoutes`). */
  readonly routes: GatewayRoute[];
  /** Control API routes (/v1/prices, /v1/ai/*, /getNetworkCapabilities, /getAISessionPoolsInfo). */
  readonly control: ControlRouteModule;
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
  const blocklist = () => Blocklist.parse(config.get<string[]>('orchBlocklist') ?? []);
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
    pool: () => opts.pool(),
    getOrchestrator: getOrch,
    identity,
    version: GW_VERSION,
    onChain: opts.onChain,
    blocklist,
    ...(opts.validateTicketParams ? { validateTicketParams: opts.validateTicketParams } : {}),
    maxPrice: (pipeline, modelId) => prices.maxPrice(pipeline, modelId),
    discoveryTimeoutMs: () => config.get<number>('discoveryTimeout') ?? 500,
    registry: opts.registry,
    ...(opts.rng ? { rng: opts.rng } : {}),
  });
  const results = new ResultStore();
  const jobs = new AiJobs(bus);
  const network = new NetworkView({ pool: () => opts.pool(), getOrchestrator: getOrch, identity, blocklist });

  const processDeps: AiProcessDeps = {
    sessions,
    payments: opts.payments,
    // Only a local key can sign the empty-segment credentials; a remote signer returns its own with the payment.
    segmentSigner: opts.payments?.kind === 'local' ? opts.signer : undefined,
    bus,
    log,
    metrics,
    results,
    retryTimeoutMs: () => config.get<number>('aiProcessingRetryTimeout') ?? 2000,
    ...(opts.lastL1Block ? { lastL1Block: opts.lastL1Block } : {}),
  };

  const ffprobe = opts.ffprobe === null ? undefined : (opts.ffprobe ?? resolveFfprobe()?.path);
  const listing = async () => ({
    ...marketplaceListing(networkOffers(await network.snapshot()), { maxPrice: (p, m) => prices.maxPrice(p, m), customer: prices.customerPrices }),
    updated_at: new Date().toISOString(),
  });

  // Off-chain go-livepeer still needs a keystore to sign BYOC jobs; an ephemeral key does the job (O skips the check).
  let ephemeral: Signer | undefined;
  const byocSigner = async (): Promise<Signer> => opts.signer ?? (ephemeral ??= localSigner(`0x${randomBytes(32).toString('hex')}`));

  const routes: GatewayRoute[] = [
    aiRoutes({ process: processDeps, jobs, results, log, ...(ffprobe ? { ffprobe } : {}), capabilities: listing }),
    byocRoute({
      pool: () => opts.pool(),
      signer: byocSigner,
      ...(opts.ticketSender && opts.payments?.kind === 'local' ? { ticketSender: opts.ticketSender } : {}),
      bus,
      log,
      jobs,
      metrics,
      balances: new ByocBalances(),
      ...(opts.rng ? { rng: opts.rng } : {}),
    }),
  ];

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
    routes,
    control: aiControlRoutes(control),
    activeJobs: () => jobs.activeCount,
    views: () => jobs.views(),
    detail: (id) => jobs.detail(id),
    sessions,
    results,
    prices,
    close: async () => {
      prices.close();
      sessions.close();
      jobs.close();
    },
  };
}
