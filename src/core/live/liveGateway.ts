// The live AI service of the daemon: starts streams (MediaMTX hook, JSON start, gw's RTMP app), keeps them by
// stream name, forwards updates, serves their status by streamId, stops them (control API, heartbeat kill-switch,
// shutdown), and caps how many run at once. Each stream is a LiveStream over one LiveIngest and its outputs.
import type { Readable } from 'node:stream';
import type { LiveStreamView } from '../../api/contract.js';
import { GwError } from '../../lib/errors.js';
import type { SettingsReader } from '../../lib/settings/settings.js';
import type { TicketBatchSummary } from '../../lib/payments/ticketSender.js';
import { DRAINING_MESSAGE, type Intake } from '../drain.js';
import type { EventBus } from '../eventBus.js';
import type { HlsStore } from '../hls/streamStore.js';
import type { Logger } from '../logger.js';
import { playableAudio } from './audioToAac.js';
import { authorizeLiveStream, parseHeaderList, sendHeartbeat } from './liveAuth.js';
import { type LiveIngest, ingestFlv, ingestPull } from './liveIngest.js';
import type { LiveMetrics } from './liveMetrics.js';
import { type LiveStartSpec, LiveRequestError, parseRtmpStart } from './liveRequest.js';
import { type LiveOrchestrator, type LiveSelectDeps, selectLiveOrchestrator } from './liveSelect.js';
import { LiveStream } from './liveStream.js';
import { RtmpOutput } from './rtmpOutput.js';

export interface LiveGatewayDeps {
  readonly config: SettingsReader;
  readonly select: LiveSelectDeps;
  readonly hls: HlsStore;
  /** ffmpeg for segmenting, pulls and RTMP outputs; undefined = live AI is off (no ffmpeg). */
  readonly ffmpeg: string | undefined;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly metrics: LiveMetrics | null;
  /** Base URL of the gateway HTTP port, for `hlsUrl`. */
  httpBase(): string;
  onTickets(streamId: string, batch: TicketBatchSummary): void;
}

interface Entry {
  readonly stream: LiveStream;
  ingest: LiveIngest | undefined;
  readonly outputs: RtmpOutput[];
}

/**
 * Where a stream's output is pushed: the requested RTMP outputs, and for MediaMTX starts also back to the source
 * host as `<source>-out` and `<source>-<requestID>-out` (go-livepeer's convention, which MediaMTX then serves).
 */
export function rtmpOutputsOf(spec: LiveStartSpec, requestId: string, toSource: boolean): string[] {
  const out = [...spec.rtmpOutputs];
  if (toSource && spec.origin === 'mediamtx' && spec.source.kind === 'pull') {
    const u = new URL(spec.source.url);
    const base = `${u.protocol}//${u.host}${u.pathname}`;
    out.push(`${base}-out`, `${base}-${requestId}-out`);
  }
  return out;
}

/** Ended streams kept for `gw live show` and the status API. */
const ENDED_KEPT = 50;
/** go-livepeer clears a stream's status a minute after it ends. */
const STATUS_KEEP_MS = 60_000;

/** Live AI streams of this gateway. */
export class LiveGateway {
  private readonly live = new Map<string, Entry>();
  private readonly ended: LiveStream[] = [];
  private readonly outputsOf = new WeakMap<LiveStream, RtmpOutput[]>();
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly deps: LiveGatewayDeps) {
    const tick = () => void this.beat();
    this.heartbeat = setInterval(tick, Math.max(500, deps.config.get('liveHeartbeatInterval')));
    this.heartbeat.unref();
  }

  /**
   * Starts a stream: auth webhook, concurrency cap, orchestrator selection, then the input. Resolves once the first
   * orchestrator has started it; throws LiveRequestError (400), `forbidden` (403), `capacity` or NoLiveOrchestratorError (503).
   * `push` is the FLV of a publish to gw's RTMP app (its input is already here).
   */
  async start(requested: LiveStartSpec, push?: { flv: Readable; close(): void }): Promise<LiveStreamView> {
    const ffmpeg = this.deps.ffmpeg;
    if (!ffmpeg) throw new GwError('ffmpeg_not_found', 'live AI needs ffmpeg (run gw doctor)');
    if (this.closing) throw new GwError('draining', DRAINING_MESSAGE);
    let spec = requested;
    const hook = this.deps.config.get('liveAuthWebhookUrl');
    if (hook) {
      spec = await authorizeLiveStream(spec, {
        url: hook,
        apiKey: this.deps.config.get('liveAuthApiKey') ?? '',
        gatewayHost: this.deps.config.get('gatewayHost') ?? '',
        whepUrl: '',
      });
    }
    const max = this.deps.config.get('liveMaxStreams');
    const stomped = this.live.get(spec.stream);
    if (!stomped && max > 0 && this.live.size >= max) throw new GwError('capacity', `live AI is at its limit of ${max} concurrent streams (liveMaxStreams)`);
    // go-livepeer "stomps" a stream of the same name: the old one is closed.
    if (stomped) await this.stop(spec.stream, 'replaced by a new stream of the same name');

    this.deps.metrics?.attempts.inc({ model_name: spec.pipeline });
    const outName = `${spec.stream}-out`;
    this.deps.hls.remove(outName);
    const output = this.deps.hls.create(outName, [{ name: 'source' }]);
    const entry: Entry = { stream: undefined as unknown as LiveStream, ingest: undefined, outputs: [] };
    const stream = new LiveStream(spec, {
      select: (req) => selectLiveOrchestrator(this.deps.select, req),
      release: (o, end) => this.release(o, end.suspend, end.reason),
      timers: () => ({
        paymentIntervalMs: this.deps.config.get('livePaymentInterval'),
        outputTimeoutMs: this.deps.config.get('liveOutSegmentTimeout'),
        eventsTimeoutMs: this.deps.config.get('liveEventsTimeout'),
      }),
      output,
      emit: (queue, data) => this.deps.bus.emit({ type: 'live.event', stream: spec.stream, streamId: spec.streamId, queue, data }),
      onTickets: (b) => this.deps.onTickets(spec.streamId || spec.stream, b),
      onSwap: (from, to, reason) => {
        this.deps.metrics?.swaps.inc({ reason: reason.split(':')[0]!.slice(0, 40) });
        this.deps.bus.emit({ type: 'failover', streamId: spec.streamId || spec.stream, from, to, reason, attempt: 0 });
      },
      onFirstSegment: (ms, o) => this.deps.metrics?.firstSegmentDelay.observe({ orchestrator_uri: o.orchestrator.url, orchestrator_address: o.orchestrator.address }, ms),
      playable: (data) => playableAudio(ffmpeg, data),
      onOutputSegment: (data, restart) => {
        for (const out of entry.outputs) out.write(data, restart);
      },
      onEnded: (reason) => this.onEnded(entry, reason),
      log: (level, msg, fields) => this.deps.log[level]({ ...fields }, msg),
    });
    (entry as { stream: LiveStream }).stream = stream;
    for (const url of rtmpOutputsOf(spec, stream.requestId, this.deps.config.get('liveRtmpOutputToSource'))) {
      entry.outputs.push(new RtmpOutput(url, ffmpeg, (m) => this.deps.log.warn({ stream: spec.stream }, m)));
    }
    this.outputsOf.set(stream, entry.outputs);
    this.live.set(spec.stream, entry);
    this.gauge(spec.pipeline);
    // The input starts at once: segments cut while the orchestrator is chosen are not lost (the latest goes first).
    const onSegment = (seg: { data: Uint8Array }) => stream.pushSegment(seg.data);
    entry.ingest = push ? ingestFlv(push.flv, () => push.close(), { ffmpeg, onSegment }) : spec.source.kind === 'pull' ? ingestPull(spec.source.url, { ffmpeg, onSegment }) : undefined;
    try {
      await stream.start();
    } catch (err) {
      void entry.ingest?.stop();
      this.deps.metrics?.errors.inc({ error_code: 'no orchestrators available', pipeline: 'live-video-to-video', model_name: spec.pipeline, orchestrator_uri: '' });
      throw err;
    }
    void entry.ingest?.done.then((why) => stream.stop(why));
    this.deps.log.info({ stream: spec.stream, streamId: spec.streamId, pipeline: spec.pipeline, source: spec.origin }, 'live AI stream started');
    return this.view(stream);
  }

  /** A publish to gw's RTMP live AI app; a stream that cannot start is logged and its publisher disconnected. */
  startPublish(publish: { key: string; query: Record<string, string>; flv: Readable; close(): void }): void {
    let spec: LiveStartSpec;
    try {
      spec = parseRtmpStart(publish.key, publish.query);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'live AI publish refused');
      publish.close();
      return;
    }
    this.start(spec, publish).catch((err: unknown) => {
      this.deps.log.warn({ stream: spec.stream, err: (err as Error).message }, 'live AI publish not started: input dropped');
      publish.close();
    });
  }

  /** A session ended: an orchestrator to blame is suspended (the selector already has the session back). */
  private release(o: LiveOrchestrator, suspend: boolean, reason: string): void {
    if (suspend) o.selector.remove(o.session, reason);
  }

  private onEnded(entry: Entry, reason: string): void {
    const s = entry.stream;
    if (this.live.get(s.spec.stream) === entry) this.live.delete(s.spec.stream);
    void entry.ingest?.stop();
    for (const out of entry.outputs) out.close();
    void this.deps.hls.end(`${s.spec.stream}-out`);
    this.ended.push(s);
    if (this.ended.length > ENDED_KEPT) this.ended.shift();
    this.gauge(s.spec.pipeline);
    this.deps.log.info({ stream: s.spec.stream, reason }, 'live AI stream ended');
  }

  private gauge(pipeline: string): void {
    const n = [...this.live.values()].filter((e) => e.stream.spec.pipeline === pipeline).length;
    this.deps.metrics?.currentPipelines.set({ pipeline }, n);
  }

  /** Forwards an update body to a running stream (by stream name); false when there is none. */
  update(stream: string, body: string): boolean {
    const e = this.live.get(stream);
    if (!e) return false;
    e.stream.update(body);
    return true;
  }

  /** Stops a running stream; false when there is none. */
  async stop(stream: string, reason = 'stopped by the operator'): Promise<boolean> {
    const e = this.live.get(stream);
    if (!e) return false;
    await e.stream.stop(reason);
    return true;
  }

  /** go-livepeer's status JSON for a streamId (running streams first, then recently ended ones). */
  status(streamId: string): Record<string, unknown> | undefined {
    for (const e of this.live.values()) if (e.stream.spec.streamId === streamId && e.stream.status.known) return e.stream.status.view();
    const now = Date.now();
    for (const s of [...this.ended].reverse()) {
      if (s.spec.streamId === streamId && s.status.known && now - (s.endedAtMs ?? 0) < STATUS_KEEP_MS) return s.status.view();
    }
    return undefined;
  }

  private view(s: LiveStream): LiveStreamView {
    const outputs = this.outputsOf.get(s);
    const v = s.view(`${this.deps.httpBase()}/stream/${s.spec.stream}-out.m3u8`);
    return outputs ? { ...v, rtmpOutputs: outputs.map((o) => o.url) } : v;
  }

  /** Running streams, then recently ended ones. */
  list(): LiveStreamView[] {
    return [...[...this.live.values()].map((e) => this.view(e.stream)), ...[...this.ended].reverse().map((s) => this.view(s))];
  }

  /** One stream by name (a running one before an ended one of the same name). */
  get(stream: string): LiveStreamView | undefined {
    const e = this.live.get(stream);
    if (e) return this.view(e.stream);
    const s = [...this.ended].reverse().find((x) => x.spec.stream === stream);
    return s ? this.view(s) : undefined;
  }

  /** The MediaMTX API password (kicks of failed inputs). */
  mediaMtxPassword(): string {
    return this.deps.config.get('mediaMtxApiPassword') ?? '';
  }

  /** Streams running now. */
  get count(): number {
    return this.live.size;
  }

  private async beat(): Promise<void> {
    const url = this.deps.config.get('liveHeartbeatUrl');
    if (!url) return;
    const ids = [...this.live.values()].map((e) => e.stream.spec.streamId).filter((id) => id !== '');
    try {
      const terminated = new Set(await sendHeartbeat(url, parseHeaderList(this.deps.config.get('liveHeartbeatHeaders')), ids));
      for (const e of [...this.live.values()]) if (terminated.has(e.stream.spec.streamId)) void e.stream.stop('stream terminated: credit_exhaustion');
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'live AI heartbeat failed');
    }
  }

  /**
   * The daemon's drain: live streams never finish on their own, so once intake stops, new starts are refused and the
   * running streams are ended cleanly (orchestrator channels closed, HLS playlists ended) before the daemon exits.
   */
  intake(): Intake {
    return {
      name: 'live',
      stopIntake: () => {
        this.closing = true;
      },
      drained: () => this.close(),
      inFlight: () => this.live.size,
    };
  }

  /** Stops every stream (shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.all([...this.live.keys()].map((k) => this.stop(k, 'gateway shutting down')));
  }
}

export { LiveRequestError };
