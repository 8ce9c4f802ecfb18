import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OrchestratorsResponse } from '../../api/contract.js';
import type { DiscoveryService, ProbeSpec } from '../discovery/discoveryService.js';
import { PoolSourceError, type CandidatePool } from '../discovery/pools.js';
import type { EventBus } from '../eventBus.js';
import { HlsStore, MemoryBudget } from '../hls/streamStore.js';
import { inspectTs } from '../../lib/media/mpegts.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PaymentSource } from '../payments/paymentSource.js';
import { transcodingJobCapabilities } from '../../lib/protocol/jobCapabilities.js';
import type { EthUsdRateSource } from '../../lib/pricing/fiatPrice.js';
import { effectiveCap, sameCap, type VideoCap, videoCapFromSettings } from '../../lib/pricing/videoCap.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { Signer } from '../../lib/protocol/signer.js';
import type { RuntimeConfig } from '../runtimeConfig.js';
import type { PushRequest, PushResult } from './httpServer.js';
import { resolveProfiles, type ResolvedProfiles } from '../../lib/media/profilesConfig.js';
import { openStreamTranscoder, type PipelineDeps, type StreamPipeline } from './segmentPipeline.js';
import { ActivityProjection } from './activityProjection.js';
import { SegmentFailure } from './segmentErrors.js';
import { StreamRegistry, type StreamSpec } from './streams.js';
import { openStorage } from '../storage/storage.js';
import type { HlsUploader } from '../storage/uploader.js';

export interface GatewayServiceDeps {
  readonly config: RuntimeConfig;
  readonly bus: EventBus;
  /** The daemon's event projection; the service makes (and closes) its own without one. */
  readonly activity?: ActivityProjection;
  readonly log: Logger;
  readonly metrics: Metrics | null;
  readonly payments: PaymentSource | null;
  readonly segmentSigner: Signer | undefined;
  readonly onChain: boolean;
  /** The daemon's orchestrator discovery, shared with AI and BYOC. */
  readonly discovery: DiscoveryService;
  /** The L1 block number tickets expire against (on-chain only). */
  lastL1Block?(): bigint | undefined;
  readonly dataDir: string;
  /** The ETH/USD rate for a cap in USD (absent off-chain: such a cap stays unknown and pays nothing). */
  readonly ethUsd?: EthUsdRateSource;
}

/**
 * Live HLS segments kept in memory across all streams before new ones are spooled to <dataDir>/hls: a few dozen
 * streams stay off the disk entirely, hundreds stay within the daemon's memory target.
 */
const HLS_MEMORY_BUDGET_BYTES = 128 * 1024 * 1024;

/**
 * The video gateway: the stream registry, the per-stream segment pipeline, HLS output, the price cap and profiles
 * from settings (renegotiated live), and HTTP push. The composition root mounts it on the gateway HTTP port and
 * attaches RTMP ingest.
 */
export class GatewayService {
  readonly hls: HlsStore;
  /** Uploads to objectStore / recordStore (URLs), when set. */
  readonly uploader: HlsUploader | undefined;
  readonly streams: StreamRegistry;
  /** Sessions, tickets and failovers folded from the bus (GET /v1/sessions, /v1/tickets, /v1/failovers). */
  readonly activity: ActivityProjection;
  private profiles: ResolvedProfiles;
  private readonly unsubscribers: Array<() => void> = [];
  private readonly transcoders = new Set<StreamPipeline>();
  /** The cap streams were last given, so a new ETH/USD rate renegotiates only when the cap really moved. */
  private appliedCap: Rational | null = null;

  constructor(private readonly deps: GatewayServiceDeps) {
    const { config, bus, log, metrics } = deps;
    // The store keeps a segment servable after it left the playlist for its duration plus the playlist's (RFC 8216 §6.2.2).
    // Live segments go to files under the data dir once written, so memory does not grow with streams × renditions.
    const spoolDir = join(deps.dataDir, 'hls');
    rmSync(spoolDir, { recursive: true, force: true });
    const storage = openStorage(config, log.child({ module: 'storage' }), bus, metrics);
    this.uploader = storage.uploader;
    this.hls = new HlsStore({
      spoolDir,
      memoryBudget: new MemoryBudget(HLS_MEMORY_BUDGET_BYTES),
      ...(storage.recordDir !== undefined ? { recordDir: storage.recordDir } : {}),
      onRecordError: (err) => log.warn({ err }, 'recording write failed'),
      ...(storage.uploader ? { observer: storage.uploader } : {}),
    });
    this.profiles = resolveProfiles(config.get('transcodingOptions'));
    const pipeline: PipelineDeps = {
      bus,
      log,
      metrics,
      registry: deps.discovery.registry,
      pool: () => this.candidatePool(),
      payments: deps.payments,
      segmentSigner: deps.segmentSigner,
      onChain: deps.onChain,
      maxAttempts: () => config.get('maxAttempts'),
      maxPrice: () => this.maxPrice(),
      discoveryTimeoutMs: () => config.get('discoveryTimeout'),
      blocklist: () => deps.discovery.blocklist(),
      lastL1Block: deps.lastL1Block ? () => deps.lastL1Block!() : undefined,
    };
    this.activity = deps.activity ?? new ActivityProjection(bus);
    this.streams = new StreamRegistry({
      bus,
      log,
      hls: this.hls,
      metrics,
      activity: this.activity,
      maxSessions: () => config.get('maxSessions'),
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
    metrics?.maxSessions.set(config.get('maxSessions'));
    this.updatePriceMetric();
    this.appliedCap = this.maxPrice();
    this.warnIfCapUnknown();
    if (deps.ethUsd) this.unsubscribers.push(deps.ethUsd.onChange(() => this.onRateChange()));
    this.unsubscribers.push(
      config.onChange('maxPricePerUnit', () => this.onPriceCapChange()),
      config.onChange('pixelsPerUnit', () => this.onPriceCapChange()),
      config.onChange('transcodingOptions', (v) => {
        this.profiles = resolveProfiles(v);
      }),
      config.onChange('maxSessions', (v) => metrics?.maxSessions.set(v)),
    );
  }

  /** An HTTP-pushed segment (POST /live/{id}/{seq}.ts): checked, transcoded, its renditions returned. */
  async pushSegment(req: PushRequest): Promise<PushResult> {
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
  }

  /** What the background probe asks orchestrators: transcoding with the current profiles, at the current cap. */
  probeSpec(): ProbeSpec {
    return { capabilities: transcodingJobCapabilities({ profiles: this.profiles.net }), maxPrice: this.maxPrice() };
  }

  /** The spec of a stream with the current profiles. */
  specFor(id: string, ingest: 'rtmp' | 'http-push'): StreamSpec {
    return { id, ingest, profiles: this.profiles.specs.map((p) => p.name), profileSizes: this.profiles.sizes };
  }

  /** The video cap resolved with the current ETH/USD rate. */
  videoCap(): VideoCap {
    return videoCapFromSettings(this.deps.config.get('maxPricePerUnit'), this.deps.config.get('pixelsPerUnit'), this.deps.ethUsd);
  }

  /** The current price cap as wei per pixel, or null when any price is accepted (0 while a USD cap's rate is unknown). */
  maxPrice(): Rational | null {
    return effectiveCap(this.videoCap());
  }

  /** `GET /v1/orchestrators`: what discovery knows, with the video cap. */
  orchestrators(): OrchestratorsResponse {
    const cap = this.maxPrice();
    return { orchestrators: this.deps.discovery.registry.list(), maxPricePerPixel: cap ? cap.toString() : null };
  }

  stopIntake(): void {
    this.streams.stopIntake();
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribers) u();
    await this.streams.close();
    await this.uploader?.close();
    if (!this.deps.activity) this.activity.close();
  }

  /** The shared pool; a pool that cannot be built (bad --orch-addr, webhook down) fails the segment as no-sessions. */
  private candidatePool(): CandidatePool {
    try {
      return this.deps.discovery.pool();
    } catch (err) {
      throw err instanceof PoolSourceError ? new SegmentFailure('no-sessions', err.message) : err;
    }
  }

  private onPriceCapChange(): void {
    this.updatePriceMetric();
    const cap = this.maxPrice();
    this.appliedCap = cap;
    this.deps.log.info({ cap: cap?.toString() ?? 'none' }, 'price cap changed; renegotiating running streams');
    this.warnIfCapUnknown();
    for (const t of this.transcoders) void t.setMaxPrice(cap);
    void this.deps.discovery.probe();
  }

  /** A new ETH/USD rate moves a USD cap: applied exactly like an operator's cap change. */
  private onRateChange(): void {
    if (sameCap(this.appliedCap, this.maxPrice())) return;
    this.onPriceCapChange();
  }

  private warnIfCapUnknown(): void {
    const cap = this.videoCap();
    if (cap.kind === 'unknown') this.deps.log.warn({ maxPricePerUnit: this.deps.config.get('maxPricePerUnit') }, `video price cap unknown (${cap.reason}): paying no orchestrator until it is known`);
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
