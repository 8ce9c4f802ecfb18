// go-livepeer's live status JSON (live-ai.md §a.4), folded from the runner's events and the gateway's own errors.
// The body of `GET /live/video-to-video/{streamId}/status` is the runner's last `status` event plus the fields the
// gateway adds; fields the runner sends only once (`last_params`, `last_restart_logs`) are kept from the previous
// status, and `gateway_status.error` keeps the first error since it was last cleared. Pure.

/** A runner event as it arrives on the events channel (either wrapped with its queue type, or bare). */
export interface RunnerEvent {
  /** Kafka queue type: `ai_stream_events`, `ai_stream_status` (type `status`), or `stream_trace`. */
  readonly queue: string;
  readonly event: Record<string, unknown>;
}

/** Parses one events-channel segment; null for something that is not a JSON object (logged by the caller). */
export function parseRunnerEvent(text: string): RunnerEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const wrapped = typeof o.event === 'object' && o.event !== null && !Array.isArray(o.event);
  const event = { ...(wrapped ? (o.event as Record<string, unknown>) : o) };
  if (typeof event.type !== 'string') event.type = 'unknown';
  let queue = wrapped && typeof o.queue_event_type === 'string' ? o.queue_event_type : 'ai_stream_events';
  if (event.type === 'status') queue = 'ai_stream_status';
  else if (event.type === 'stream_trace') queue = 'stream_trace';
  return { queue, event };
}

/** What the gateway adds to every event it forwards. */
export interface GatewayEventFields {
  readonly streamId: string;
  readonly requestId: string;
  readonly pipelineId: string;
  readonly orchestrator: { readonly address: string; readonly url: string };
}

/** The gateway's fields on an event (go-livepeer's names). */
export function withGatewayFields(event: Record<string, unknown>, f: GatewayEventFields): Record<string, unknown> {
  return { ...event, stream_id: f.streamId, request_id: f.requestId, pipeline_id: f.pipelineId, orchestrator_info: { address: f.orchestrator.address, url: f.orchestrator.url } };
}

/** The status of one stream, by streamId. */
export class LiveStatus {
  private runner: Record<string, unknown> | undefined;
  private gateway: { whep_url?: string; error?: { error_message: string; error_time: number } } = {};

  /** Takes a runner `status` event (already carrying the gateway fields). */
  applyStatus(event: Record<string, unknown>): void {
    const prev = this.runner;
    const next = { ...event };
    const inf = asObject(next.inference_status);
    const prevInf = asObject(prev?.inference_status);
    if (inf && prevInf) {
      // Sent once, then null: keep what the previous status carried.
      for (const key of ['last_params', 'last_restart_logs'] as const) if (inf[key] === null || inf[key] === undefined) inf[key] = prevInf[key] ?? null;
      next.inference_status = inf;
    }
    this.runner = next;
  }

  /** Records a gateway error; only the first since the last clear is kept (go-livepeer). */
  setError(message: string, at: number): void {
    this.gateway.error ??= { error_message: message, error_time: at };
  }

  clearError(): void {
    delete this.gateway.error;
  }

  setWhepUrl(url: string): void {
    this.gateway.whep_url = url;
  }

  /** True once anything is known (go-livepeer answers 404 before). */
  get known(): boolean {
    return this.runner !== undefined || Object.keys(this.gateway).length > 0;
  }

  /** The last runner status, if any. */
  get lastRunnerStatus(): Record<string, unknown> | undefined {
    return this.runner;
  }

  /** The status JSON. */
  view(): Record<string, unknown> {
    return { ...(this.runner ?? {}), gateway_status: { ...this.gateway } };
  }
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : undefined;
}

/** go-livepeer's swap budget: within a run of swaps each < 3 min after the previous one, at most 2 (§e). */
export const RECENT_SWAP_INTERVAL_MS = 3 * 60_000;
export const MAX_RECENT_SWAPS = 2;

/** Counts swaps; `allow` says whether one more may happen now (and records it when it may). */
export class SwapBudget {
  private last: number;
  private recent = 0;

  constructor(startedAt: number) {
    this.last = startedAt;
  }

  /** Records a swap at `now` and says whether it is within the budget. */
  allow(now: number): boolean {
    this.recent = now - this.last < RECENT_SWAP_INTERVAL_MS ? this.recent + 1 : 1;
    this.last = now;
    return this.recent <= MAX_RECENT_SWAPS;
  }
}
