// The orchestrator side of paying for a live stream over time (live-ai.md §f "O side", §j.3; go-livepeer
// StartLiveVideoToVideo + LivePaymentProcessor): a local subscriber on the stream's input channel pokes a debit clock at
// each new input segment; every ≥ interval it debits units × price for the time since the last debit (the first one
// counts from the start) and advances only by the time it billed. A short balance or the end of the input ends it.
import { LV2V_PIXELS_PER_SECOND, liveUnits } from '../../../lib/payments/liveBilling.js';
import { sleep } from '../../../lib/sleep.js';
import { TRICKLE_SEQ_NEXT } from '../../../lib/trickle/headers.js';
import { resolveReadSeq, type TrickleChannel } from '../../../lib/trickle/channel.js';

/** Default time between debits (go-livepeer -livePaymentInterval: 5 s). */
export const DEFAULT_DEBIT_INTERVAL_MS = 5000;

/** go-livepeer's LivePaymentProcessor clock: when a debit is due, and for how many units. */
export class LiveDebitClock {
  constructor(
    private last: number,
    private readonly intervalMs: number,
  ) {}

  /**
   * Units due at `now` (27,648,000 per second of lv2v), or undefined while less than the interval has passed since
   * the last debit. Advances by the whole milliseconds billed, so fractions are carried into the next debit.
   */
  due(now: number): bigint | undefined {
    if (now - this.last < this.intervalMs) return undefined;
    const units = liveUnits('lv2v', this.last, now);
    // liveUnits bills whole milliseconds: advance by exactly the time those units pay for.
    this.last += Number((units * 1000n) / LV2V_PIXELS_PER_SECOND);
    return units;
  }
}

/** Why the accounting loop ended. */
export type AccountingEnd = 'input closed' | 'insufficient balance' | 'stopped';

export interface LiveAccountingOptions {
  /** The gateway's input channel (`<mid>`), read in-process. */
  readonly input: TrickleChannel;
  /** Called once per input segment, when its first byte arrives. */
  readonly onSegment: () => void;
  /**
   * Debits `units` at the stream's price if the balance covers the fee; false when it does not (nothing is debited).
   * Absent for a free stream (off-chain, or no price): segments are only counted.
   */
  readonly debit?: (units: bigint) => boolean;
  readonly clock: { now(): number };
  readonly intervalMs: number;
  /** Called once when the loop ends (not for stop()). */
  readonly onEnd: (why: Exclude<AccountingEnd, 'stopped'>) => void;
}

export interface LiveAccounting {
  /** Ends the loop without calling onEnd (the stream is being closed for another reason). */
  stop(): void;
  /** Resolves when the loop has ended. */
  readonly done: Promise<AccountingEnd>;
}

/** Starts the accounting loop on a stream's input channel; the debit clock starts now. */
export function startLiveAccounting(opts: LiveAccountingOptions): LiveAccounting {
  const clock = new LiveDebitClock(opts.clock.now(), opts.intervalMs);
  const stopping = new AbortController();
  const ch = opts.input;

  const loop = async (): Promise<AccountingEnd> => {
    for (;;) {
      if (stopping.signal.aborted) return 'stopped';
      // Always the next segment to be written (go-livepeer sets seq -1 before each read), so a reader that fell
      // behind the 5-segment ring never trips over a missing seq.
      const lookup = ch.lookupForRead(resolveReadSeq(TRICKLE_SEQ_NEXT, ch.nextWrite));
      if (lookup.kind === 'closed') return 'input closed';
      if (lookup.kind === 'missing') {
        await sleep(20, stopping.signal);
        continue;
      }
      const chunks = lookup.segment.chunks();
      const first = await chunks.next();
      if (first.done) {
        if (ch.closed) return 'input closed';
        if (stopping.signal.aborted) return 'stopped';
        // A segment closed before any byte (DELETE of one seq): wait for the publisher's next one.
        await sleep(20, stopping.signal);
        continue;
      }
      opts.onSegment();
      const units = opts.debit ? clock.due(opts.clock.now()) : undefined;
      if (units !== undefined && !opts.debit!(units)) {
        await chunks.return(undefined);
        return 'insufficient balance';
      }
      // Read the segment to its end, so the next lookup finds the following one rather than this one again.
      while (!(await chunks.next()).done);
    }
  };

  const done = loop().then((why) => {
    // A stop() wins over whatever the loop saw while the stream was being closed.
    if (why === 'stopped' || stopping.signal.aborted) return 'stopped';
    opts.onEnd(why);
    return why;
  });
  return {
    stop: () => stopping.abort(),
    done,
  };
}
