// Trickle subscriber: reads a channel segment by segment (`GET /{ch}/{seq}`), the way go-livepeer's gateway does,
// with the python SDK's recovery rules (live-ai.md §c.2, §c.3, §c.6):
//   CONNECTING(seq) ─headers→ READING(seq) + CONNECTING(seq+1) in the background
// 470 jumps to `Lp-Trickle-Latest` (or, when we are ahead of the writer, waits a moment and asks again); 404 and
// `Lp-Trickle-Closed` end the stream; a GET with no headers after 20 s is re-issued (segments may be long in coming);
// other failures are retried a few times before the stream is given up.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { TRICKLE_SEQ_NEXT, TRICKLE_STATUS_SEQ_NONEXISTENT } from './headers.js';
import { TrickleChannelError } from './publisher.js';
import { defaultTrickleAgents, openRequest, parseTrickleReply, readBody, segmentUrl, type TrickleAgents } from './transport.js';
import { sleep } from '../sleep.js';

export interface TrickleSubscriberOptions {
  /** The channel URL, e.g. `https://o:8935/ai/trickle/2153e39d-out`. */
  readonly url: string;
  /** Where to start: a seq, -1 (the next segment to be written) or -2 (the one being written: faster first frame). */
  readonly start?: number;
  readonly agents?: TrickleAgents;
  /** A GET that has no response headers after this long is re-issued (go-livepeer: 20 s). */
  readonly preconnectTimeoutMs?: number;
  /** Failed reads in a row before the stream is given up. */
  readonly maxErrors?: number;
  /** Pause between retries of a failed read. */
  readonly retryDelayMs?: number;
  /** Pause before asking again when the reader is ahead of the writer. */
  readonly aheadDelayMs?: number;
}

/** One segment: its seq and its body, streamed as the publisher writes it. */
export interface TrickleSegment {
  readonly seq: number;
  readonly body: IncomingMessage;
}

interface Pending {
  readonly seq: number;
  readonly req: ClientRequest;
  readonly outcome: Promise<{ res: IncomingMessage } | { error: Error }>;
}

/** Reads one trickle channel in order, one GET ahead. */
export class TrickleSubscriber {
  private seq: number;
  private pending: Pending | undefined;
  private done = false;
  private readonly agents: TrickleAgents;
  private readonly abort = new AbortController();

  constructor(private readonly opts: TrickleSubscriberOptions) {
    this.seq = opts.start ?? TRICKLE_SEQ_NEXT;
    this.agents = opts.agents ?? defaultTrickleAgents();
  }

  /** The seq the next read asks for (negative until the server has named one). */
  get nextSeq(): number {
    return this.seq;
  }

  /**
   * The next segment, as soon as its headers arrive (read its body to get the bytes as they are written); null once
   * the channel has ended (404, `Lp-Trickle-Closed`, or close()). Throws TrickleChannelError after repeated failures.
   */
  async read(): Promise<TrickleSegment | null> {
    let errors = 0;
    let lastError = '';
    while (!this.done) {
      const p = this.pending ?? this.connect(this.seq);
      this.pending = undefined;
      const settled = await this.headersOf(p);
      if (settled === 'timeout') {
        // No headers yet: the segment is slow in coming. Ask again on a fresh request, without counting an error.
        p.req.destroy();
        continue;
      }
      if (this.done) break;
      if ('error' in settled) {
        lastError = settled.error.message;
      } else {
        const res = settled.res;
        const reply = parseTrickleReply(res);
        if (reply.status === 404 || reply.closed) {
          res.resume();
          this.done = true;
          break;
        }
        if (reply.status === TRICKLE_STATUS_SEQ_NONEXISTENT) {
          res.resume();
          if (reply.latest !== undefined && p.seq >= 0 && reply.latest < p.seq) {
            // We are ahead of the writer (e.g. it restarted): ask for the same seq again shortly.
            await sleep(this.opts.aheadDelayMs ?? 250, this.abort.signal);
          } else {
            this.seq = reply.latest ?? TRICKLE_SEQ_NEXT;
          }
          continue;
        }
        if (reply.status === 200) {
          const seq = reply.seq ?? p.seq;
          this.seq = seq + 1;
          this.pending = this.connect(this.seq);
          return { seq, body: res };
        }
        lastError = `HTTP ${reply.status}: ${(await readBody(res).catch(() => Buffer.alloc(0))).toString('utf8').trim().slice(0, 200)}`;
      }
      errors++;
      if (errors >= (this.opts.maxErrors ?? 5)) {
        this.done = true;
        throw new TrickleChannelError(`trickle channel ${this.opts.url}: ${errors} reads failed in a row (last: ${lastError})`, 'failing');
      }
      await sleep(this.opts.retryDelayMs ?? 300, this.abort.signal);
    }
    return null;
  }

  /** Stops reading: a pending read resolves null. The channel itself is the publisher's to close. */
  close(): void {
    this.done = true;
    this.abort.abort();
    this.pending?.req.destroy();
    this.pending = undefined;
  }

  private headersOf(p: Pending): Promise<{ res: IncomingMessage } | { error: Error } | 'timeout'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish('timeout'), this.opts.preconnectTimeoutMs ?? 20_000);
      const onAbort = () => finish({ error: new Error('closed') });
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      function finish(v: { res: IncomingMessage } | { error: Error } | 'timeout') {
        clearTimeout(timer);
        resolve(v);
      }
      void p.outcome.then((v) => {
        this.abort.signal.removeEventListener('abort', onAbort);
        finish(v);
      });
    });
  }

  private connect(seq: number): Pending {
    const { req, response } = openRequest(segmentUrl(this.opts.url, seq), { method: 'GET', agents: this.agents });
    req.end();
    return { seq, req, outcome: response.then((res) => ({ res }), (error: Error) => ({ error })) };
  }
}
