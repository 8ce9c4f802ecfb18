// The live streams of a devnet orchestrator: each one's four trickle channels, its accounting loop and its runner
// (go-livepeer StartLiveVideoToVideo after the payment checks), closed together whatever ends the stream — the
// gateway deleting its input, a short balance, a runner that fails to start, or shutdown. Ended streams stay listed
// (the last 50) so their totals can still be read.
import type { Address } from '../../../lib/protocol/address.js';
import { unitsFee } from '../../../lib/payments/liveBilling.js';
import { Rational } from '../../../lib/protocol/rational.js';
import type { TrickleServer } from '../../../lib/trickle/server.js';
import type { TrickleAgents } from '../../../lib/trickle/transport.js';
import type { Clock } from '../clock.js';
import type { LiveFaults } from '../faults.js';
import type { Balances } from '../sessions.js';
import { type LiveAccounting, startLiveAccounting } from './liveAccounting.js';
import { type LivePipeline, type LiveRunner, startLiveRunner } from './liveRunner.js';

/** Ended streams kept for stats. */
const ENDED_KEPT = 50;

/** go-livepeer's start reply (`request_id` is never set). */
export interface LiveStartReply {
  control_url: string;
  events_url: string;
  manifest_id: string;
  publish_url: string;
  subscribe_url: string;
}

/** One stream as /devnet/stats shows it; wei amounts are decimal strings with 3 decimals (ticket EVs are fractional). */
export interface LiveStreamStats {
  manifestId: string;
  pipeline: string;
  streamId: string;
  inputSegments: number;
  outputSegments: number;
  /** Balance of (sender, manifestId) now (at the close for an ended stream); "0" for a free stream. */
  balanceWei: string;
  /** Total debited by the accounting loop. */
  debitedWei: string;
  closedReason?: string;
}

/** What a new stream needs once its start request passed every check. */
export interface LiveStreamSpec {
  readonly mid: string;
  readonly pipeline: LivePipeline;
  readonly streamId: string;
  readonly requestId: string;
  readonly params: Record<string, unknown>;
  /** Set for a paid stream: debits (sender, mid) at this price (the start payment's expected price). */
  readonly payer?: { sender: Address; price: Rational };
}

export interface LiveStreamsDeps {
  readonly trickle: TrickleServer;
  readonly agents: TrickleAgents;
  readonly serviceUri: string;
  readonly ffmpeg: () => Promise<string>;
  readonly balances: Balances;
  readonly clock: Clock;
  readonly debitIntervalMs: number;
  readonly statusIntervalMs?: number;
  readonly faults: () => LiveFaults;
  /** Called after each output segment any runner published (dieAfter). */
  readonly onOutput: () => void;
  readonly log: (m: string) => void;
}

interface Stream {
  readonly spec: LiveStreamSpec;
  inputSegments: number;
  debited: Rational;
  runner?: LiveRunner;
  accounting?: LiveAccounting;
  closedReason?: string;
  finalBalance?: Rational;
}

const channelsOf = (mid: string) => [mid, `${mid}-out`, `${mid}-control`, `${mid}-events`];

/** The running and recently ended live streams. */
export class LiveStreams {
  private readonly running = new Map<string, Stream>();
  private readonly ended: Stream[] = [];
  /** Slots taken by starts still checking their payment. */
  private readonly pending = new Map<string, number>();
  /** Streams started (answered 200). */
  started = 0;

  constructor(private readonly deps: LiveStreamsDeps) {}

  /** Streams running or starting on a pipeline. */
  inUse(pipeline: string): number {
    let n = this.pending.get(pipeline) ?? 0;
    for (const s of this.running.values()) if (s.spec.pipeline === pipeline) n++;
    return n;
  }

  /** Holds a slot while a start is checked; call the result to give it back (open() takes its own). */
  reserve(pipeline: string): () => void {
    this.pending.set(pipeline, (this.pending.get(pipeline) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.pending.set(pipeline, (this.pending.get(pipeline) ?? 1) - 1);
    };
  }

  /** Creates the channels, starts the accounting loop and the runner; throws (channels closed) if the runner fails. */
  async open(spec: LiveStreamSpec): Promise<LiveStartReply> {
    const { trickle, serviceUri } = this.deps;
    const mid = spec.mid;
    const url = (ch: string) => `${serviceUri}/ai/trickle/${ch}`;
    trickle.createChannel(mid, 'video/MP2T');
    trickle.createChannel(`${mid}-out`, 'video/MP2T');
    trickle.createChannel(`${mid}-control`, 'application/json');
    trickle.createChannel(`${mid}-events`, 'application/json');
    const s: Stream = { spec, inputSegments: 0, debited: Rational.ZERO };
    this.running.set(mid, s);
    s.accounting = startLiveAccounting({
      input: trickle.channel(mid)!,
      clock: this.deps.clock,
      intervalMs: this.deps.debitIntervalMs,
      onSegment: () => s.inputSegments++,
      ...(spec.payer ? { debit: (units: bigint) => this.debit(s, units) } : {}),
      // The gateway deleted its input (or it went idle), or the balance ran out: everything closes.
      onEnd: (why) => this.close(mid, why),
    });
    try {
      s.runner = await startLiveRunner({
        pipeline: spec.pipeline,
        params: spec.params,
        subscribeUrl: url(mid),
        publishUrl: url(`${mid}-out`),
        controlUrl: url(`${mid}-control`),
        eventsUrl: url(`${mid}-events`),
        streamId: spec.streamId,
        requestId: spec.requestId,
        ffmpeg: await this.deps.ffmpeg(),
        agents: this.deps.agents,
        ...(this.deps.statusIntervalMs !== undefined ? { statusIntervalMs: this.deps.statusIntervalMs } : {}),
        faults: this.deps.faults,
        onOutput: this.deps.onOutput,
        onError: (m) => this.deps.log(`live ${mid}: ${m}`),
      });
    } catch (err) {
      this.close(mid, 'runner failed to start');
      throw err;
    }
    // Closed while the runner was starting (e.g. the gateway already went away): stop it too.
    if (s.closedReason !== undefined) void s.runner.stop().catch(() => undefined);
    else this.started++;
    return {
      control_url: url(`${mid}-control`),
      events_url: url(`${mid}-events`),
      manifest_id: mid,
      publish_url: url(mid),
      subscribe_url: url(`${mid}-out`),
    };
  }

  /** go-livepeer AccountPayment: debit the fee if the balance covers it, else nothing (and the stream ends). */
  private debit(s: Stream, units: bigint): boolean {
    const payer = s.spec.payer!;
    const fee = unitsFee(units, { pricePerUnit: payer.price.num, pixelsPerUnit: payer.price.den });
    const balance = this.deps.balances.balance(payer.sender, s.spec.mid);
    if (balance.lt(fee)) {
      this.deps.log(`live ${s.spec.mid}: insufficient balance, fee=${fee.toDecimalString(0)} balance=${balance.toDecimalString(0)}: closing the stream`);
      return false;
    }
    this.deps.balances.debit(payer.sender, s.spec.mid, fee);
    s.debited = s.debited.add(fee);
    return true;
  }

  /** Closes a stream's four channels (the gateway sees EOS), stops its runner and frees its slot; idempotent. */
  close(mid: string, reason: string): void {
    const s = this.running.get(mid);
    if (!s) return;
    this.running.delete(mid);
    s.closedReason = reason;
    s.finalBalance = this.balance(s);
    this.ended.push(s);
    if (this.ended.length > ENDED_KEPT) this.ended.shift();
    s.accounting?.stop();
    for (const ch of channelsOf(mid)) this.deps.trickle.closeChannel(ch);
    void s.runner?.stop().catch(() => undefined);
    this.deps.log(`live ${mid}: closed (${reason})`);
  }

  private balance(s: Stream): Rational {
    const p = s.spec.payer;
    return s.finalBalance ?? (p ? this.deps.balances.balance(p.sender, s.spec.mid) : Rational.ZERO);
  }

  /** Running streams first, then the ended ones, oldest first. */
  stats(): LiveStreamStats[] {
    return [...this.running.values(), ...this.ended].map((s) => ({
      manifestId: s.spec.mid,
      pipeline: s.spec.pipeline,
      streamId: s.spec.streamId,
      inputSegments: s.inputSegments,
      outputSegments: s.runner?.counts().output ?? 0,
      balanceWei: this.balance(s).toDecimalString(3),
      debitedWei: s.debited.toDecimalString(3),
      ...(s.closedReason !== undefined ? { closedReason: s.closedReason } : {}),
    }));
  }

  /** Closes every stream and waits for the runners to stop. */
  async closeAll(): Promise<void> {
    const runners = [...this.running.values()].map((s) => s.runner);
    for (const mid of [...this.running.keys()]) this.close(mid, 'orchestrator shut down');
    await Promise.all(runners.map((r) => r?.stop().catch(() => undefined)));
  }
}
