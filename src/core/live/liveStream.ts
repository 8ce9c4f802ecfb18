// One live AI stream end to end: input segments in, one orchestrator session at a time, the transformed output into
// the HLS store (`{stream}-out`) and RTMP outputs, go-livepeer's events and status, and swaps (§e): when a session
// ends the stream picks another orchestrator within the swap budget, re-sends the current input segment there, and
// marks a discontinuity in the output. The input keeps running throughout.
import { randomBytes } from 'node:crypto';
import type { LiveStreamView, LiveSwapView } from '../../api/contract.js';
import type { StreamStore } from '../hls/streamStore.js';
import type { TicketBatchSummary } from '../../lib/payments/ticketSender.js';
import { inspectTs, videoTiming } from '../../lib/media/mpegts.js';
import type { LiveStartSpec } from './liveRequest.js';
import { type LiveOrchestrator, NoLiveOrchestratorError } from './liveSelect.js';
import { LiveSession, type LiveSessionTimers, type SessionEnd } from './liveSession.js';
import { LiveStatus, type RunnerEvent, SwapBudget, withGatewayFields } from './liveStatus.js';

/** What a stream needs from the live gateway around it. */
export interface LiveStreamDeps {
  select(req: { modelId: string; streamId: string; requestId: string; params: Record<string, unknown>; orchestratorFilter: string; avoid: ReadonlySet<string> }): Promise<LiveOrchestrator>;
  /** Gives a session back to its selector: `suspend` blames the orchestrator. */
  release(o: LiveOrchestrator, end: SessionEnd): void;
  readonly timers: () => LiveSessionTimers;
  readonly output: StreamStore;
  /** go-livepeer-shaped events (`stream_trace`, `ai_stream_events`, `ai_stream_status`), for the bus and later Kafka. */
  emit(queue: string, data: Record<string, unknown>): void;
  onTickets(batch: TicketBatchSummary): void;
  onSwap(from: string, to: string, reason: string): void;
  /** A first output segment arrived, `delayMs` after the first input segment went to this orchestrator. */
  onFirstSegment(delayMs: number, o: LiveOrchestrator): void;
  /** The stream has ended (resources to free: ingest, outputs). */
  onEnded(reason: string): void;
  /** Output segments for RTMP outputs (a swap passes `restart`). */
  onOutputSegment?(data: Buffer, restart: boolean): void;
  /** Makes an output segment playable in browsers (Opus → AAC); identity when absent. */
  playable?(data: Buffer): Promise<{ data: Buffer; reencodedMs: number | null }>;
  log(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void;
  now?(): number;
}

const MAX_SWAPS_KEPT = 20;

/** One live stream. */
export class LiveStream {
  readonly requestId = randomBytes(4).toString('hex');
  readonly status = new LiveStatus();
  readonly startedAt: number;
  private current: { o: LiveOrchestrator; session: LiveSession; firstInputAt?: number; firstOutput: boolean; outputs: number; inputTimes: number[] } | undefined;
  private state: LiveStreamView['state'] = 'starting';
  private endReason: string | undefined;
  private endedAt: number | undefined;
  private lastSegment: Uint8Array | undefined;
  private params: Record<string, unknown>;
  /** The last `/update` body, re-sent to every new orchestrator (go-livepeer's cached params). */
  private cachedUpdate: string | undefined;
  private readonly budget: SwapBudget;
  private readonly swaps: LiveSwapView[] = [];
  private discontinuity = false;
  private outSeq = 0;
  private switching: Promise<void> | undefined;
  private outputChain: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly counts = { input: 0, output: 0, tickets: 0, spentWei: 0n, inFps: 0, outFps: 0, latencyMs: 0, audioMs: null as number | null };
  private stopped = false;

  constructor(
    readonly spec: LiveStartSpec,
    private readonly deps: LiveStreamDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    this.budget = new SwapBudget(this.startedAt);
    this.params = spec.params;
  }

  /** The fields every event of this stream carries. */
  private fields(o?: LiveOrchestrator) {
    return { streamId: this.spec.streamId, requestId: this.requestId, pipelineId: '', orchestrator: o ? o.orchestrator : { address: '', url: '' } };
  }

  private trace(type: string, extra: Record<string, unknown> = {}, o = this.current?.o): void {
    this.deps.emit('stream_trace', withGatewayFields({ type, timestamp: this.now(), ...extra }, this.fields(o)));
  }

  /** Selects the first orchestrator; throws NoLiveOrchestratorError (the stream is then over). */
  async start(): Promise<void> {
    this.trace('gateway_receive_stream_request', { timestamp: this.startedAt });
    try {
      await this.connect(new Set());
    } catch (err) {
      this.finish(err instanceof NoLiveOrchestratorError ? 'no orchestrators available' : (err as Error).message);
      throw err;
    }
  }

  private async connect(avoid: ReadonlySet<string>): Promise<void> {
    let o: LiveOrchestrator;
    try {
      o = await this.deps.select({ modelId: this.spec.pipeline, streamId: this.spec.streamId, requestId: this.requestId, params: this.spec.params, orchestratorFilter: this.spec.orchestratorFilter, avoid });
    } catch (err) {
      if (err instanceof NoLiveOrchestratorError) {
        this.trace('gateway_no_orchestrators_available', {}, undefined);
        this.error(err.message);
      }
      throw err;
    }
    if (o.batch) this.tickets(o.batch);
    if (this.stopped) {
      this.deps.release(o, { reason: 'stream stopped', suspend: false });
      return;
    }
    const cur: NonNullable<typeof this.current> = { o, session: undefined as unknown as LiveSession, firstOutput: false, outputs: 0, inputTimes: [] };
    cur.session = new LiveSession({
      channels: o.channels,
      orchestrator: o.orchestrator,
      payment: o.payment,
      timers: this.deps.timers(),
      ...(this.cachedUpdate !== undefined ? { cachedParams: this.cachedUpdate } : {}),
      onOutput: (seg) => this.onOutput(cur, seg.data, seg.receivedAt),
      onEvent: (ev) => this.onEvent(o, ev),
      onInputSent: () => {
        if (cur.firstInputAt === undefined) {
          cur.firstInputAt = this.now();
          this.trace('gateway_send_first_ingest_segment', {}, o);
        }
      },
      onPayment: (p) => {
        if (p.batch) this.tickets(p.batch);
        if (p.error) this.deps.log('warn', p.error, { stream: this.spec.stream, orchestrator: o.orchestrator.url });
      },
      onEnd: (end) => this.onSessionEnd(cur, end),
    });
    this.current = cur;
    this.state = 'running';
    await cur.session.start();
    // The segment being cut when the previous orchestrator failed goes to this one at once.
    if (this.lastSegment && !cur.session.done) this.send(cur, this.lastSegment);
  }

  /** Hands one input segment (self-contained MPEG-TS) to the current orchestrator. */
  pushSegment(data: Uint8Array): void {
    if (this.stopped) return;
    this.lastSegment = data;
    this.counts.input++;
    this.counts.inFps = timingOf(data)?.frameRate ?? this.counts.inFps;
    const cur = this.current;
    if (cur && !cur.session.done) this.send(cur, data);
  }

  private send(cur: NonNullable<typeof this.current>, data: Uint8Array): void {
    cur.inputTimes.push(this.now());
    if (cur.inputTimes.length > 16) cur.inputTimes.shift();
    cur.session.sendSegment(data);
  }

  private onOutput(cur: NonNullable<typeof this.current>, data: Buffer, receivedAt: number): void {
    if (this.current !== cur || this.stopped) return;
    cur.outputs++;
    this.counts.output++;
    const sentAt = cur.inputTimes.shift();
    if (sentAt !== undefined) this.counts.latencyMs = receivedAt - sentAt;
    if (!cur.firstOutput) {
      cur.firstOutput = true;
      this.trace('gateway_receive_first_processed_segment', {}, cur.o);
      if (cur.firstInputAt !== undefined) this.deps.onFirstSegment(receivedAt - cur.firstInputAt, cur.o);
    }
    if (cur.outputs === 3) this.trace('gateway_receive_few_processed_segments', {}, cur.o);
    const timing = timingOf(data);
    const durationMs = timing?.durationMs ?? 2000;
    this.counts.outFps = timing?.frameRate ?? this.counts.outFps;
    const seq = this.outSeq++;
    const discontinuity = this.discontinuity;
    this.discontinuity = false;
    // Segments stay in order even when one needs its audio re-encoded.
    this.outputChain = this.outputChain.then(async () => {
      let out = data;
      if (this.deps.playable) {
        try {
          const p = await this.deps.playable(data);
          out = p.data;
          if (p.reencodedMs !== null) this.counts.audioMs = p.reencodedMs;
        } catch (err) {
          this.deps.log('warn', (err as Error).message, { stream: this.spec.stream });
        }
      }
      this.deps.output.addSegment('source', { seq, durationMs, data: out, discontinuity });
      this.deps.onOutputSegment?.(out, discontinuity);
    });
  }

  private onEvent(o: LiveOrchestrator, ev: RunnerEvent): void {
    const data = withGatewayFields(ev.event, this.fields(o));
    if (ev.queue === 'ai_stream_status') this.status.applyStatus(data);
    this.deps.emit(ev.queue, data);
  }

  private onSessionEnd(cur: NonNullable<typeof this.current>, end: SessionEnd): void {
    this.deps.release(cur.o, end);
    if (this.current !== cur || this.stopped) return;
    this.current = undefined;
    this.deps.log('warn', `orchestrator session ended: ${end.reason}`, { stream: this.spec.stream, orchestrator: cur.o.orchestrator.url });
    this.error(end.reason);
    if (!this.budget.allow(this.now())) {
      this.trace('orchestrator_swap', { pipeline: this.spec.pipeline, message: `${end.reason}; too many swaps` }, cur.o);
      void this.stop('Too many swaps');
      return;
    }
    this.state = 'swapping';
    this.switching = this.swap(cur.o, end.reason);
  }

  private async swap(from: LiveOrchestrator, reason: string): Promise<void> {
    const at = this.now();
    const data = withGatewayFields({ type: 'orchestrator_swap', pipeline: this.spec.pipeline, message: reason }, this.fields(from));
    this.deps.emit('stream_trace', data);
    try {
      this.discontinuity = true;
      await this.connect(new Set([from.session.uri]));
    } catch (err) {
      if (!this.stopped) void this.stop(err instanceof NoLiveOrchestratorError ? 'no orchestrators available' : (err as Error).message);
      return;
    }
    const to = this.current?.o;
    if (!to) return;
    this.swaps.push({ at: new Date(at).toISOString(), from: from.orchestrator.url, to: to.orchestrator.url, reason, gapMs: this.now() - at });
    if (this.swaps.length > MAX_SWAPS_KEPT) this.swaps.shift();
    this.deps.onSwap(from.orchestrator.url, to.orchestrator.url, reason);
  }

  /** Forwards a params update: cached for later orchestrators, sent now when one is connected. */
  update(body: string): void {
    this.cachedUpdate = body;
    try {
      const v = JSON.parse(body) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) this.params = v as Record<string, unknown>;
    } catch {
      // go-livepeer forwards the body verbatim, JSON or not.
    }
    this.current?.session.sendControl(body);
    this.deps.emit('ai_stream_events', withGatewayFields({ type: 'params_update', pipeline: this.spec.pipeline, params: this.params }, this.fields(this.current?.o)));
  }

  private error(message: string): void {
    this.status.setError(message, this.now());
    this.deps.emit('ai_stream_events', withGatewayFields({ type: 'error', pipeline: this.spec.pipeline, capability: 'live-video-to-video', message }, this.fields(this.current?.o)));
  }

  private tickets(batch: TicketBatchSummary): void {
    this.counts.tickets += batch.count;
    this.counts.spentWei += batch.ev.mul(BigInt(batch.count)).floor();
    this.deps.onTickets(batch);
  }

  /** Ends the stream: the orchestrator session, then the ingest and outputs (by the owner's onEnded). */
  async stop(reason: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const cur = this.current;
    this.current = undefined;
    if (cur) await cur.session.stop(reason);
    this.finish(reason);
  }

  private finish(reason: string): void {
    this.stopped = true;
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endReason = reason;
    this.endedAt = this.now();
    this.trace('gateway_ingest_stream_closed', { message: reason }, undefined);
    this.deps.onEnded(reason);
  }

  /** When the stream ended (unix ms), if it has. */
  get endedAtMs(): number | undefined {
    return this.endedAt;
  }

  /** True once the stream has ended. */
  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Resolves when a swap in progress has finished (tests, shutdown). */
  settled(): Promise<void> {
    return this.switching ?? Promise.resolve();
  }

  /** The stream as the control API shows it. */
  view(hlsUrl: string): LiveStreamView {
    const o = this.current?.o;
    const runner = this.status.lastRunnerStatus;
    return {
      stream: this.spec.stream,
      streamId: this.spec.streamId,
      requestId: this.requestId,
      pipeline: this.spec.pipeline,
      params: this.params,
      state: this.state,
      runnerState: typeof runner?.state === 'string' ? runner.state : null,
      orchestrator: o ? { url: o.orchestrator.url, address: o.orchestrator.address, manifestId: o.channels.manifestId } : null,
      source: this.spec.origin,
      startedAt: new Date(this.startedAt).toISOString(),
      endedAt: this.endedAt === undefined ? null : new Date(this.endedAt).toISOString(),
      endReason: this.endReason ?? null,
      inputSegments: this.counts.input,
      outputSegments: this.counts.output,
      inputFps: round1(this.counts.inFps),
      outputFps: round1(this.counts.outFps),
      latencyMs: this.counts.latencyMs,
      audioReencodeMs: this.counts.audioMs === null ? null : Math.round(this.counts.audioMs),
      swaps: [...this.swaps],
      ticketsSent: this.counts.tickets,
      spentWei: this.counts.spentWei.toString(),
      hlsUrl,
      rtmpOutputs: [...this.spec.rtmpOutputs],
    };
  }
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Video timing of a segment, when its frames and timestamps can be read (one pass over the bytes). */
function timingOf(data: Uint8Array): { frameRate: number; durationMs: number } | undefined {
  try {
    return videoTiming(inspectTs(data));
  } catch {
    return undefined;
  }
}
