// Fault injection for the devnet orchestrator: busy answers, latency, random errors, sudden death, price changes,
// and live-video-to-video runner faults (stalled output, silent events, slow output).
// Configured by options/flags at start and at run time through POST /devnet/faults.

/** Fixed latency in ms, or an inclusive [min, max] range drawn uniformly per request. */
export type Latency = number | readonly [number, number];

/** Faults to apply from the start. */
export interface FaultConfig {
  /** The next n segments answer 200 with TranscodeResult.error = "OrchestratorBusy" (AI/BYOC requests: 500 with that text). */
  failNext?: number;
  /** Extra delay before each GetOrchestrator answer and before each segment is transcoded (or AI/BYOC job runs). */
  latency?: Latency;
  /** Probability (0..1) that a segment answers with TranscodeResult.error = INJECTED_ERROR (AI/BYOC: 500). */
  errorRate?: number;
  /** Die (in-process: close abruptly; process entry: exit) once this many more segments (or AI/BYOC jobs, or live output segments) were answered. */
  dieAfter?: number;
  /** Live runners keep reading input but publish no output segments. */
  liveStallOutput?: boolean;
  /** Live runners publish no events (status included). */
  liveStopEvents?: boolean;
  /** Extra delay (ms) before a live runner publishes each output segment. */
  liveSlowMs?: number;
}

/** The live runner faults, read by running streams before each output segment and each event. */
export interface LiveFaults {
  stallOutput: boolean;
  stopEvents: boolean;
  slowMs: number;
}

/** JSON view of the current faults. */
export interface FaultState {
  failNext: number;
  latency: Latency | null;
  errorRate: number;
  dieAfter: number | null;
  liveStallOutput: boolean;
  liveStopEvents: boolean;
  liveSlowMs: number;
  pricePerUnit: string;
  pixelsPerUnit: string;
}

/** Run-time control of the faults of one orchestrator. */
export interface FaultController {
  failNext(n: number): void;
  setLatency(latency: Latency | undefined): void;
  setErrorRate(rate: number): void;
  /** Die after n more answered segments (undefined cancels). */
  dieAfter(n: number | undefined): void;
  /** New base price for sessions that have not pinned one yet. */
  setPrice(pricePerUnit: bigint, pixelsPerUnit: bigint): void;
  /** Changes some live runner faults; running streams see them at their next segment or event. */
  setLive(patch: Partial<LiveFaults>): void;
  /** Clears failNext, latency, error rate, dieAfter and the live faults (not the price). */
  reset(): void;
  state(): FaultState;
}

/** TranscodeResult.error of go-livepeer's busy transcode loop. */
export const BUSY_ERROR = 'OrchestratorBusy';
/** TranscodeResult.error for errors drawn by errorRate (not in go-livepeer's retry lists, so retryable). */
export const INJECTED_ERROR = 'devnet injected transcode error';

/** What the server must do for one segment. */
export interface SegmentFault {
  latencyMs: number;
  error?: string;
}

function checkCount(what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
  return n;
}

function checkLatency(l: Latency): Latency {
  const ok = (v: number) => Number.isFinite(v) && v >= 0 && v <= 600_000;
  if (typeof l === 'number') {
    if (!ok(l)) throw new RangeError(`latency must be between 0 and 600000 ms, got ${l}`);
    return l;
  }
  const [a, b] = l;
  if (!ok(a) || !ok(b) || a > b) throw new RangeError(`latency range must be 0 ≤ min ≤ max ≤ 600000 ms, got ${a}-${b}`);
  return [a, b];
}

/** The controller plus the hooks the server calls per request. */
export class FaultInjector implements FaultController {
  private busy = 0;
  private latency: Latency | undefined;
  private rate = 0;
  private dieIn: number | undefined;
  private liveFaults: LiveFaults = { stallOutput: false, stopEvents: false, slowMs: 0 };

  constructor(
    config: FaultConfig,
    private readonly hooks: {
      setPrice(pricePerUnit: bigint, pixelsPerUnit: bigint): void;
      price(): { pricePerUnit: bigint; pixelsPerUnit: bigint };
      random?: () => number;
    },
  ) {
    if (config.failNext !== undefined) this.failNext(config.failNext);
    if (config.latency !== undefined) this.setLatency(config.latency);
    if (config.errorRate !== undefined) this.setErrorRate(config.errorRate);
    if (config.dieAfter !== undefined) this.dieAfter(config.dieAfter);
    this.setLive({
      ...(config.liveStallOutput !== undefined ? { stallOutput: config.liveStallOutput } : {}),
      ...(config.liveStopEvents !== undefined ? { stopEvents: config.liveStopEvents } : {}),
      ...(config.liveSlowMs !== undefined ? { slowMs: config.liveSlowMs } : {}),
    });
  }

  failNext(n: number): void {
    this.busy = checkCount('failNext', n);
  }

  setLatency(latency: Latency | undefined): void {
    this.latency = latency === undefined ? undefined : checkLatency(latency);
  }

  setErrorRate(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`errorRate must be between 0 and 1, got ${rate}`);
    this.rate = rate;
  }

  dieAfter(n: number | undefined): void {
    this.dieIn = n === undefined ? undefined : checkCount('dieAfter', n);
  }

  setPrice(pricePerUnit: bigint, pixelsPerUnit: bigint): void {
    if (pricePerUnit < 0n) throw new RangeError('pricePerUnit must not be negative');
    if (pixelsPerUnit <= 0n) throw new RangeError('pixelsPerUnit must be positive');
    this.hooks.setPrice(pricePerUnit, pixelsPerUnit);
  }

  setLive(patch: Partial<LiveFaults>): void {
    const slowMs = patch.slowMs ?? this.liveFaults.slowMs;
    if (!(Number.isFinite(slowMs) && slowMs >= 0 && slowMs <= 600_000)) throw new RangeError(`liveSlowMs must be between 0 and 600000 ms, got ${slowMs}`);
    this.liveFaults = { ...this.liveFaults, ...patch, slowMs };
  }

  /** The live runner faults now in force. */
  live(): LiveFaults {
    return this.liveFaults;
  }

  reset(): void {
    this.busy = 0;
    this.latency = undefined;
    this.rate = 0;
    this.dieIn = undefined;
    this.liveFaults = { stallOutput: false, stopEvents: false, slowMs: 0 };
  }

  state(): FaultState {
    const p = this.hooks.price();
    return {
      failNext: this.busy,
      latency: this.latency ?? null,
      errorRate: this.rate,
      dieAfter: this.dieIn ?? null,
      liveStallOutput: this.liveFaults.stallOutput,
      liveStopEvents: this.liveFaults.stopEvents,
      liveSlowMs: this.liveFaults.slowMs,
      pricePerUnit: p.pricePerUnit.toString(),
      pixelsPerUnit: p.pixelsPerUnit.toString(),
    };
  }

  /** Delay for one request (0 when no latency is configured). */
  latencyMs(): number {
    const l = this.latency;
    if (l === undefined) return 0;
    if (typeof l === 'number') return l;
    return l[0] + Math.round((this.hooks.random ?? Math.random)() * (l[1] - l[0]));
  }

  /** Consumes one segment's worth of faults. */
  nextSegment(): SegmentFault {
    const latencyMs = this.latencyMs();
    if (this.busy > 0) {
      this.busy--;
      return { latencyMs, error: BUSY_ERROR };
    }
    if (this.rate > 0 && (this.hooks.random ?? Math.random)() < this.rate) return { latencyMs, error: INJECTED_ERROR };
    return { latencyMs };
  }

  /** Counts one answered segment; true when the orchestrator must die now. */
  segmentAnswered(): boolean {
    if (this.dieIn === undefined) return false;
    this.dieIn = Math.max(0, this.dieIn - 1);
    return this.dieIn === 0;
  }
}

/** "100ms", "1.5s", "250" (ms), or a range "50-300ms" / "1-2s". */
export function parseLatency(text: string): Latency {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*(ms|s)?\s*$/.exec(text);
  if (!m) throw new Error(`invalid latency ${JSON.stringify(text)}: use e.g. 100ms, 1s or 50-300ms`);
  const scale = m[3] === 's' ? 1000 : 1;
  const a = Math.round(Number(m[1]) * scale);
  return checkLatency(m[2] === undefined ? a : [a, Math.round(Number(m[2]) * scale)]);
}

/** "1200/1" or "1200" (wei per pixel unit) → pricePerUnit and pixelsPerUnit. */
export function parsePrice(text: string): { pricePerUnit: bigint; pixelsPerUnit: bigint } {
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+))?\s*$/.exec(text);
  if (!m) throw new Error(`invalid price ${JSON.stringify(text)}: use <wei per unit>/<pixels per unit>, e.g. 1200/1`);
  const pricePerUnit = BigInt(m[1] as string);
  const pixelsPerUnit = BigInt(m[2] ?? '1');
  if (pixelsPerUnit <= 0n) throw new Error(`invalid price ${JSON.stringify(text)}: pixels per unit must be positive`);
  const INT64_MAX = (1n << 63n) - 1n;
  if (pricePerUnit > INT64_MAX || pixelsPerUnit > INT64_MAX) throw new Error(`invalid price ${JSON.stringify(text)}: exceeds int64`);
  return { pricePerUnit, pixelsPerUnit };
}

function field(body: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(body, key) ? body[key] : undefined;
}

/**
 * Applies a POST /devnet/faults body: {reset?, failNext?, latency? (ms | [min,max] | "50-300ms" | null),
 * errorRate?, dieAfter? (n | null), price? ("1200/1" | {pricePerUnit, pixelsPerUnit}), liveStallOutput? (bool),
 * liveStopEvents? (bool), liveSlowMs? (ms | null)}. Throws on invalid input.
 */
export function applyFaultPatch(faults: FaultController, body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('body must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = new Set(['reset', 'failNext', 'latency', 'latencyMs', 'errorRate', 'dieAfter', 'price', 'liveStallOutput', 'liveStopEvents', 'liveSlowMs']);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`unknown fault field(s): ${unknown.join(', ')}`);
  const num = (key: string): number => {
    const v = field(b, key);
    if (typeof v !== 'number') throw new Error(`${key} must be a number`);
    return v;
  };
  const bool = (key: string): boolean | undefined => {
    const v = field(b, key);
    if (v !== undefined && typeof v !== 'boolean') throw new Error(`${key} must be true or false`);
    return v;
  };
  const stallOutput = bool('liveStallOutput');
  const stopEvents = bool('liveStopEvents');
  const slow = field(b, 'liveSlowMs');
  if (slow !== undefined && slow !== null && typeof slow !== 'number') throw new Error('liveSlowMs must be a number of ms or null');
  if (field(b, 'reset') === true) faults.reset();
  if (field(b, 'failNext') !== undefined) faults.failNext(num('failNext'));
  for (const key of ['latency', 'latencyMs']) {
    const v = field(b, key);
    if (v === undefined) continue;
    if (v === null) faults.setLatency(undefined);
    else if (typeof v === 'number') faults.setLatency(v);
    else if (typeof v === 'string') faults.setLatency(parseLatency(v));
    else if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) faults.setLatency([v[0] as number, v[1] as number]);
    else throw new Error(`${key} must be ms, [min, max] or a string like "50-300ms"`);
  }
  if (field(b, 'errorRate') !== undefined) faults.setErrorRate(num('errorRate'));
  const die = field(b, 'dieAfter');
  if (die === null) faults.dieAfter(undefined);
  else if (die !== undefined) faults.dieAfter(num('dieAfter'));
  const price = field(b, 'price');
  if (typeof price === 'string') {
    const p = parsePrice(price);
    faults.setPrice(p.pricePerUnit, p.pixelsPerUnit);
  } else if (price !== undefined) {
    const p = price as { pricePerUnit?: unknown; pixelsPerUnit?: unknown } | null;
    const asBig = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v)) ? BigInt(v) : undefined;
    const ppu = asBig(p?.pricePerUnit);
    const px = asBig(p?.pixelsPerUnit ?? 1);
    if (ppu === undefined || px === undefined) throw new Error('price must be "num/den" or {pricePerUnit, pixelsPerUnit}');
    faults.setPrice(ppu, px);
  }
  faults.setLive({
    ...(stallOutput !== undefined ? { stallOutput } : {}),
    ...(stopEvents !== undefined ? { stopEvents } : {}),
    ...(slow !== undefined ? { slowMs: slow ?? 0 } : {}),
  });
}
