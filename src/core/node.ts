import type { Server } from 'node:http';
import type { GatewayMode, GwEvent } from '../api/events.js';
import type { GwPaths } from '../lib/settings/paths.js';
import { resolveFfmpeg } from '../lib/media/ffmpeg.js';
import { resolveValidationSettings } from '../lib/payments/senderValidation.js';
import { SenderMonitor } from '../lib/payments/senderMonitor.js';
import { TicketSender } from '../lib/payments/ticketSender.js';
import { formatUsdPerEth } from '../lib/pricing/fiatPrice.js';
import { createAiGateway, type AiGateway } from './ai/aiGateway.js';
import { startAlerts } from './alerts/alerts.js';
import { ByocBalances } from './byoc/byocPayment.js';
import { byocJobSigner, byocRoute } from './byoc/byocGateway.js';
import { FundingService } from './chain/fundingService.js';
import { startGatewayChain, type GatewayChain } from './chain/gatewayChain.js';
import { PriceFeedWatcher, priceFeedAddressFor } from './chain/priceFeed.js';
import type { ControlRouteModule } from './control/app.js';
import { aiControlRoutes } from './control/routes/ai.js';
import { chainRoutes } from './control/routes/chain.js';
import { liveControlRoutes } from './control/routes/live.js';
import { gatewayRoutes } from './control/routes/gateway.js';
import { DiscoveryService } from './discovery/discoveryService.js';
import type { EventBus } from './eventBus.js';
import { GatewayService } from './gateway/gatewayService.js';
import { createGatewayHttpServer } from './gateway/httpServer.js';
import { ActivityProjection } from './gateway/activityProjection.js';
import { startRtmpStreams } from './gateway/rtmpStreams.js';
import type { RtmpIngest } from './ingest/rtmpServer.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics, weiToGweiFloat, zeroAiFaultSeries } from './metrics/metrics.js';
import { LocalPaymentSource } from './payments/localPaymentSource.js';
import type { PaymentSource } from './payments/paymentSource.js';
import { RemotePaymentSource } from './payments/remotePaymentSource.js';
import { RemoteSignerClient } from './payments/remoteSigner.js';
import type { RuntimeConfig } from './runtimeConfig.js';
import { GW_VERSION } from './version.js';
import { Intakes, RequestGate } from './drain.js';
import { emitTickets } from './ai/aiProcess.js';
import { LiveGateway } from './live/liveGateway.js';
import { liveRoute } from './live/liveHttp.js';
import { createLiveMetrics } from './live/liveMetrics.js';
import { LIVE_PIPELINE } from './live/liveSelect.js';
import { httpUrl, parseListenAddr } from '../lib/net/listenAddr.js';

/** Everything the daemon runs besides its control plane, built in dependency order and closed in reverse. */
export interface GatewayNode {
  readonly mode: GatewayMode;
  readonly metrics: Metrics;
  readonly discovery: DiscoveryService;
  readonly gateway: GatewayService;
  readonly ai: AiGateway;
  readonly live: LiveGateway;
  readonly chain: GatewayChain | null;
  /** The control API's routes beyond its own (/healthz, /v1/status, /v1/config, /v1/events, /v1/shutdown, /metrics). */
  readonly routes: ControlRouteModule[];
  /** Actual RTMP listen port (0 when RTMP is off). */
  readonly rtmpPort: number;
  /** The gateway HTTP port's server (push, HLS, AI, BYOC); the daemon makes it listen. */
  readonly http: Server;
  /** Every kind of work the node takes in (video, AI, BYOC): stopped and drained together at shutdown. */
  readonly intakes: Intakes;
  stopIntake(): void;
  drained(): Promise<void>;
  close(): Promise<void>;
}

export interface NodeContext {
  readonly config: RuntimeConfig;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly paths: GwPaths;
  readonly password?: string;
  readonly rtmp: { host: string; port: number };
}

type Closer = () => Promise<void> | void;

/**
 * The composition root: builds chain → payments → metrics → discovery → AI, BYOC and video → the gateway HTTP port
 * and RTMP ingest, and the control routes over those services. Nothing else wires services to each other.
 */
export async function buildGatewayNode(ctx: NodeContext): Promise<GatewayNode> {
  const { config, bus, log } = ctx;
  const abort = new AbortController();
  const closers: Closer[] = [() => abort.abort()];
  try {
    const chain = await startGatewayChain({ config, log: log.child({ module: 'chain' }), bus, paths: ctx.paths, signal: abort.signal, password: ctx.password });
    if (chain) closers.push(() => chain.close());
    const ethUsd = chain ? await startPriceFeed(ctx, chain) : undefined;
    if (ethUsd) closers.push(() => ethUsd.close());
    const remoteSignerUrl = config.get('remoteSignerUrl');
    const mode: GatewayMode = remoteSignerUrl ? 'remote-signer' : chain ? 'on-chain' : 'off-chain';
    const metrics = startMetrics(bus, chain, closers);
    const { payments, ticketSender } = await startPayments(ctx, chain, closers);
    // A remote signer cannot sign segment hashes or BYOC jobs: only a local key does.
    const localKey = payments?.kind === 'local' ? chain?.signer : undefined;
    const lastL1Block = chain ? () => chain.latestL1Block() : undefined;

    const discovery = new DiscoveryService({
      config,
      bus,
      log: log.child({ module: 'discovery' }),
      metrics,
      payments,
      onChain: chain !== null,
      ...(chain ? { chain: { client: chain.client.publicClient, bondingManager: chain.client.contracts.bondingManager, serviceRegistry: chain.client.contracts.serviceRegistry } } : {}),
    });
    closers.push(() => discovery.close());

    // Sessions, tickets and failovers for the control API, folded from the bus before anything emits.
    const activity = new ActivityProjection(bus);
    closers.push(() => activity.close());
    const ai = createAiGateway({
      config,
      bus,
      activity,
      log: log.child({ module: 'ai' }),
      discovery,
      payments,
      signer: localKey,
      onChain: chain !== null,
      metricsRegistry: metrics.registry,
      ...(lastL1Block ? { lastL1Block } : {}),
    });
    if (ethUsd) ai.prices.setRateSource(ethUsd);
    closers.push(() => ai.close());
    const byocIntake = new RequestGate('byoc');
    const byoc = byocRoute({
      pool: () => discovery.pool(),
      signer: byocJobSigner(localKey),
      ...(ticketSender && localKey ? { ticketSender } : {}),
      bus,
      log: log.child({ module: 'byoc' }),
      jobs: ai.jobs,
      metrics: ai.metrics,
      balances: new ByocBalances(),
      intake: byocIntake,
    });

    const ffmpeg = await findFfmpeg(config, log);
    const gateway = new GatewayService({
      config,
      bus,
      activity,
      log: log.child({ module: 'gateway' }),
      metrics,
      payments,
      segmentSigner: localKey,
      onChain: chain !== null,
      discovery,
      ...(lastL1Block ? { lastL1Block } : {}),
      dataDir: ctx.paths.dataDir,
      ...(ethUsd ? { ethUsd } : {}),
    });
    closers.push(() => gateway.close());
    const live = new LiveGateway({
      config,
      hls: gateway.hls,
      ffmpeg,
      bus,
      log: log.child({ module: 'live' }),
      metrics: ai.metrics ? createLiveMetrics(metrics.registry, ai.metrics.requestErrors) : null,
      select: {
        sessions: ai.sessions,
        payments,
        segmentSigner: localKey,
        retryTimeoutMs: () => config.get('aiProcessingRetryTimeout'),
        servedPipelines: async () => [...new Set((await ai.control.network({ pipeline: LIVE_PIPELINE })).orchestrators.map((o) => o.modelId))].sort(),
        ...(lastL1Block ? { lastL1Block } : {}),
      },
      httpBase: () => {
        const bound = http.address();
        return httpUrl({ host: parseListenAddr(config.get('httpAddr'), 'httpAddr').host, port: bound && typeof bound === 'object' ? bound.port : 0 });
      },
      onTickets: (streamId, batch) => emitTickets(bus, streamId, batch),
    });
    closers.push(() => live.close());
    zeroAiFaultSeries(metrics.registry);
    const http = createGatewayHttpServer({
      hls: gateway.hls,
      pushSegment: (req) => gateway.pushSegment(req),
      routes: [liveRoute({ live, log: log.child({ module: 'live' }), ffmpeg }), ai.route, byoc],
      maxInFlightBytes: () => config.get('maxPushBacklogMb') * 1024 * 1024,
      log,
    });

    const alerts = startAlerts({
      bus,
      config,
      log: log.child({ module: 'alerts' }),
      dataDir: ctx.paths.dataDir,
      node: { version: GW_VERSION, ...(chain ? { address: chain.address } : {}) },
      pool: { orchestrators: () => discovery.registry.list(), maxPrice: () => gateway.maxPrice() },
    });
    closers.push(() => alerts.close());

    const intakes = new Intakes();
    intakes.add({ name: 'video', stopIntake: () => gateway.stopIntake(), drained: () => gateway.streams.drained(), inFlight: () => gateway.streams.inFlight });
    intakes.add(ai.intake);
    intakes.add(byocIntake);
    intakes.add(live.intake());
    const rtmp = ffmpeg ? await startRtmp(ctx, gateway, live, ffmpeg, closers) : undefined;
    discovery.start(() => gateway.probeSpec());

    return {
      mode,
      metrics,
      discovery,
      gateway,
      ai,
      live,
      chain,
      routes: [
        gatewayRoutes(gateway, activity),
        aiControlRoutes(ai.control),
        liveControlRoutes(live),
        chainRoutes(chain ? { account: chain, funding: new FundingService(chain, log.child({ module: 'funding' })) } : null),
      ],
      rtmpPort: rtmp?.port ?? 0,
      http,
      intakes,
      stopIntake: () => intakes.stop(),
      drained: () => intakes.drained(),
      close: async () => {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}

/** Prometheus metrics, fed from the event bus (including what happened before they existed). */
function startMetrics(bus: EventBus, chain: GatewayChain | null, closers: Closer[]): Metrics {
  const metrics = createMetrics({ nodeId: `${chain?.address ?? ''}-` });
  const onEvent = (ev: GwEvent) => {
    metrics.gwEvents.inc({ type: ev.type });
    if (ev.type === 'chain.updated' && chain) {
      metrics.gatewayDeposit.set({ sender: chain.address }, weiToGweiFloat(BigInt(ev.depositWei)));
      metrics.gatewayReserve.set({ sender: chain.address }, weiToGweiFloat(BigInt(ev.reserveWei)));
      metrics.setSenderState(ev.senderState);
    }
    if (ev.type === 'tickets.sent') {
      chain?.recordSpend(BigInt(ev.evWei));
      // Every job kind's tickets, counted here once (go-livepeer counts AI payments in the same metrics).
      metrics.recordTickets(ev.count, BigInt(ev.evWei), BigInt(ev.faceValueWei));
    }
  };
  closers.push(bus.subscribe(onEvent));
  if (chain) closers.push(chain.onRedeemed((t) => metrics.recordRedeemed(t.faceValue)));
  // The chain announced its first deposit/reserve before the metrics existed: count the history in as well.
  for (const ev of bus.since(0)) onEvent(ev);
  return metrics;
}

/** How the gateway pays: a remote signer, its own key on chain (tickets from a local sender), or nothing off-chain. */
async function startPayments(ctx: NodeContext, chain: GatewayChain | null, closers: Closer[]): Promise<{ payments: PaymentSource | null; ticketSender?: TicketSender }> {
  const { config, log } = ctx;
  const remoteSignerUrl = config.get('remoteSignerUrl');
  if (remoteSignerUrl) return { payments: new RemotePaymentSource(new RemoteSignerClient({ url: remoteSignerUrl })) };
  if (!chain) return { payments: null };
  const monitor = new SenderMonitor(chain.client, chain.address);
  await monitor.refresh();
  // The chain module's watcher already polls blocks, rounds and the sender: feed its snapshot to the ticket
  // sender instead of polling the RPC a second time (only a new round's block hash is fetched).
  const follow = setInterval(() => {
    monitor.applySnapshot(chain.snapshot()).catch((err: unknown) => log.warn({ module: 'payments', err: (err as Error).message }, 'sender state update failed'));
  }, 1000);
  follow.unref();
  closers.push(() => clearInterval(follow));
  const sender = new TicketSender({
    signer: chain.signer,
    chain: monitor,
    settings: resolveValidationSettings({
      maxTicketEV: BigInt(config.get('maxTicketEV')),
      maxTotalEV: BigInt(config.get('maxTotalEV')),
      depositMultiplier: BigInt(config.get('depositMultiplier')),
    }),
  });
  const local = new LocalPaymentSource({ sender, signer: chain.signer });
  const purge = setInterval(() => local.balances.purgeIdle(), 60_000);
  purge.unref();
  closers.push(() => clearInterval(purge));
  return { payments: local, ticketSender: sender };
}

async function findFfmpeg(config: RuntimeConfig, log: Logger): Promise<string | undefined> {
  try {
    return (await resolveFfmpeg({ explicitPath: config.get('ffmpegPath') })).path;
  } catch (err) {
    log.error({ err: (err as Error).message }, 'ffmpeg not found: RTMP ingest is off (HTTP push still works); run gw doctor');
    return undefined;
  }
}

/** RTMP ingest into the video gateway (ffmpeg segments the stream). */
async function startRtmp(ctx: NodeContext, gateway: GatewayService, live: LiveGateway, ffmpeg: string, closers: Closer[]): Promise<RtmpIngest> {
  const rtmp = await startRtmpStreams({
    host: ctx.rtmp.host,
    port: ctx.rtmp.port,
    ffmpeg,
    registry: gateway.streams,
    log: ctx.log.child({ module: 'rtmp' }),
    specFor: (id) => gateway.specFor(id, 'rtmp'),
    reconnectGraceMs: ctx.config.get('rtmpReconnectGrace'),
    authWebhookUrl: () => ctx.config.get('authWebhookUrl'),
    live: { app: ctx.config.get('liveAiApp'), start: (stream) => live.startPublish(stream) },
  });
  closers.push(() => rtmp.close());
  return rtmp;
}

/** The ETH/USD price feed for USD prices, read once before anything prices a job; undefined when the network has none. */
async function startPriceFeed(ctx: NodeContext, chain: GatewayChain): Promise<PriceFeedWatcher | undefined> {
  const log = ctx.log.child({ module: 'pricefeed' });
  const feed = await priceFeedAddressFor({
    network: chain.settings.network,
    configured: ctx.config.get('priceFeedAddr'),
    devnetDir: ctx.paths.devnetDir,
    rpcUrl: chain.settings.rpcUrl,
  });
  if (!feed) {
    log.info('no ETH/USD price feed on this chain (set --price-feed-addr): USD prices stay unknown and pay nothing');
    return undefined;
  }
  let lastError: string | undefined;
  const watcher = new PriceFeedWatcher({
    client: chain.client.publicClient,
    feed,
    onError: (err) => {
      // Retries come every minute while the feed fails: say it once per distinct failure.
      if (err.message !== lastError) log.warn({ feed, err: err.message }, 'ETH/USD price feed read failed; keeping the last good rate, if any');
      lastError = err.message;
    },
  });
  watcher.onChange((q) => {
    lastError = undefined;
    log.info({ feed, usdPerEth: formatUsdPerEth(q), updatedAt: new Date(q.updatedAt * 1000).toISOString() }, 'ETH/USD rate updated');
  });
  await watcher.start();
  return watcher;
}
