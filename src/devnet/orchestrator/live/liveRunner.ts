// A deterministic real-time devnet runner for live-video-to-video, playing ai-runner's side of the trickle channels
// (live-ai.md §j.4): input read from the gateway's channel (from -2), each segment transformed and published as one
// output segment (from seq 0), control read from -2 (keepalives ignored, the rest become the params), events published
// as `{"event":…, "queue_event_type":…}` with a status every interval and the runner's stream_trace events.
// Injected faults (stalled output, silent events, slow output) are read per segment and per event, so a change
// reaches running streams at once.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { inspectTs, videoTiming } from '../../../lib/media/mpegts.js';
import { sleep } from '../../../lib/sleep.js';
import type { LiveFaults } from '../faults.js';
import { TricklePublisher } from '../../../lib/trickle/publisher.js';
import { TrickleSubscriber } from '../../../lib/trickle/subscriber.js';
import type { TrickleAgents } from '../../../lib/trickle/transport.js';

/** The devnet's live pipelines: bytes through, a negative image, and a hue rotation its params steer. */
export const LIVE_PIPELINES = ['noop', 'devnet/negate', 'devnet/hue'] as const;
export type LivePipeline = (typeof LIVE_PIPELINES)[number];

/** True for a pipeline the devnet runner serves. */
export function isLivePipeline(p: string): p is LivePipeline {
  return (LIVE_PIPELINES as readonly string[]).includes(p);
}

export interface LiveRunnerOptions {
  readonly pipeline: LivePipeline;
  readonly params: Record<string, unknown>;
  /** The runner's view: it subscribes to the gateway's input and publishes the output (roles swapped, §j.2). */
  readonly subscribeUrl: string;
  readonly publishUrl: string;
  readonly controlUrl: string;
  readonly eventsUrl: string;
  readonly streamId: string;
  readonly requestId: string;
  readonly ffmpeg: string;
  readonly agents?: TrickleAgents;
  /** Status event period (ai-runner: 10 s). */
  readonly statusIntervalMs?: number;
  readonly onError?: (message: string) => void;
  /** The faults in force now (none when absent). */
  readonly faults?: () => LiveFaults;
  /** Called after each output segment was published (dieAfter counts them). */
  readonly onOutput?: () => void;
}

const NO_FAULTS: LiveFaults = { stallOutput: false, stopEvents: false, slowMs: 0 };

export interface LiveRunner {
  /** Segments in and out so far. */
  counts(): { input: number; output: number };
  stop(): Promise<void>;
}

/** The ffmpeg video filter of a pipeline with its params; null passes the bytes through. */
export function liveFilter(pipeline: LivePipeline, params: Record<string, unknown>): string | null {
  if (pipeline === 'noop') return null;
  if (pipeline === 'devnet/negate') return 'negate';
  return `hue=h=${hueDegrees(params)}`;
}

/** `{"hue": degrees}`, or a hue from a hash of `{"prompt": text}`, so a test can tell an update arrived. */
export function hueDegrees(params: Record<string, unknown>): number {
  if (typeof params.hue === 'number' && Number.isFinite(params.hue)) return ((params.hue % 360) + 360) % 360;
  if (typeof params.prompt === 'string') {
    let h = 0;
    for (const c of params.prompt) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
    return h % 360;
  }
  return 0;
}

/** Starts the runner; it runs until stop() or until the input channel ends. */
export async function startLiveRunner(opts: LiveRunnerOptions): Promise<LiveRunner> {
  const agents = opts.agents;
  const common = agents ? { agents } : {};
  const input = new TrickleSubscriber({ url: opts.subscribeUrl, start: -2, ...common });
  const control = new TrickleSubscriber({ url: opts.controlUrl, start: -2, ...common });
  const output = await TricklePublisher.open({ url: opts.publishUrl, ...common });
  const events = await TricklePublisher.open({ url: opts.eventsUrl, mime: 'application/json', ...common });
  let params = opts.params;
  let inCount = 0;
  let outCount = 0;
  let stopped: Promise<void> | undefined;
  const stopping = new AbortController();
  const faults = opts.faults ?? (() => NO_FAULTS);
  // Events go out one at a time, in order.
  let eventChain: Promise<unknown> = Promise.resolve();
  const emit = (event: Record<string, unknown>, queue = 'ai_stream_events') => {
    if (faults().stopEvents) return;
    const body = JSON.stringify({ queue_event_type: queue, event: { ...event, stream_id: opts.streamId, request_id: opts.requestId, timestamp: Date.now() } });
    eventChain = eventChain.then(() => events.publish(Buffer.from(body))).catch((err: unknown) => opts.onError?.(`events: ${(err as Error).message}`));
  };
  // ai-runner's traces: the subtype is the event's type, on the stream_trace queue.
  const trace = (type: string) => emit({ type }, 'stream_trace');
  const startTime = Date.now();
  const io = { lastInput: null as number | null, lastOutput: null as number | null, inFps: 0, outFps: 0, paramsAt: null as number | null, paramsSent: false };
  trace('runner_receive_stream_request');
  // The shape of ai-runner's status (go-livepeer serves it as the status API body); last_params goes out once per change.
  const status = () => {
    const now = Date.now();
    const state = stopped !== undefined ? 'OFFLINE' : io.lastInput !== null && now - io.lastInput > 10_000 ? 'DEGRADED_INPUT' : io.lastInput !== null && (io.lastOutput === null || now - io.lastOutput > 10_000) ? 'DEGRADED_INFERENCE' : io.lastInput === null ? 'LOADING' : 'ONLINE';
    emit(
      {
        type: 'status',
        pipeline: opts.pipeline,
        start_time: startTime,
        state,
        last_state_update_time: now,
        input_status: { last_input_time: io.lastInput, fps: io.inFps },
        inference_status: {
          last_output_time: io.lastOutput,
          fps: io.outFps,
          last_params_update_time: io.paramsAt,
          last_params: io.paramsSent ? null : params,
          last_params_hash: paramsHash(params),
          last_error_time: null,
          last_error: null,
          last_restart_time: null,
          last_restart_logs: null,
          restart_count: 0,
        },
        input_segments: inCount,
        output_segments: outCount,
      },
      'ai_stream_status',
    );
    io.paramsSent = true;
  };
  status();
  const statusTimer = setInterval(status, opts.statusIntervalMs ?? 10_000);
  statusTimer.unref();

  const readControl = async () => {
    for (;;) {
      const seg = await control.read().catch(() => null);
      if (!seg) return;
      const text = (await collect(seg.body)).toString('utf8');
      try {
        const msg = JSON.parse(text) as Record<string, unknown>;
        if (msg.keep === 'alive') continue;
        params = msg;
        io.paramsAt = Date.now();
        io.paramsSent = false;
      } catch {
        opts.onError?.(`control: not JSON: ${text.slice(0, 80)}`);
      }
    }
  };

  const relay = async () => {
    for (;;) {
      const seg = await input.read().catch((err: unknown) => {
        opts.onError?.(`input: ${(err as Error).message}`);
        return null;
      });
      if (!seg) return;
      const bytes = await collect(seg.body);
      if (bytes.length === 0) continue;
      inCount++;
      io.lastInput = Date.now();
      io.inFps = segmentFps(bytes) ?? io.inFps;
      if (inCount === 1) trace('runner_receive_first_ingest_segment');
      const filter = liveFilter(opts.pipeline, params);
      let out: Buffer;
      try {
        out = filter === null ? bytes : await transform(opts.ffmpeg, bytes, filter);
      } catch (err) {
        opts.onError?.(`transform: ${(err as Error).message}`);
        continue;
      }
      const slowMs = faults().slowMs;
      if (slowMs > 0) await sleep(slowMs, stopping.signal);
      // Stalled: the input was read (and counted) but nothing comes out.
      if (stopped !== undefined || faults().stallOutput) continue;
      const r = await output.publish(out).catch((err: unknown) => {
        opts.onError?.(`output: ${(err as Error).message}`);
        return null;
      });
      if (!r) return;
      if (!r.ok) continue;
      io.lastOutput = Date.now();
      io.outFps = segmentFps(out) ?? io.outFps;
      if (++outCount === 1) trace('runner_send_first_processed_segment');
      opts.onOutput?.();
    }
  };

  const running = Promise.all([relay(), readControl()]);

  return {
    counts: () => ({ input: inCount, output: outCount }),
    // Idempotent: every caller waits for the same stop.
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        clearInterval(statusTimer);
        input.close();
        control.close();
        await eventChain;
        // On stop the runner closes the channels it publishes (§j.4).
        await Promise.all([output.close().catch(() => undefined), events.close().catch(() => undefined)]);
        await running;
      })()),
  };
}

async function collect(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Re-encodes one MPEG-TS segment with a video filter, keeping timestamps so the output stream stays continuous; audio comes back as Opus, as ai-runner returns it. */
function transform(ffmpeg: string, input: Buffer, filter: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      ffmpeg,
      ['-hide_banner', '-loglevel', 'error', '-copyts', '-f', 'mpegts', '-i', 'pipe:0', '-vf', filter,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-c:a', 'libopus', '-b:a', '64k', '-muxdelay', '0', '-f', 'mpegts', 'pipe:1'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg exited ${code}: ${err.trim().slice(0, 200)}`))));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

/** md5 of the params as sorted JSON (ai-runner's last_params_hash). */
function paramsHash(params: Record<string, unknown>): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return createHash('md5').update(JSON.stringify(sorted(params))).digest('hex');
}

/** Frames per second of a segment from its video timestamps. */
function segmentFps(ts: Uint8Array): number | undefined {
  try {
    const t = videoTiming(inspectTs(ts));
    return t ? Math.round(t.frameRate * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}
