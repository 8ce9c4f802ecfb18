// One request/response exchange with an orchestrator (or an object store): HTTP/2 through the session pool,
// or HTTP/1.1 for `http://` work URLs and servers that only speak HTTP/1.1. Bodies are read whole (gRPC unary
// replies, TranscodeResult, rendition files), with separate deadlines for the response headers and the whole exchange.
import http from 'node:http';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import https from 'node:https';
import { TransportError, type TransportPhase } from './errors.js';
import { type H2Pool, H2_IDLE_MS, defaultH2Pool, socketErrorReason } from './h2Pool.js';

/** Options of one exchange. */
export interface WireRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** For `http://` URLs: HTTP/2 with prior knowledge (gRPC) instead of HTTP/1.1. */
  h2c?: boolean;
  /** Connection set-up limit (also bounded by headersTimeoutMs). */
  dialTimeoutMs: number;
  /** From the start until the response headers (bounds the upload too). */
  headersTimeoutMs: number;
  /** From the start until the body is read completely. */
  totalTimeoutMs: number;
  /** Largest body accepted. */
  maxBytes?: number;
  signal?: AbortSignal;
  pool?: H2Pool;
  /** HTTP/2 only: check the peer with PINGs while the exchange is pending (see Liveness). */
  liveness?: Liveness;
}

/**
 * While an exchange is pending, PING its HTTP/2 session every `checkEveryMs`; a PING unanswered after
 * `answerWithinMs` fails the exchange as 'unresponsive' and retires the session. A peer that is slow at its work
 * still answers PINGs (its HTTP/2 layer does, Go's in its own goroutine), so this tells a hung peer (process
 * stopped, host frozen) from a slow one long before the exchange's total deadline.
 */
export interface Liveness {
  readonly checkEveryMs: number;
  readonly answerWithinMs: number;
}

/** A complete response. */
export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** HTTP/2 trailers (empty for HTTP/1.1). */
  trailers: IncomingHttpHeaders;
  body: Buffer;
  /** Milliseconds from the start until the response headers. */
  headersMs: number;
}

const H1_AGENT_OPTS = { keepAlive: true, timeout: H2_IDLE_MS, scheduling: 'lifo' as const };
const httpAgent = new http.Agent(H1_AGENT_OPTS);
// Orchestrators and their stores use self-signed certificates: no verification, like go-livepeer.
const httpsAgent = new https.Agent({ ...H1_AGENT_OPTS, rejectUnauthorized: false });

const DEFAULT_MAX_BYTES = 300_000_000;

/** Sends one request and reads the whole response; failures are TransportErrors tagged with their phase. */
export function wireRequest(target: string | URL, opts: WireRequestOptions): Promise<WireResponse> {
  const url = typeof target === 'string' ? new URL(target) : target;
  const pool = opts.pool ?? defaultH2Pool;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const start = performance.now();
  const isH1 = url.protocol === 'http:' && !opts.h2c;

  return new Promise<WireResponse>((resolve, reject) => {
    let phase: TransportPhase = 'dial';
    let settled = false;
    let cancel: (() => void) | undefined;
    let stopWatch: (() => void) | undefined;

    const finish = (err: TransportError | undefined, res?: WireResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(headersTimer);
      clearTimeout(totalTimer);
      stopWatch?.();
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        cancel?.();
        reject(err);
      } else {
        resolve(res!);
      }
    };
    const onAbort = (): void => finish(new TransportError('request aborted', phase, 'aborted', { cause: opts.signal?.reason }));
    const headersTimer = setTimeout(() => {
      finish(new TransportError(`${url.host}: no response headers within ${opts.headersTimeoutMs} ms`, phase === 'dial' ? 'dial' : 'headers', 'timeout'));
      if (!isH1) pool.probe(url.origin);
    }, opts.headersTimeoutMs);
    const totalTimer = setTimeout(() => finish(new TransportError(`${url.host}: no complete response within ${opts.totalTimeoutMs} ms`, phase, 'timeout')), opts.totalTimeoutMs);

    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const sink = {
      start,
      maxBytes,
      onHeaders: (): void => {
        phase = 'body';
        clearTimeout(headersTimer);
      },
      phase: (): TransportPhase => phase,
      finish,
      setCancel: (c: () => void): void => {
        cancel = c;
      },
    };

    if (isH1) {
      phase = 'headers';
      h1Exchange(url, opts, sink);
      return;
    }
    const dialTimeoutMs = Math.min(opts.dialTimeoutMs, opts.headersTimeoutMs);
    const headers: OutgoingHttpHeaders = {
      ':method': opts.method,
      ':path': `${url.pathname}${url.search}`,
      ':scheme': url.protocol.slice(0, -1),
      ':authority': url.host,
      ...opts.headers,
    };
    pool
      .request(url, headers, { dialTimeoutMs, signal: opts.signal, endStream: !opts.body, allowHttp1: !opts.h2c })
      .then((stream) => {
        if (stream === 'h1') {
          if (settled) return;
          phase = 'headers';
          h1Exchange(url, opts, sink);
          return;
        }
        if (settled) {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          return;
        }
        phase = 'headers';
        const liveness = opts.liveness;
        if (liveness) {
          const session = stream.session as ClientHttp2Session;
          stopWatch = watchLiveness(pool, session, liveness, () => {
            pool.retire(url.origin, session);
            finish(new TransportError(`${url.host}: no answer to an HTTP/2 PING within ${liveness.answerWithinMs} ms (peer not responding)`, phase, 'unresponsive'));
          });
        }
        h2Exchange(stream, opts.body, sink);
      })
      .catch((err: unknown) => finish(err instanceof TransportError ? err : new TransportError(`${url.host}: ${(err as Error).message}`, 'dial', socketErrorReason(err), { cause: err })));
  });
}

interface Sink {
  start: number;
  maxBytes: number;
  onHeaders(): void;
  phase(): TransportPhase;
  finish(err: TransportError | undefined, res?: WireResponse): void;
  setCancel(c: () => void): void;
}

function h2Exchange(stream: ClientHttp2Stream, body: Uint8Array | undefined, sink: Sink): void {
  let status = 0;
  let headers: IncomingHttpHeaders = {};
  let trailers: IncomingHttpHeaders = {};
  let headersMs = 0;
  const chunks: Buffer[] = [];
  let size = 0;
  sink.setCancel(() => {
    if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
  });
  stream.once('response', (h) => {
    headersMs = performance.now() - sink.start;
    status = Number(h[':status']);
    headers = h;
    sink.onHeaders();
  });
  stream.on('trailers', (t) => {
    trailers = t;
  });
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > sink.maxBytes) {
      sink.finish(new TransportError(`response larger than ${sink.maxBytes} bytes`, 'body', 'too-large'));
      return;
    }
    chunks.push(chunk);
  });
  // Success is decided at 'close', not 'end': Node emits 'end' also for a stream the peer reset or whose session
  // died mid-body, and only 'close' tells (rstCode) — a short body must never pass as a rendition.
  let ended = false;
  stream.once('end', () => {
    ended = true;
  });
  stream.once('error', (err: Error) => sink.finish(new TransportError(err.message, sink.phase(), socketErrorReason(err), { cause: err })));
  stream.once('close', () => {
    const reset = stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR;
    if (reset) {
      sink.finish(new TransportError(`stream reset by peer (code ${stream.rstCode})`, sink.phase(), 'reset'));
      return;
    }
    if (!ended) {
      sink.finish(new TransportError('stream closed before the response completed', sink.phase(), 'reset'));
      return;
    }
    if (status === 0) {
      sink.finish(new TransportError('stream ended without response headers', 'headers', 'protocol'));
      return;
    }
    const declared = Number(headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared !== size) {
      sink.finish(new TransportError(`response body truncated: ${size} of ${declared} bytes`, 'body', 'reset'));
      return;
    }
    sink.finish(undefined, { status, headers, trailers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), headersMs });
  });
  if (body) stream.end(body);
}

/** Starts the PING checks of a pending exchange; returns the function that stops them. */
function watchLiveness(pool: H2Pool, session: ClientHttp2Session, liveness: Liveness, onHung: () => void): () => void {
  let next: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let stopped = false;
  const check = (): void => {
    if (stopped || session.destroyed) return;
    let settled = false;
    deadline = setTimeout(() => {
      // Judge after this turn's I/O: if our own event loop stalled past the deadline, an answer that arrived
      // meanwhile is still queued behind this timer and must count.
      setImmediate(() => {
        if (!stopped && !settled) onHung();
      });
    }, liveness.answerWithinMs);
    void pool.ping(session).then((answered) => {
      settled = true;
      clearTimeout(deadline);
      // Unanswered means the session is gone (or closing): the stream then fails on its own, with the socket's reason.
      if (answered && !stopped) next = setTimeout(check, liveness.checkEveryMs);
    });
  };
  next = setTimeout(check, liveness.checkEveryMs);
  return () => {
    stopped = true;
    clearTimeout(next);
    clearTimeout(deadline);
  };
}

function h1Exchange(url: URL, opts: WireRequestOptions, sink: Sink): void {
  const secure = url.protocol === 'https:';
  const headers: Record<string, string | number> = { ...opts.headers };
  if (opts.body) headers['content-length'] = opts.body.length;
  const req = (secure ? https : http).request(url, {
    method: opts.method,
    headers,
    agent: secure ? httpsAgent : httpAgent,
    ...(secure ? { rejectUnauthorized: false } : {}),
  });
  sink.setCancel(() => req.destroy());
  req.once('error', (err) => {
    // Connection errors before the request was written are dial failures.
    const phase = sink.phase() === 'headers' && !req.reusedSocket && (err as { code?: string }).code === 'ECONNREFUSED' ? 'dial' : sink.phase();
    sink.finish(new TransportError(`${url.host}: ${err.message}`, phase, socketErrorReason(err), { cause: err }));
  });
  req.once('response', (res) => {
    const headersMs = performance.now() - sink.start;
    sink.onHeaders();
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > sink.maxBytes) {
        sink.finish(new TransportError(`response larger than ${sink.maxBytes} bytes`, 'body', 'too-large'));
        return;
      }
      chunks.push(chunk);
    });
    res.once('end', () => {
      sink.finish(undefined, { status: res.statusCode ?? 0, headers: res.headers as IncomingHttpHeaders, trailers: {}, body: Buffer.concat(chunks, size), headersMs });
    });
    res.once('aborted', () => sink.finish(new TransportError('connection closed before the response completed', 'body', 'reset')));
    res.once('error', (err) => sink.finish(new TransportError(err.message, 'body', socketErrorReason(err), { cause: err })));
  });
  req.end(opts.body);
}
