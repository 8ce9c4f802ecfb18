// The workers behind BYOC capabilities: the built-in devnet handlers ('echo', 'sleep') and forwarding to a
// registered worker URL (go-livepeer POSTs the body to <url>/<rest> with the job's timeout).
import type { IncomingHttpHeaders } from 'node:http2';
import { Agent, fetch } from 'undici';
import { builtinHandler, type ByocCapability } from './registry.js';
import type { JobRequest } from './routes.js';

/** The job as a worker sees it. */
export interface WorkerInput {
  job: JobRequest;
  /** Path after /process/request/. */
  rest: string;
  body: Uint8Array;
  contentType: string;
  headers: IncomingHttpHeaders;
}

/** The worker's answer, relayed to the gateway. */
export interface WorkerOutput {
  status: number;
  contentType: string;
  body: Buffer;
  metadata?: string;
}

/** A worker failure; `unreachable` ones make go-livepeer drop the capability. */
export class WorkerError extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

/** Simulated compute time of the echo handler. */
export const ECHO_COMPUTE_MS = 50;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Headers worth echoing: content type and the caller's own x-* headers (never payment or job credentials). */
function echoHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(':') || v === undefined) continue;
    if (k === 'content-type' || k === 'content-length' || k.startsWith('x-')) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

const insecure = new Agent({ connect: { rejectUnauthorized: false } });

async function forward(cap: ByocCapability, input: WorkerInput): Promise<WorkerOutput> {
  const url = input.rest === '' ? cap.url : `${cap.url.replace(/\/$/, '')}/${input.rest}`;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: input.body,
      headers: { 'content-type': input.contentType || 'application/octet-stream', ...(cap.token ? { authorization: `Bearer ${cap.token}` } : {}) },
      dispatcher: insecure,
      signal: AbortSignal.timeout(input.job.timeout_seconds * 1000),
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') throw new WorkerError('context deadline exceeded', false);
    throw new WorkerError(e.message, true);
  }
  const body = Buffer.from(await res.arrayBuffer());
  const metadata = res.headers.get('x-metadata');
  return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/octet-stream', body, ...(metadata ? { metadata } : {}) };
}

/** Runs the capability's worker for one job. */
export async function runByocWorker(cap: ByocCapability, input: WorkerInput): Promise<WorkerOutput> {
  const handler = builtinHandler(cap);
  const bodyText = Buffer.from(input.body).toString('utf8');
  const timeoutMs = input.job.timeout_seconds * 1000;
  if (handler === 'echo') {
    await sleep(ECHO_COMPUTE_MS);
    const reply = {
      capability: cap.name,
      path: input.rest,
      headers: echoHeaders(input.headers),
      body: parseMaybeJson(bodyText),
      request: parseMaybeJson(input.job.request),
      parameters: parseMaybeJson(input.job.parameters),
    };
    return { status: 200, contentType: 'application/json', body: Buffer.from(`${JSON.stringify(reply)}\n`), metadata: JSON.stringify({ devnet: 'echo' }) };
  }
  if (handler === 'sleep') {
    const parsed = parseMaybeJson(bodyText) as { ms?: unknown } | string;
    const ms = typeof parsed === 'object' && parsed !== null && typeof parsed.ms === 'number' && parsed.ms >= 0 ? Math.min(parsed.ms, 600_000) : 0;
    if (ms > timeoutMs) {
      await sleep(timeoutMs);
      throw new WorkerError('context deadline exceeded', false);
    }
    await sleep(ms);
    return { status: 200, contentType: 'application/json', body: Buffer.from(`${JSON.stringify({ slept_ms: ms })}\n`) };
  }
  return forward(cap, input);
}
