// POST /<pipeline> on the devnet orchestrator, in go-livepeer's order (server/ai_http.go handleAIRequest): body
// decode (400) → Livepeer-Payment (402) → Livepeer-Segment (403) → capacity per (pipeline, model) (503) → payment
// credited to (sender, "<capId>_<modelId>") (400) → one ticket EV of balance if priced (400) → request validation
// like the runner (400 JSON naming the field) → devnet runner → debit units × expected price → 200 JSON or SSE.
import { randomBytes } from 'node:crypto';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Rational } from '../../../lib/protocol/rational.js';
import { decodePayment, header, httpError, readBody, verifySegCreds } from '../credentials.js';
import type { FaultInjector } from '../faults.js';
import type { OrchestratorNode } from '../orchestratorNode.js';
import type { AiCatalog } from './catalog.js';
import type { AiPipeline } from './config.js';
import { multipartBoundary, parseMultipart } from './multipart.js';
import { type AiBody, type AiRequest, ValidationError, billingUnits, requestModelId, validateRequest } from './requests.js';
import type { ResultStore } from './results.js';
import { type RunResult, runAi } from './runners.js';
import { type AudioAnalysis, type LLMResponse, analyzeAudio } from './textRunners.js';

/** Authorization value of gateways that take result URLs (go-livepeer protoVerAIWorker). */
export const AI_WORKER_AUTH = 'Livepeer-AI-Worker-1.0';
/** Largest AI request body the devnet accepts. */
export const MAX_AI_BODY = 100 * 1024 * 1024;
/** Pipelines whose images go back inline unless the gateway sends AI_WORKER_AUTH. */
const INLINE_PIPELINES: ReadonlySet<AiPipeline> = new Set(['text-to-image', 'image-to-image', 'upscale']);
const JSON_PIPELINES: ReadonlySet<AiPipeline> = new Set(['text-to-image', 'llm', 'text-to-speech']);

export interface AiContext {
  node: OrchestratorNode;
  catalog: AiCatalog;
  results: ResultStore;
  faults: FaultInjector;
  serviceUri: string;
  ffmpeg: () => Promise<string>;
  /** Called after the answer that exhausts dieAfter. */
  onDie: () => void;
}

/** go-livepeer's decoders: JSON for three pipelines, multipart/form-data for the rest. */
function parseBody(pipeline: AiPipeline, contentType: string, raw: Uint8Array): AiBody {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (JSON_PIPELINES.has(pipeline)) {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('request body must be a JSON object');
    return { kind: 'json', value: v as Record<string, unknown> };
  }
  return { kind: 'form', value: parseMultipart(buf, multipartBoundary(contentType)) };
}

function sendJson(res: Http2ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.stream?.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Serves one AI request for `pipeline`. */
export async function serveAi(ctx: AiContext, req: Http2ServerRequest, res: Http2ServerResponse, pipeline: AiPipeline): Promise<void> {
  const { node, catalog } = ctx;
  const reject = (status: number, text: string): void => {
    node.counters.aiRejected++;
    httpError(res, status, text);
  };
  const rejectField = (field: string, msg: string): void => {
    node.counters.aiRejected++;
    sendJson(res, 400, { detail: { msg, field } });
  };
  if (req.method !== 'POST') return reject(405, 'Method Not Allowed');

  let body: AiBody;
  try {
    body = parseBody(pipeline, header(req, 'content-type'), await readBody(req, MAX_AI_BODY));
  } catch (err) {
    return reject(400, (err as Error).message.startsWith('body exceeds') ? 'http: request body too large' : (err as Error).message);
  }
  const pay = decodePayment(req);
  if (!pay.ok) return reject(pay.status, pay.text);
  const { payment, sender, senderBytes } = pay;
  const creds = verifySegCreds(node, req, senderBytes);
  if (!creds.ok) return reject(creds.status, creds.text);

  const modelId = requestModelId(pipeline, body);
  if (modelId === undefined) return rejectField(pipeline === 'llm' ? 'model' : 'model_id', `${pipeline === 'llm' ? 'model' : 'model_id'}: field required`);
  if (!catalog.reserve(pipeline, modelId)) {
    node.cfg.logger.warn(`insufficient capacity for pipeline=${pipeline} modelID=${modelId}`);
    return reject(503, 'insufficient capacity');
  }
  let reserved = true;
  const release = (): void => {
    if (reserved) catalog.release(pipeline, modelId);
    reserved = false;
  };
  try {
    const entry = catalog.get(pipeline, modelId)!;
    const manifestId = `${entry.capability}_${modelId}`;
    const payErr = await node.processPayment(payment, sender, manifestId);
    if (payErr !== null) return reject(400, payErr);
    const ep = payment.expectedPrice;
    const priced = !node.cfg.offchain && ep !== undefined && ep.pricePerUnit > 0n && ep.pixelsPerUnit > 0n;
    if (priced && !node.sufficientBalance(sender, manifestId)) return reject(400, 'Insufficient balance');

    let request: AiRequest;
    try {
      request = validateRequest(pipeline, modelId, body);
    } catch (err) {
      if (err instanceof ValidationError) return rejectField(err.field, err.message);
      throw err;
    }
    let audio: AudioAnalysis | undefined;
    if (request.pipeline === 'audio-to-text') {
      audio = await analyzeAudio(await ctx.ffmpeg(), request.audio.data).catch(() => undefined);
      if (!audio || Math.trunc(audio.durationSec) <= 0) return reject(400, 'Unable to calculate duration');
    }

    const fault = ctx.faults.nextSegment();
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.error !== undefined) return reject(500, fault.error);

    const requestId = randomBytes(8).toString('hex');
    const inline = INLINE_PIPELINES.has(pipeline) && header(req, 'authorization') !== AI_WORKER_AUTH;
    const output = (name: string, data: Buffer, contentType: string): string => {
      const path = ctx.results.put(requestId, name, data, contentType);
      return inline ? `data:${contentType};base64,${data.toString('base64')}` : `${ctx.serviceUri}${path}`;
    };
    let result: RunResult;
    try {
      result = await runAi(request, { requestId, ffmpeg: ctx.ffmpeg, output, llmTokenDelayMs: catalog.llmTokenDelayMs }, audio);
    } catch (err) {
      const msg = ((err as Error).message.split('\n')[0] ?? 'runner failed').trim();
      node.cfg.logger.warn(`devnet runner failed pipeline=${pipeline} modelID=${modelId}: ${msg}`);
      return reject(500, msg);
    }

    // go-livepeer debits once the runner has answered, before the body (or the first streamed chunk) goes out.
    if (priced && ep) node.cfg.balances.debit(sender, manifestId, Rational.of(ep.pricePerUnit, ep.pixelsPerUnit).mul(billingUnits(request, audio?.durationSec)));
    node.counters.aiRequests++;
    if (result.kind === 'json') sendJson(res, 200, result.body);
    else await streamSse(res, result.chunks);
  } finally {
    release();
  }
  if (ctx.faults.segmentAnswered()) {
    node.cfg.logger.warn('dieAfter reached: dying');
    if (res.writableFinished) ctx.onDie();
    else res.once('finish', () => ctx.onDie());
  }
}

/** Writes `data: <chunk JSON>\n\n` frames as they come, ending after the chunk with a finish_reason. */
async function streamSse(res: Http2ServerResponse, chunks: AsyncGenerator<LLMResponse>): Promise<void> {
  if (res.stream?.destroyed) return void (await chunks.return(undefined));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let gone = false;
  res.once('close', () => (gone = true));
  try {
    for await (const chunk of chunks) {
      if (gone) break;
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      if (chunk.choices[0]?.finish_reason) break;
    }
  } finally {
    await chunks.return(undefined);
    if (!gone) res.end();
  }
}
