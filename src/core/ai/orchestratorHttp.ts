// HTTP exchanges with orchestrators for AI and BYOC work: a POST whose response is handed over as a stream (LLM
// and BYOC server-sent events are relayed as they arrive) and whole-body GETs for result downloads. TLS is not
// verified: orchestrators use self-signed certificates (go-livepeer does the same).
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { GwError } from '../../lib/errors.js';

const agentOpts = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 64 };
const httpAgent = new http.Agent(agentOpts);
const httpsAgent = new https.Agent({ ...agentOpts, rejectUnauthorized: false });

/** A failure before a response arrived (dial, TLS, reset, timeout). */
export class OrchestratorHttpError extends GwError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('orchestrator_error', message, options);
    this.name = 'OrchestratorHttpError';
  }
}

export interface PostOptions {
  headers: Record<string, string>;
  body: Buffer;
  /** From the start until the response headers. */
  headersTimeoutMs: number;
  signal?: AbortSignal;
}

/** POSTs and resolves with the response once its headers arrive; the body is read by the caller. */
export function postForStream(target: string, opts: PostOptions): Promise<IncomingMessage> {
  const url = new URL(target);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new OrchestratorHttpError('request aborted'));
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      agent: secure ? httpsAgent : httpAgent,
      headers: { ...opts.headers, 'content-length': String(opts.body.length) },
      ...(secure ? { rejectUnauthorized: false } : {}),
    });
    const timer = setTimeout(() => req.destroy(new OrchestratorHttpError(`${url.host}: no response within ${opts.headersTimeoutMs} ms`)), opts.headersTimeoutMs);
    const onAbort = () => req.destroy(new OrchestratorHttpError('request aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      clearTimeout(timer);
      // The caller owns the body from here; an abort now tears the response down.
      res.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
      resolve(res);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err instanceof OrchestratorHttpError ? err : new OrchestratorHttpError(`${url.host}: ${err.message}`, { cause: err }));
    });
    req.end(opts.body);
  });
}

/** Reads a whole response body, failing past `maxBytes` or after `timeoutMs`. */
export function readAll(res: IncomingMessage, maxBytes: number, timeoutMs = 600_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      res.destroy();
      reject(new OrchestratorHttpError(`response body not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        res.destroy();
        reject(new OrchestratorHttpError(`response larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks, size));
    });
    res.once('error', (err) => {
      clearTimeout(timer);
      reject(new OrchestratorHttpError(`response body: ${err.message}`, { cause: err }));
    });
    res.once('aborted', () => {
      clearTimeout(timer);
      reject(new OrchestratorHttpError('connection closed before the response body completed'));
    });
  });
}

/** GETs a whole body (result downloads, BYOC tokens). */
export function getBytes(
  target: string,
  opts: { headers?: Record<string, string>; timeoutMs: number; maxBytes: number; signal?: AbortSignal },
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  const url = new URL(target);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, {
      method: 'GET',
      agent: secure ? httpsAgent : httpAgent,
      headers: opts.headers,
      ...(secure ? { rejectUnauthorized: false } : {}),
    });
    const timer = setTimeout(() => req.destroy(new OrchestratorHttpError(`${url.host}: no complete response within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const onAbort = () => req.destroy(new OrchestratorHttpError('request aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    req.once('response', (res) => {
      readAll(res, opts.maxBytes, opts.timeoutMs).then(
        (body) => {
          done();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        },
        (err: unknown) => {
          done();
          reject(err);
        },
      );
    });
    req.once('error', (err) => {
      done();
      reject(err instanceof OrchestratorHttpError ? err : new OrchestratorHttpError(`${url.host}: ${err.message}`, { cause: err }));
    });
    req.end();
  });
}
