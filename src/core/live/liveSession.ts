// One orchestrator serving one live stream (live-ai.md §b.6, §c, §d, §e, §f): the input publisher, the output and
// events subscribers, the control publisher with its keepalive, payments over time, and the watchdogs that end the
// session (the stream then swaps). The session ends once, with a reason and whether the orchestrator is to blame.
import { fromBinary } from '@bufbuild/protobuf';
import type { PaymentSession } from '../payments/paymentSource.js';
import { PaymentResultSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../lib/protocol/rational.js';
import type { TicketBatchSummary } from '../../lib/payments/ticketSender.js';
import { TrickleChannelError, TricklePublisher } from '../../lib/trickle/publisher.js';
import { TrickleSubscriber } from '../../lib/trickle/subscriber.js';
import type { TrickleAgents } from '../../lib/trickle/transport.js';
import { postForStream, readAll } from '../ai/orchestratorHttp.js';
import type { LiveChannels } from './liveStart.js';
import { parseRunnerEvent, type RunnerEvent } from './liveStatus.js';

/** go-livepeer's `maxInflightSegments`: a new input segment while this many are unfinished means a slow orchestrator. */
export const MAX_INFLIGHT_SEGMENTS = 3;
/** Control keepalive period. */
export const CONTROL_KEEPALIVE_MS = 10_000;
/** Payment POST timeout (go-livepeer: 1 min). */
const PAYMENT_TIMEOUT_MS = 60_000;

/** Why a session ended; `suspend` blames the orchestrator (it is not picked again for a while). */
export interface SessionEnd {
  readonly reason: string;
  readonly suspend: boolean;
}

export interface LiveSessionTimers {
  /** Pay at most this often, on input segments (go-livepeer `-livePaymentInterval`, 5 s). */
  readonly paymentIntervalMs: number;
  /** No output segment for this long while input flows → stop (go-livepeer 30 s). */
  readonly outputTimeoutMs: number;
  /** No event for this long → stop (go-livepeer 30 s). */
  readonly eventsTimeoutMs: number;
  /** How often the watchdogs look (go-livepeer: 10 s; finer here so a stall is seen sooner). */
  readonly watchdogTickMs?: number;
}

export interface LiveSessionOptions {
  readonly channels: LiveChannels;
  readonly orchestrator: { readonly url: string; readonly address: string };
  /** Pays the orchestrator; undefined off-chain. */
  readonly payment: PaymentSession | undefined;
  readonly timers: LiveSessionTimers;
  readonly agents?: TrickleAgents;
  /** Params updated since the stream started: sent first on the control channel (go-livepeer's cached params). */
  readonly cachedParams?: string;
  onOutput(segment: { seq: number; data: Buffer; receivedAt: number }): void;
  onEvent(event: RunnerEvent): void;
  /** A segment's first byte left for the orchestrator / it was taken whole. */
  onInputSent?(info: { seq: number; bytes: number; ms: number }): void;
  onPayment?(info: { batch: TicketBatchSummary | undefined; error?: string }): void;
  onEnd(end: SessionEnd): void;
  now?(): number;
}

/** The four channels and the loops over them, for one orchestrator. */
export class LiveSession {
  private input: TricklePublisher | undefined;
  private control: TricklePublisher | undefined;
  private readonly output: TrickleSubscriber;
  private readonly events: TrickleSubscriber;
  private inputChain: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private controlChain: Promise<unknown> = Promise.resolve();
  private ended: SessionEnd | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private readonly startedAt: number;
  private lastInputAt = 0;
  private lastOutputAt: number;
  private lastEventAt: number;
  private lastPaidAt: number;
  private paying = false;
  /** Segments sent and received, for the stream's stats. */
  inputSegments = 0;
  outputSegments = 0;

  constructor(private readonly opts: LiveSessionOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.lastOutputAt = this.startedAt;
    this.lastEventAt = this.startedAt;
    // The start request carried the first 60 s.
    this.lastPaidAt = this.startedAt;
    const common = opts.agents ? { agents: opts.agents } : {};
    // A dead orchestrator is noticed by the reads failing in a row: keep that short (a second and a half).
    this.output = new TrickleSubscriber({ url: opts.channels.subscribeUrl, start: -1, maxErrors: 5, retryDelayMs: 300, ...common });
    // From the channel's start: the runner's first events (runner_receive_stream_request) precede our subscription.
    this.events = new TrickleSubscriber({ url: opts.channels.eventsUrl, start: 0, maxErrors: 7, retryDelayMs: 300, ...common });
  }

  /** True once the session has ended. */
  get done(): boolean {
    return this.ended !== undefined;
  }

  /** Opens the publishers and starts the loops (control, input, output, events: go-livepeer's order). */
  async start(): Promise<void> {
    const common = this.opts.agents ? { agents: this.opts.agents } : {};
    try {
      this.control = await TricklePublisher.open({ url: this.opts.channels.controlUrl, mime: 'application/json', ...common });
      this.input = await TricklePublisher.open({ url: this.opts.channels.publishUrl, ...common });
    } catch (err) {
      this.end(`cannot open the orchestrator's channels: ${(err as Error).message}`, true);
      return;
    }
    if (this.opts.cachedParams !== undefined) this.sendControl(this.opts.cachedParams);
    void this.readOutput();
    if (this.opts.channels.eventsUrl) void this.readEvents();
    const keepalive = setInterval(() => this.sendControl('{"keep":"alive"}'), CONTROL_KEEPALIVE_MS);
    const watchdog = setInterval(() => this.watch(), this.opts.timers.watchdogTickMs ?? 500);
    keepalive.unref();
    watchdog.unref();
    this.timers.push(keepalive, watchdog);
  }

  /**
   * Queues one input segment. A new segment while MAX_INFLIGHT_SEGMENTS are unfinished ends the session as slow
   * (go-livepeer); the caller re-sends the segment to the next orchestrator.
   */
  sendSegment(data: Uint8Array): void {
    if (this.ended) return;
    if (this.inFlight >= MAX_INFLIGHT_SEGMENTS) {
      this.end('orchestrator is slow', true);
      return;
    }
    this.inFlight++;
    this.lastInputAt = this.now();
    this.maybePay();
    const t0 = this.now();
    this.inputChain = this.inputChain.then(async () => {
      if (this.ended || !this.input) return;
      try {
        const r = await this.input.publish(data);
        if (r.ok) {
          this.inputSegments++;
          this.opts.onInputSent?.({ seq: r.seq, bytes: r.bytes, ms: this.now() - t0 });
        }
      } catch (err) {
        const e = err as Error;
        if (e instanceof TrickleChannelError && e.reason === 'not_found') this.end('stream no longer exists on orchestrator', true);
        else if (e instanceof TrickleChannelError && e.reason === 'closed') this.end('orchestrator closed the input channel', false);
        else this.end(`input: ${e.message}`, true);
      } finally {
        this.inFlight--;
      }
    });
  }

  /** Publishes one control message (a params update); false once the session has ended. */
  sendControl(message: string): boolean {
    if (this.ended || !this.control) return false;
    const control = this.control;
    this.controlChain = this.controlChain.then(async () => {
      for (let attempt = 0; attempt < 3 && !this.ended; attempt++) {
        try {
          const r = await control.publish(Buffer.from(message));
          if (r.ok) return;
        } catch (err) {
          if (err instanceof TrickleChannelError && err.reason !== 'failing') {
            this.end('control channel does not exist', err.reason === 'not_found');
            return;
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    return true;
  }

  /** Ends the session from outside (stream stopped, swap chosen elsewhere). */
  stop(reason: string): Promise<void> {
    this.end(reason, false);
    return this.closed;
  }

  private closed: Promise<void> = Promise.resolve();

  private end(reason: string, suspend: boolean): void {
    if (this.ended) return;
    this.ended = { reason, suspend };
    for (const t of this.timers) clearInterval(t);
    this.output.close();
    this.events.close();
    // Tell the orchestrator (DELETE of the channels we publish): its runner stops and its slot frees.
    this.closed = Promise.all([this.input?.close(), this.control?.close()].map((p) => p?.catch(() => undefined))).then(() => undefined);
    this.opts.onEnd(this.ended);
  }

  private watch(): void {
    if (this.ended) return;
    const now = this.now();
    const out = this.opts.timers.outputTimeoutMs;
    // Input stopped too: the stall is the broadcaster's, not the orchestrator's.
    if (now - this.lastOutputAt > out && this.lastInputAt > 0 && now - this.lastInputAt < out / 2) {
      this.end('timeout waiting for segments', true);
      return;
    }
    if (this.opts.channels.eventsUrl && now - this.lastEventAt > this.opts.timers.eventsTimeoutMs) this.end('timeout waiting for events', false);
  }

  private async readOutput(): Promise<void> {
    for (;;) {
      let seg;
      try {
        seg = await this.output.read();
      } catch (err) {
        this.end(`output: ${(err as Error).message}`, true);
        return;
      }
      if (!seg) {
        this.end('orchestrator ended the output', false);
        return;
      }
      let data: Buffer;
      try {
        data = await readAll(seg.body, 64 * 1024 * 1024);
      } catch {
        // The segment broke off: the next read tells whether the orchestrator is still there.
        continue;
      }
      if (this.ended) return;
      if (data.length === 0) continue;
      this.lastOutputAt = this.now();
      this.outputSegments++;
      this.opts.onOutput({ seq: seg.seq, data, receivedAt: this.lastOutputAt });
    }
  }

  private async readEvents(): Promise<void> {
    for (;;) {
      let seg;
      try {
        seg = await this.events.read();
      } catch {
        // go-livepeer stops the orchestrator after repeated event read errors.
        this.end('events: read failed repeatedly', true);
        return;
      }
      // EOS ends only the subscription: the output subscriber sees the end too and stops the session.
      if (!seg) return;
      const text = (await readAll(seg.body, 1024 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
      if (this.ended) return;
      if (text.trim() === '') continue;
      this.lastEventAt = this.now();
      const ev = parseRunnerEvent(text);
      if (ev) this.opts.onEvent(ev);
    }
  }

  /** Pays the time since the last payment once the interval has passed, one payment at a time (§f). */
  private maybePay(): void {
    const pm = this.opts.payment;
    if (!pm || this.paying || this.now() - this.lastPaidAt < this.opts.timers.paymentIntervalMs) return;
    this.paying = true;
    void this.pay(pm).finally(() => (this.paying = false));
  }

  private async pay(pm: PaymentSession): Promise<void> {
    const at = this.now();
    try {
      const p = await pm.pay({ kind: 'live', type: 'lv2v' });
      this.lastPaidAt = at;
      if (p.skipped) return;
      const url = new URL('payment', this.opts.orchestrator.url.endsWith('/') ? this.opts.orchestrator.url : `${this.opts.orchestrator.url}/`).toString();
      const res = await postForStream(url, { headers: { 'Livepeer-Payment': p.paymentHeader, 'Livepeer-Segment': p.segCredsHeader }, body: Buffer.alloc(0), headersTimeoutMs: PAYMENT_TIMEOUT_MS });
      const body = await readAll(res, 1024 * 1024, PAYMENT_TIMEOUT_MS);
      if (res.statusCode !== 200) {
        p.settle({ status: 'noReply' });
        // go-livepeer logs and goes on: the orchestrator cuts the stream when the credit is gone, and we swap then.
        this.opts.onPayment?.({ batch: p.batch, error: `payment refused: HTTP ${res.statusCode} ${body.toString('utf8').trim().slice(0, 200)}` });
        return;
      }
      // The orchestrator debits the time this payment covered as the stream runs.
      p.settle({ status: 'reply', debit: p.fee ?? Rational.ZERO });
      try {
        const result = fromBinary(PaymentResultSchema, body);
        if (result.info) pm.update(result.info);
      } catch {
        // An unreadable PaymentResult costs only fresh ticket params: the next payment still goes out.
      }
      this.opts.onPayment?.({ batch: p.batch });
    } catch (err) {
      this.opts.onPayment?.({ batch: undefined, error: `payment failed: ${(err as Error).message}` });
    }
  }
}
