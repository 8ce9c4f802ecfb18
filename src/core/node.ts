import type { Server } from 'node:http';
import type { GatewayMode, GwEvent } from '../api/events.js';
import type { GwPaths } from '../lib/settings/paths.js';
import { startAlerts } from './alerts/alerts.js';
import { startGatewayChain, type GatewayChain } from './chain/gatewayChain.js';
import { PriceFeedWatcher, priceFeedAddressFor } from './chain/priceFeed.js';
import type { ControlRouteModule } from './control/app.js';
import { chainRoutes } from './control/routes/chain.js';
import { gatewayRoutes } from './control/routes/gateway.js';
import type { EventBus } from './eventBus.js';
import { createAiGateway, type AiGateway } from './ai/aiGateway.js';
import type { GatewayRoute } from './ai/aiRoutes.js';
import { GatewayService } from './gateway/gatewayService.js';
import { RecentActivity } from './gateway/recentActivity.js';
import { startRtmpStreams } from './gateway/rtmpStreams.js';
import type { RtmpIngest } from './ingest/rtmpServer.js';
import type { Logger } from './logger.js';
import { resolveFfmpeg } from '../lib/media/ffmpeg.js';
import { createMetrics, type Metrics, weiToGweiFloat } from './metrics/metrics.js';
import { LocalPaymentSource } from './payments/localPaymentSource.js';
import type { PaymentSource } from './payments/paymentSource.js';
import { RemotePaymentSource } from './payments/remotePaymentSource.js';
import { RemoteSignerClient } from './payments/remoteSigner.js';
import { SenderMonitor } from '../lib/payments/senderMonitor.js';
import { resolveValidationSettings } from '../lib/payments/senderValidation.js';
import { TicketSender } from '../lib/payments/ticketSender.js';
import { formatUsdPerEth } from '../lib/pricing/fiatPrice.js';
import type { RuntimeConfig } from './runtimeConfig.js';
import { GW_VERSION } from './version.js';

/** Everything the daemon runs besides its control plane, built in dependency order and closed in reverse. */
export interface GatewayNode {
  readonly mode: GatewayMode;
  readonly metrics: Metrics;
  readonly gateway: GatewayService;
  readonly ai: AiGateway;
  readonly chain: GatewayChain | null;
  readonly routes: ControlRouteModule[];
  /** Actual RTMP listen port (0 when RTMP is off). */
  readonly rtmpPort: number;
  /** Starts listening on the gateway HTTP port. */
  readonly http: Server;
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

/** Builds chain → payments → gateway → RTMP ingest. */
export async function buildGatewayNode(ctx: NodeContext): Promise<GatewayNode> {
  const { config, bus, log } = ctx;
  const abort = new AbortController();
  const closers: Array<() => Promise<void> | void> = [() => abort.abort()];
  try {
    const chain = await startGatewayChain({ config, log: log.child({ module: 'chain' }), bus, paths: ctx.paths, signal: abort.signal, password: ctx.password });
    if (chain) closers.push(() => chain.close());
    const ethUsd = chain ? await startPriceFeed(ctx, chain) : undefined;
    if (ethUsd) closers.push(() => ethUsd.close());
    const remoteSignerUrl = config.get<string | undefined>('remoteSignerUrl');
    const mode: GatewayMode = remoteSignerUrl ? 'remote-signer' : chain ? 'on-chain' : 'off-chain';
    const metrics = createMetrics({ nodeId: `${chain?.address ?? ''}-` });
    const onEvent = (ev: GwEvent) => {
      metrics.gwEvents.inc({ type: ev.type });
      if (ev.type === 'chain.updated' && chain) {
        metrics.gatewayDeposit.set({ sender: chain.address }, weiToGweiFloat(BigInt(ev.depositWei)));
        metrics.gatewayReserve.set({ sender: chain.address }, weiToGweiFloat(BigInt(ev.reserveWei)));
      }
      if (ev.type === 'tickets.sent') chain?.recordSpend(BigInt(ev.evWei));
    };
    const unsubscribeMetrics = bus.subscribe(onEvent);
    // The chain announced its first deposit/reserve before the metrics existed: count the history in as well.
    for (const ev of bus.since(0)) onEvent(ev);
    closers.push(unsubscribeMetrics);

    let payments: PaymentSource | null = null;
    let ticketSender: TicketSender | undefined;
    if (remoteSignerUrl) {
      payments = new RemotePaymentSource(new RemoteSignerClient({ url: remoteSignerUrl }));
    } else if (chain) {
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
          maxTicketEV: BigInt(config.get<string>('maxTicketEV')),
          maxTotalEV: BigInt(config.get<string>('maxTotalEV')),
          depositMultiplier: BigInt(config.get<number>('depositMultiplier')),
        }),
      });
      const local = new LocalPaymentSource({ sender, signer: chain.signer });
      const purge = setInterval(() => local.balances.purgeIdle(), 60_000);
      purge.unref();
      closers.push(() => clearInterval(purge));
      payments = local;
      ticketSender = sender;
    }

    let ffmpeg: string | undefined;
    try {
      ffmpeg = (await resolveFfmpeg({ explicitPath: config.get<string | undefined>('ffmpegPath') })).path;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'ffmpeg not found: RTMP ingest is off (HTTP push still works); run gw doctor');
    }

    const extraRoutes: GatewayRoute[] = [];
    const gateway = new GatewayService({
      extraRoutes,
      config,
      bus,
      log: log.child({ module: 'gateway' }),
      metrics,
      payments,
      // A remote signer cannot sign segment hashes: video segments are only signed with a local key.
      segmentSigner: payments?.kind === 'local' ? chain?.signer : undefined,
      onChain: chain !== null,
      chain: chain
        ? {
            client: chain.client.publicClient,
            bondingManager: chain.client.contracts.bondingManager,
            serviceRegistry: chain.client.contracts.serviceRegistry,
            lastL1Block: () => chain.latestL1Block(),
          }
        : undefined,
      ffmpeg,
      dataDir: ctx.paths.dataDir,
      ...(ethUsd ? { ethUsd } : {}),
    });
    closers.push(() => gateway.close());
    const ai = createAiGateway({
      config,
      bus,
      log: log.child({ module: 'ai' }),
      registry: gateway.registry,
      pool: () => gateway.pool(),
      payments,
      signer: payments?.kind === 'local' ? chain?.signer : undefined,
      ticketSender,
      onChain: chain !== null,
      metricsRegistry: metrics.registry,
      lastL1Block: chain ? () => chain.latestL1Block() : undefined,
    });
    if (ethUsd) ai.prices.setRateSource(ethUsd);
    extraRoutes.push(...ai.routes);
    closers.push(() => ai.close());
    const activity = new RecentActivity(bus);
    closers.push(() => activity.close());
    const alerts = startAlerts({
      bus,
      config,
      log: log.child({ module: 'alerts' }),
      dataDir: ctx.paths.dataDir,
      node: { version: GW_VERSION, ...(chain ? { address: chain.address } : {}) },
      pool: { orchestrators: () => gateway.registry.list(), maxPrice: () => gateway.maxPrice() },
    });
    closers.push(() => alerts.close());

    let rtmp: RtmpIngest | undefined;
    if (ffmpeg) {
      rtmp = await startRtmpStreams({
        host: ctx.rtmp.host,
        port: ctx.rtmp.port,
        ffmpeg,
        registry: gateway.streams,
        log: log.child({ module: 'rtmp' }),
        specFor: (id) => gateway.specFor(id, 'rtmp'),
        authWebhookUrl: () => config.get<string | undefined>('authWebhookUrl'),
      });
      const r = rtmp;
      closers.push(() => r.close());
    }
    gateway.start();

    return {
      mode,
      metrics,
      gateway,
      ai,
      chain,
      routes: [gatewayRoutes(gateway, activity, ai), ai.control, chain ? chain.routes : chainRoutes(null, log)],
      rtmpPort: rtmp?.port ?? 0,
      http: gateway.http,
      stopIntake: () => gateway.stopIntake(),
      drained: () => gateway.streams.drained(),
      close: async () => {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}

/** The ETH/USD price feed for USD prices, read once before anything prices a job; undefined when the network has none. */
async function startPriceFeed(ctx: NodeContext, chain: GatewayChain): Promise<PriceFeedWatcher | undefined> {
  const log = ctx.log.child({ module: 'pricefeed' });
  const feed = await priceFeedAddressFor({
    network: chain.settings.network,
    configured: ctx.config.get<string | undefined>('priceFeedAddr'),
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
