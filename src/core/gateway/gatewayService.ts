import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { PublicClient, Address } from 'viem';
import { create } from '@bufbuild/protobuf';
import type { OrchestratorsResponse } from '../../api/contract.js';
import { Blocklist } from '../discovery/blocklist.js';
import { discoverOrchestrators } from '../discovery/discover.js';
import { choosePool, PoolSourceError, type CandidatePool } from '../discovery/pools.js';
import { OrchestratorRegistry } from '../discovery/registry.js';
import type { EventBus } from '../eventBus.js';
import { HlsStore, MemoryBudget } from '../hls/streamStore.js';
import { inspectTs } from '../../lib/media/mpegts.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PaymentSource } from '../payments/paymentSource.js';
import { addressToBytes } from '../../lib/protocol/address.js';
import { OrchestratorRequestSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { transcodingJobCapabilities } from '../../lib/protocol/jobCapabilities.js';
import type { EthUsdRateSource } from '../../lib/pricing/fiatPrice.js';
import { effectiveCap, sameCap, type VideoCap, videoCapFromSettings } from '../../lib/pricing/videoCap.js';
import { getOrchestrator } from '../../lib/protocol/orchestratorClient.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { Signer } from '../../lib/protocol/signer.js';
import type { RuntimeConfig } from '../runtimeConfig.js';
import { createGatewayHttpServer, type GatewayHttpDeps } from './httpServer.js';
import { resolveProfiles, type ResolvedProfiles } from '../../lib/media/profilesConfig.js';
import { openStreamTranscoder, type PipelineDeps, type StreamPipeline } from './segmentPipeline.js';
import { SegmentFailure } from './segmentErrors.js';
import { StreamRegistry, type StreamSpec } from './streams.js';

export interface GatewayServiceDeps {
  readonly config: RuntimeConfig;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly metrics: Metrics | null;
  readonly payments: PaymentSource | null;
  readonly segmentSigner: Signer | undefined;
  readonly onChain: boolean;
  /** For the on-chain orchestrator pool. */
  readonly chain?: { client: PublicClient; bondingManager: Address; serviceRegistry: Address; lastL1Block(): bigint | undefined };
  readonly ffmpeg?: string;
  readonly dataDir: string;
  /** More gateway HTTP handlers (the AI API); read per request, so it may be filled after construction. */
  readonly extraRoutes?: GatewayHttpDeps['extraRoutes'];
  /** The ETH/USD rate for a cap in USD (absent off-chain: such a cap stays unknown and pays nothing). */
  readonly ethUsd?: EthUsdRateSource;
}

/** How often the gateway refreshes its view of the orchestrator pool when idle (for `gw orchestrators ls`). */
const PROBE_INTERVAL_MS = 60_000;
/**
 * Live HLS segments kept in memory across all streams before new ones are spooled to <dataDir>/hls: a few dozen
 * streams stay off the disk entirely, hundreds stay within the daemon's memory target.
 */
const HLS_MEMORY_BUDGET_BYTES = 128 * 1024 * 1024;

/**
 * The video gateway: orchestrator registry and background probing, the stream registry, the per-stream
 * segment pipeline, HLS output, and the HTTP push/HLS server. RTMP ingest is attached by the daemon.
 */
export class GatewayService {
  readonly registry: OrchestratorRegistry;
  readonly hls: HlsStore;
  readonly streams: StreamRegistry;
  readonly http: Server;
  private currentPool: CandidatePool | undefined;
  private poolError: string | undefined;
  private profiles: ResolvedProfiles;
  private probeTimer: NodeJS.Timeout | undefined;
  private noneUsable = false;
  private readonly unsubscribers: Array<() => void> = [];
  private readonly transcoders = new Set<StreamPipeline>();
  /** The cap streams were last given, so a new ETH/USD rate renegotiates only when the cap really moved. */
  private appliedCap: Rational | null = null;

  constructor(private readonly deps: GatewayServiceDeps) {
    const { config, bus, log, metrics } = deps;
    this.registry = new OrchestratorRegistry({ bus });
    // Memory holds the live window (6) plus one segment for players that fetched the previous playlist.
    // Live segments go to files under the data dir once written, so memory does not grow with streams × renditions.
    const spoolDir = join(deps.dataDir, 'hls');
    rmSync(spoolDir, { recursive: true, force: true });
    this.hls = new HlsStore({ memorySegments: 7, spoolDir, memoryBudget: new MemoryBudget(HLS_MEMORY_BUDGET_BYTES), recordDir: config.get<string | undefined>('recordDir'), onRecordError: (err) => log.warn({ err }, 'recording write failed') });
    this.profiles = resolveProfiles(config.get<string[]>('transcodingOptions'));
    const pipeline: PipelineDeps = {
      bus,
      log,
      metrics,
      registry: this.registry,
      pool: () => this.candidatePool(),
      payments: deps.payments,
      segmentSigner: deps.segmentSigner,
      onChain: deps.onChain,
      maxAttempts: () => config.get<number>('maxAttempts'),
      maxPrice: () => this.maxPrice(),
      discoveryTimeoutMs: () => config.get<number>('discoveryTimeout'),
      blocklist: () => Blocklist.parse(config.get<string[]>('orchBlocklist')),
      lastL1Block: deps.chain ? () => deps.chain!.lastL1Block() : undefined,
    };
    this.streams = new StreamRegistry({
      bus,
      log,
      hls: this.hls,
      metrics,
      maxSessions: () => config.get<number>('maxSessions'),
      openTranscoder: async (spec) => {
        const t = await openStreamTranscoder(pipeline, { id: spec.id, httpPush: spec.ingest === 'http-push', profiles: this.profiles.net });
        this.transcoders.add(t);
        return {
          transcode: (seg) => t.transcode(seg),
          close: async () => {
            this.transcoders.delete(t);
            await t.close();
          },
        };
      },
    });
    this.http = createGatewayHttpServer({
      hls: this.hls,
      pushSegment: async (req) => {
        if (req.ext !== 'ts') throw new SegmentFailure('non-retryable', 'only MPEG-TS (.ts) segments are supported by this gateway');
        checkTransportStream(req.data);
        const out = await this.streams.process(this.specFor(req.manifestId, 'http-push'), {
          seq: req.seq,
          durationMs: req.durationMs,
          data: req.data,
          hash: req.hash,
          sliceFromMs: req.sliceFromMs,
          sliceToMs: req.sliceToMs,
        });
        return { renditions: out.renditions };
      },
      extraRoutes: deps.extraRoutes,
      maxInFlightBytes: () => config.get<number>('maxPushBacklogMb') * 1024 * 1024,
      onError: (err) => log.error({ err }, 'gateway HTTP handler failed'),
    });
    metrics?.maxSessions.set(config.get<number>('maxSessions'));
    this.updatePriceMetric();
    this.appliedCap = this.maxPrice();
    this.warnIfCapUnknown();
    if (deps.ethUsd) this.unsubscribers.push(deps.ethUsd.onChange(() => this.onRateChange()));
    this.unsubscribers.push(
      config.onChange('maxPricePerUnit', () => this.onPriceCapChange()),
      config.onChange('pixelsPerUnit', () => this.onPriceCapChange()),
      config.onChange('transcodingOptions', (v) => {
        this.profiles = resolveProfiles(v as string[]);
      }),
      config.onChange('orchAddr', () => this.resetPool()),
      config.onChange('orchWebhookUrl', () => this.resetPool()),
      config.onChange('maxSessions', (v) => metrics?.maxSessions.set(v as number)),
    );
  }

  /** Starts background probing of the orchestrator pool. */
  start(): void {
    void this.probe();
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  /** The spec of a stream with the current profiles. */
  specFor(id: string, ingest: 'rtmp' | 'http-push'): StreamSpec {
    return { id, ingest, profiles: this.profiles.specs.map((p) => p.name), profileSizes: this.profiles.sizes };
  }

  /** The video cap resolved with the current ETH/USD rate. */
  videoCap(): VideoCap {
    return videoCapFromSettings(this.deps.config.get<string>('maxPricePerUnit'), this.deps.config.get<number>('pixelsPerUnit'), this.deps.ethUsd);
  }

  /** The current price cap as wei per pixel, or null when any price is accepted (0 while a USD cap's rate is unknown). */
  maxPrice(): Rational | null {
    return effectiveCap(this.videoCap());
  }

  /** The orchestrator pool (shared with the AI gateway). */
  pool(): CandidatePool {
    return this.candidatePool();
  }

  /** `GET /v1/orchestrators`. */
  orchestrators(): OrchestratorsResponse {
    const cap = this.maxPrice();
    return { orchestrators: this.registry.list(), maxPricePerPixel: cap ? cap.toString() : null };
  }

  stopIntake(): void {
    this.streams.stopIntake();
  }

  async close(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    for (const u of this.unsubscribers) u();
    await this.streams.close();
  }

  private candidatePool(): CandidatePool {
    if (!this.currentPool) {
      const { config } = this.deps;
      try {
        this.currentPool = choosePool({
          orchWebhookUrl: config.get<string | undefined>('orchWebhookUrl'),
          orchAddr: config.get<string[]>('orchAddr'),
          remoteSignerUrl: config.get<string | undefined>('remoteSignerUrl'),
          onChain: this.deps.chain ? { client: this.deps.chain.client, bondingManager: this.deps.chain.bondingManager, serviceRegistry: this.deps.chain.serviceRegistry } : undefined,
        });
        this.poolError = undefined;
      } catch (err) {
        this.poolError = (err as Error).message;
        throw err instanceof PoolSourceError ? new SegmentFailure('no-sessions', err.message) : err;
      }
    }
    return this.currentPool;
  }

  private resetPool(): void {
    this.currentPool = undefined;
    void this.probe();
  }

  /** Queries every candidate once so operators see prices and rejections before any stream starts. */
  private async probe(): Promise<void> {
    let pool: CandidatePool;
    try {
      pool = this.candidatePool();
    } catch {
      if (this.poolError) this.deps.log.warn(this.poolError);
      return;
    }
    try {
      const identity = this.deps.payments ? await this.deps.payments.identity() : undefined;
      const request = create(OrchestratorRequestSchema, {
        address: identity ? addressToBytes(identity.address) : new Uint8Array(0),
        sig: identity?.sig ?? new Uint8Array(0),
        capabilities: transcodingJobCapabilities({ profiles: this.profiles.net }),
      });
      const result = await discoverOrchestrators({
        candidates: await pool.candidates(),
        request,
        getOrchestrator,
        blocklist: Blocklist.parse(this.deps.config.get<string[]>('orchBlocklist')),
        onChain: this.deps.onChain,
        maxPrice: this.maxPrice(),
        discoveryTimeoutMs: this.deps.config.get<number>('discoveryTimeout'),
        onOutcome: (o) => this.registry.recordOutcome(o),
      });
      for (const r of result.rejected) this.deps.metrics?.discoveryErrors.inc({ error_code: r.reason, orchestrator_uri: r.uri });
      const counts = this.registry.counts();
      this.deps.metrics?.gwOrchestrators.set({ state: 'usable' }, counts.usable);
      this.deps.metrics?.gwOrchestrators.set({ state: 'rejected' }, counts.rejected);
      // Raised when the pool turns unusable (all unreachable, incompatible or over the cap), not on every probe.
      const noneUsable = counts.usable === 0 && counts.known > 0;
      if (noneUsable && !this.noneUsable) {
        this.deps.bus.emit({ type: 'alert', alert: 'no-usable-orchestrator', severity: 'critical', message: `none of ${counts.known} orchestrators is usable (see gw orchestrators ls)` });
      }
      this.noneUsable = noneUsable;
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'orchestrator probe failed');
    }
  }

  private onPriceCapChange(): void {
    this.updatePriceMetric();
    const cap = this.maxPrice();
    this.appliedCap = cap;
    this.deps.log.info({ cap: cap?.toString() ?? 'none' }, 'price cap changed; renegotiating running streams');
    this.warnIfCapUnknown();
    for (const t of this.transcoders) void t.setMaxPrice(cap);
    void this.probe();
  }

  /** A new ETH/USD rate moves a USD cap: applied exactly like an operator's cap change. */
  private onRateChange(): void {
    if (sameCap(this.appliedCap, this.maxPrice())) return;
    this.onPriceCapChange();
  }

  private warnIfCapUnknown(): void {
    const cap = this.videoCap();
    if (cap.kind === 'unknown') this.deps.log.warn({ maxPricePerUnit: this.deps.config.get<string>('maxPricePerUnit') }, `video price cap unknown (${cap.reason}): paying no orchestrator until it is known`);
  }

  private updatePriceMetric(): void {
    const cap = this.maxPrice();
    this.deps.metrics?.transcodingPrice.set({ sender: 'max' }, cap ? cap.toNumber() : 0);
  }
}

/** Rejects bytes that are not an MPEG-TS video stream before any orchestrator is paid for them (HTTP push: 422). */
function checkTransportStream(data: Uint8Array): void {
  let info;
  try {
    info = inspectTs(data);
  } catch (err) {
    throw new SegmentFailure('non-retryable', `segment is not a valid MPEG-TS stream: ${(err as Error).message}`);
  }
  if (info.videoPid === null) throw new SegmentFailure('non-retryable', 'segment has no video stream');
}
