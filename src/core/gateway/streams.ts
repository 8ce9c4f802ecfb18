import type { EventBus } from '../eventBus.js';
import type { HlsStore, StreamStore } from '../hls/streamStore.js';
import { SOURCE_RENDITION } from '../hls/playlist.js';
import { DEFAULT_SEGMENT_SECONDS } from '../media/segmenter.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ActivityProjection } from './activityProjection.js';
import { SegmentFailure } from './segmentErrors.js';
import { DRAINING_MESSAGE } from '../drain.js';

/** A source segment entering the pipeline. */
export interface SourceSegment {
  readonly seq: number;
  readonly durationMs: number;
  readonly data: Uint8Array;
  /** keccak256 of `data` when the ingest already computed it. */
  readonly hash?: Uint8Array;
  readonly sliceFromMs?: number;
  readonly sliceToMs?: number;
  /** timestamps or encoding restart here (a resumed publish that changed): EXT-X-DISCONTINUITY before it */
  readonly discontinuity?: boolean;
}

export interface TranscodedSegment {
  readonly renditions: ReadonlyArray<{ readonly profile: string; readonly data: Uint8Array }>;
}

/** Per-stream transcoding context (sessions with orchestrators); built by the segment pipeline. */
export interface StreamTranscoder {
  transcode(seg: SourceSegment): Promise<TranscodedSegment>;
  /** Ends every orchestrator session of the stream (EndTranscodingSession). */
  close(): Promise<void>;
}

export interface StreamSpec {
  readonly id: string;
  readonly ingest: 'rtmp' | 'http-push';
  /** Rendition profile names in playlist order. */
  readonly profiles: string[];
  readonly profileSizes: ReadonlyArray<{ name: string; width: number; height: number; bitrate: number }>;
}

export interface StreamRegistryDeps {
  readonly bus: EventBus;
  readonly log: Logger;
  readonly hls: HlsStore;
  readonly metrics: Metrics | null;
  /** The event projection: a stream's totals for its `stream.ended` event. */
  readonly activity: Pick<ActivityProjection, 'liveSummary'>;
  /** Builds the transcoding context of a new stream (its orchestrator sessions). */
  openTranscoder(spec: StreamSpec): Promise<StreamTranscoder>;
  maxSessions(): number;
  /** HTTP-push streams end after this long without a segment (go-livepeer: 60 s). */
  readonly pushIdleMs?: number;
  /** An ended stream's HLS is freed after this long (default 5 min). */
  readonly endedRetentionMs?: number;
}

interface LiveStream {
  readonly spec: StreamSpec;
  readonly store: StreamStore;
  transcoder: Promise<StreamTranscoder>;
  idleTimer?: NodeJS.Timeout;
  inFlight: number;
  ended: boolean;
}

/** How long an ended stream's playlists and segments stay served. */
const ENDED_RETENTION_MS = 5 * 60_000;

/**
 * The gateway's streams: creation (with the max-sessions limit), their HLS stores, segment processing, idle ends
 * for HTTP push, and teardown. Their statistics are not kept here: the event projection (ActivityProjection)
 * folds them from the events this registry and the segment pipeline emit.
 */
export class StreamRegistry {
  private readonly live = new Map<string, LiveStream>();
  private intakeOpen = true;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly deps: StreamRegistryDeps) {}

  /** Returns the live stream, creating it if needed; throws SegmentFailure('capacity') past maxSessions. */
  open(spec: StreamSpec): LiveStream {
    const existing = this.live.get(spec.id);
    if (existing) return existing;
    if (!this.intakeOpen) throw new SegmentFailure('draining', DRAINING_MESSAGE);
    if (this.live.size >= this.deps.maxSessions()) {
      throw new SegmentFailure('capacity', `too many concurrent streams (max ${this.deps.maxSessions()}; raise --max-sessions)`);
    }
    // A stream that ended under this id keeps serving its last playlists; a new one with the same id starts afresh.
    if (this.deps.hls.get(spec.id)?.ended) this.deps.hls.remove(spec.id);
    // BANDWIDTH is measured from the segments (the same way for every variant), not the profile's nominal bitrate.
    const store = this.deps.hls.create(
      spec.id,
      [...spec.profileSizes.map((p) => ({ name: p.name, width: p.width, height: p.height })), { name: SOURCE_RENDITION }],
      spec.ingest === 'rtmp' ? { targetDurationSec: DEFAULT_SEGMENT_SECONDS } : {},
    );
    const stream: LiveStream = {
      spec,
      store,
      transcoder: this.deps.openTranscoder(spec),
      inFlight: 0,
      ended: false,
    };
    stream.transcoder.catch(() => undefined);
    this.live.set(spec.id, stream);
    this.deps.metrics?.streamCreated.inc();
    this.deps.metrics?.streamStarted.inc();
    this.deps.metrics?.currentSessions.set(this.live.size);
    this.deps.log.info({ streamId: spec.id, ingest: spec.ingest, profiles: spec.profiles }, 'stream started');
    this.deps.bus.emit({ type: 'stream.started', streamId: spec.id, ingest: spec.ingest, profiles: spec.profiles });
    return stream;
  }

  /** Transcodes one segment of a stream and stores source + renditions for HLS. */
  async process(spec: StreamSpec, seg: SourceSegment): Promise<TranscodedSegment> {
    // Intake off means every new segment, not just new streams: a drain that kept taking segments of running
    // streams would only end with the drain timeout.
    if (!this.intakeOpen) throw new SegmentFailure('draining', DRAINING_MESSAGE);
    const stream = this.open(spec);
    if (stream.ended) throw new SegmentFailure('draining', `stream ${spec.id} has ended`);
    stream.inFlight++;
    this.touch(stream);
    const arrived = performance.now();
    this.deps.metrics?.sourceEmerged.inc();
    this.deps.metrics?.sourceEmergedUnprocessed.inc();
    this.deps.metrics?.sourceDuration.observe(seg.durationMs / 1000);
    // The source segment joins its playlist together with the renditions (or once they failed): every variant then has
    // the same live edge, so a player switching level finds the next segment in the new one instead of stalling.
    const addSource = (): void => {
      stream.store.addSegment(SOURCE_RENDITION, { seq: seg.seq, durationMs: seg.durationMs, data: seg.data, discontinuity: seg.discontinuity === true });
      // metrics: the source segment is now in the stream's playlist
      this.deps.metrics?.sourceAppeared.inc({ profile: SOURCE_RENDITION, seg_type: spec.ingest });
    };
    try {
      const transcoder = await stream.transcoder.catch((err: unknown) => {
        addSource();
        throw err;
      });
      const out = await transcoder.transcode(seg).catch((err: unknown) => {
        addSource();
        throw err;
      });
      addSource();
      for (const r of out.renditions) stream.store.addSegment(r.profile, { seq: seg.seq, durationMs: seg.durationMs, data: r.data, discontinuity: seg.discontinuity === true });
      this.deps.metrics?.recordSegmentOutcome(true); // metrics: livepeer_success_rate
      this.deps.metrics?.recordRealtime(seg.durationMs, performance.now() - arrived);
      return out;
    } catch (err) {
      this.deps.metrics?.recordSegmentOutcome(false); // metrics: livepeer_success_rate
      if (err instanceof SegmentFailure && err.failure === 'sender-validation') void this.end(spec.id, `payment problem: ${err.message}`);
      throw err;
    } finally {
      stream.inFlight--;
      this.touch(stream);
      this.notifyDrain();
    }
  }

  /** Ends a stream: teardown of its orchestrator sessions, final playlists/recording, event. */
  async end(id: string, reason: string): Promise<void> {
    const stream = this.live.get(id);
    if (!stream || stream.ended) return;
    stream.ended = true;
    if (stream.idleTimer) clearTimeout(stream.idleTimer);
    const summary = this.deps.activity.liveSummary(id);
    const view = { segmentsOk: summary?.segmentsOk ?? 0, segmentsFailed: summary?.segmentsFailed ?? 0 };
    this.deps.bus.emit({ type: 'stream.ended', streamId: id, reason, segments: view.segmentsOk, failed: view.segmentsFailed });
    this.live.delete(id);
    this.deps.metrics?.streamEnded.inc();
    this.deps.metrics?.currentSessions.set(this.live.size);
    this.deps.log.info({ streamId: id, reason, ok: view.segmentsOk, failed: view.segmentsFailed }, 'stream ended');
    await stream.transcoder.then((t) => t.close()).catch((err: unknown) => this.deps.log.warn({ err, streamId: id }, 'stream teardown failed'));
    await stream.store.end().catch((err: unknown) => this.deps.log.warn({ err, streamId: id }, 'recording finish failed'));
    // An ended stream stays playable (ENDLIST) for a while, then its segments are freed.
    const forget = setTimeout(() => {
      if (this.deps.hls.get(id) === stream.store) this.deps.hls.remove(id);
    }, this.deps.endedRetentionMs ?? ENDED_RETENTION_MS);
    forget.unref();
    this.notifyDrain();
  }

  get activeCount(): number {
    return this.live.size;
  }

  /** Refuses new streams and new segments (segments in flight continue until drained). */
  stopIntake(): void {
    this.intakeOpen = false;
  }

  /** Segments in flight across all streams. */
  get inFlight(): number {
    return this.inFlightTotal();
  }

  /** Resolves when no segment is in flight. */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      if (this.inFlightTotal() === 0) resolve();
      else this.drainWaiters.push(resolve);
    });
  }

  /** Ends every stream. */
  async close(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.end(id, 'gateway stopping')));
  }

  private touch(stream: LiveStream): void {
    if (stream.spec.ingest !== 'http-push') return;
    if (stream.idleTimer) clearTimeout(stream.idleTimer);
    if (stream.inFlight > 0) return;
    stream.idleTimer = setTimeout(() => void this.end(stream.spec.id, 'no segment for 60 s'), this.deps.pushIdleMs ?? 60_000);
    stream.idleTimer.unref();
  }

  private inFlightTotal(): number {
    let n = 0;
    for (const s of this.live.values()) n += s.inFlight;
    return n;
  }

  private notifyDrain(): void {
    if (this.inFlightTotal() > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
