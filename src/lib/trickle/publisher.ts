// Trickle publisher: writes a stream of segments to one channel (`POST /{ch}/{seq}`), the way go-livepeer's gateway
// does, with the python SDK's recovery rules (live-ai.md §c.2, §c.3, §c.6):
//   PRECONNECTED(seq) ─publish()→ WRITING(seq) + PRECONNECTED(seq+1) ─200→ DONE(seq)
// A segment that failed before any byte left is retried once on the same seq; one that failed after bytes left is
// closed (`DELETE /{ch}/{seq}`) and skipped, because the server appends a second POST to the first one's bytes.
// 404 or `Lp-Trickle-Closed` end the channel; so do `maxConsecutiveFailures` failed segments in a row.
import { once } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { GwError } from '../errors.js';
import { TRICKLE_RESET_HEADER } from './headers.js';
import { defaultTrickleAgents, openRequest, parseTrickleReply, readBody, segmentUrl, sendDelete, type TrickleAgents } from './transport.js';
import { sleep } from '../sleep.js';

/** The channel is gone (404, `Lp-Trickle-Closed`) or kept failing: the stream on it is over. */
export class TrickleChannelError extends GwError {
  constructor(
    message: string,
    readonly reason: 'closed' | 'not_found' | 'failing',
  ) {
    super(reason === 'failing' ? 'trickle_failed' : 'trickle_closed', message);
    this.name = 'TrickleChannelError';
  }
}

export interface TricklePublisherOptions {
  /** The channel URL, e.g. `https://o:8935/ai/trickle/2153e39d`. */
  readonly url: string;
  /** Content type of every segment (go-livepeer uses `video/MP2T` on every channel, control included). */
  readonly mime?: string;
  /**
   * `zero`: start at seq 0, as go-livepeer's gateway does on a fresh channel. `join`: ask the server for its next seq
   * (`GET /{ch}/next`) and send `Lp-Trickle-Reset` on the first POST, so readers stuck on a dead publisher's segment
   * are released (a restarted publisher on an existing channel must do this).
   */
  readonly start?: 'zero' | 'join';
  readonly agents?: TrickleAgents;
  /** Failed segments in a row that end the channel (python SDK: 3). */
  readonly maxConsecutiveFailures?: number;
  /** Pause before re-sending a segment that failed with nothing sent. */
  readonly retryDelayMs?: number;
}

/** What a segment's bytes can be: all at once, or chunks as a segmenter produces them. */
export type SegmentData = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** The outcome of one published segment; `ok: false` is a skipped segment on a channel that goes on. */
export interface PublishResult {
  readonly seq: number;
  readonly ok: boolean;
  readonly bytes: number;
  readonly error?: string;
}

interface Connection {
  readonly seq: number;
  /** Sent with `Lp-Trickle-Reset` (a joining publisher's first segment, and its retry). */
  readonly reset: boolean;
  readonly req: ClientRequest;
  /** Settles with the final response, or `{ error }` when the request failed. */
  readonly outcome: Promise<{ res: IncomingMessage } | { error: Error }>;
}

/** Publishes segments to one trickle channel; one publish at a time, one preconnected POST ahead. */
export class TricklePublisher {
  private nextSeq: number;
  private pending: Connection | undefined;
  private failures = 0;
  private ended: TrickleChannelError | undefined;
  private busy = false;
  private readonly agents: TrickleAgents;
  private readonly mime: string;

  private constructor(
    private readonly opts: TricklePublisherOptions,
    startSeq: number,
  ) {
    this.agents = opts.agents ?? defaultTrickleAgents();
    this.mime = opts.mime ?? 'video/MP2T';
    this.nextSeq = startSeq;
  }

  /** Opens a publisher and preconnects its first segment. */
  static async open(opts: TricklePublisherOptions): Promise<TricklePublisher> {
    let start = 0;
    if (opts.start === 'join') start = await fetchNextSeq(opts.url, opts.agents ?? defaultTrickleAgents());
    const p = new TricklePublisher(opts, start);
    p.pending = p.connect(start, opts.start === 'join');
    return p;
  }

  /** The seq the next publish() writes. */
  get seq(): number {
    return this.pending?.seq ?? this.nextSeq;
  }

  /** Set once the channel has ended; publish() then throws it. */
  get closedReason(): TrickleChannelError | undefined {
    return this.ended;
  }

  /**
   * Publishes one segment on the preconnected POST (and preconnects the next seq at once). Resolves once the
   * orchestrator has all of it, or with `ok: false` when the segment was lost but the channel goes on; throws a
   * TrickleChannelError when the channel has ended.
   */
  async publish(data: SegmentData): Promise<PublishResult> {
    if (this.ended) throw this.ended;
    if (this.busy) throw new GwError('internal', 'TricklePublisher.publish called while a segment is still being written');
    this.busy = true;
    try {
      return await this.publishOne(data);
    } finally {
      this.busy = false;
    }
  }

  /** Ends the channel on the server (`DELETE /{ch}`) and drops the preconnected POST. */
  async close(): Promise<void> {
    this.ended ??= new TrickleChannelError('the publisher closed the channel', 'closed');
    this.pending?.req.destroy();
    this.pending = undefined;
    await sendDelete(new URL(this.opts.url), this.agents);
  }

  private async publishOne(data: SegmentData): Promise<PublishResult> {
    let conn = this.take();
    const chunks = chunksOf(data);
    // A chunk taken from the source but not yet on the wire, kept for a retry on a fresh connection.
    let held: Uint8Array | undefined;
    let sent = 0;
    for (let attempt = 0; ; attempt++) {
      let error: Error;
      try {
        const early = conn.outcome;
        const settled = await (async () => {
          for (;;) {
            if (held === undefined) {
              const r = await chunks.next();
              if (r.done) break;
              held = r.value;
              if (held.length === 0) {
                held = undefined;
                continue;
              }
            }
            // The POST may have died while it idled as a preconnect: nothing of this segment is lost then.
            const gone = await Promise.race([early, Promise.resolve(undefined)]);
            if (gone) return gone;
            const chunk = held;
            held = undefined;
            sent += chunk.length;
            if (!conn.req.write(chunk)) {
              const out = await Promise.race([once(conn.req, 'drain').then(() => undefined, () => undefined), early]);
              if (out) return out;
            }
          }
          conn.req.end();
          return early;
        })();
        if ('res' in settled) return await this.finish(conn, settled.res, sent);
        error = settled.error;
      } catch (err) {
        if (err instanceof TrickleChannelError) throw err;
        error = err as Error;
      }
      if (sent === 0 && attempt === 0) {
        await sleep(this.opts.retryDelayMs ?? 250);
        conn = this.connect(conn.seq, conn.reset);
        continue;
      }
      return this.failed(conn, sent, error.message);
    }
  }

  private async finish(conn: Connection, res: IncomingMessage, sent: number): Promise<PublishResult> {
    const reply = parseTrickleReply(res);
    const body = (await readBody(res).catch(() => Buffer.alloc(0))).toString('utf8').trim();
    if (reply.status === 404) return this.end(new TrickleChannelError(`trickle channel ${this.opts.url} not found`, 'not_found'));
    if (reply.closed) return this.end(new TrickleChannelError(`trickle channel ${this.opts.url} was closed`, 'closed'));
    if (reply.status >= 400) return this.failed(conn, sent, `HTTP ${reply.status}${body ? `: ${body}` : ''}`);
    this.failures = 0;
    if (conn.seq < 0 && reply.seq !== undefined && !this.pending) {
      this.nextSeq = reply.seq + 1;
      this.pending = this.connect(this.nextSeq);
    }
    return { seq: reply.seq ?? conn.seq, ok: true, bytes: sent };
  }

  private async failed(conn: Connection, sent: number, error: string): Promise<PublishResult> {
    conn.req.destroy();
    // Bytes may have reached the server: close that seq rather than ever writing it again.
    if (sent > 0) void sendDelete(segmentUrl(this.opts.url, conn.seq), this.agents);
    this.failures++;
    if (this.failures >= (this.opts.maxConsecutiveFailures ?? 3)) {
      return this.end(new TrickleChannelError(`trickle channel ${this.opts.url}: ${this.failures} segments failed in a row (last: ${error})`, 'failing'));
    }
    return { seq: conn.seq, ok: false, bytes: sent, error };
  }

  private end(err: TrickleChannelError): never {
    this.ended = err;
    this.pending?.req.destroy();
    this.pending = undefined;
    throw err;
  }

  /** Hands out the preconnected POST and preconnects the one after it. */
  private take(): Connection {
    const conn = this.pending ?? this.connect(this.nextSeq);
    this.pending = undefined;
    // Posting to -1 (the server's next) leaves the seq after it unknown until the server says which it was.
    if (conn.seq >= 0) {
      this.nextSeq = conn.seq + 1;
      this.pending = this.connect(this.nextSeq);
    }
    return conn;
  }

  private connect(seq: number, reset = false): Connection {
    const headers: Record<string, string> = { 'content-type': this.mime };
    if (reset) headers[TRICKLE_RESET_HEADER] = '1';
    const { req, response } = openRequest(segmentUrl(this.opts.url, seq), { method: 'POST', headers, agents: this.agents });
    // Headers go out now; the body follows when the segment does (the server answers 100 Continue meanwhile).
    req.flushHeaders();
    return { seq, reset, req, outcome: response.then((res) => ({ res }), (error: Error) => ({ error })) };
  }
}

/** Asks the server which seq it writes next (`GET /{ch}/next`); -1 (the server's next) when it cannot say. */
async function fetchNextSeq(url: string, agents: TrickleAgents): Promise<number> {
  try {
    const { req, response } = openRequest(segmentUrl(url, 'next'), { method: 'GET', agents });
    req.end();
    const res = await response;
    const text = (await readBody(res)).toString('utf8').trim();
    if (res.statusCode === 404) throw new TrickleChannelError(`trickle channel ${url} not found`, 'not_found');
    return res.statusCode === 200 && /^\d+$/.test(text) ? Number(text) : -1;
  } catch (err) {
    if (err instanceof TrickleChannelError) throw err;
    return -1;
  }
}

function chunksOf(data: SegmentData): AsyncIterator<Uint8Array> {
  if (data instanceof Uint8Array) return (async function* () {
    yield data;
  })();
  if (Symbol.asyncIterator in data) return data[Symbol.asyncIterator]();
  const it = data[Symbol.iterator]();
  return { next: async () => it.next() };
}
