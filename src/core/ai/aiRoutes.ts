// The AI API on the gateway HTTP port (go-livepeer server/ai_mediaserver.go): POST /<pipeline>, async
// image-to-video with POST /image-to-video/result, hosted results under /stream/<requestId>/<file>, and the
// GET /capabilities listing. Each request becomes an AI job (a session of kind 'ai').
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { AiJobs } from './aiJobs.js';
import { type AiProcessDeps, type AiResult, type RelayOutcome, processAiRequest } from './aiProcess.js';
import { askedText, servedSentence } from './missingModel.js';
import { probeAudioSeconds } from './audioProbe.js';
import { GwError } from '../../lib/errors.js';
import { errorResponse, httpStatusFor } from '../http/errorResponse.js';
import type { GatewayRoute } from '../gateway/httpServer.js';
import { clientGone, readRequestBody, sendError, sendJson } from './httpIo.js';
import { type AiPipeline, bodyEncoding, isAiPipeline } from '../../lib/pricing/pipelines.js';
import { AiRequestError, type AiRequest, MAX_JSON_BYTES, MAX_MULTIPART_BYTES, parseAiRequest, withAudioDuration } from './requests.js';
import { RESULTS_PREFIX, type ResultLookup, type ResultStore } from './results.js';
import { DRAINING_MESSAGE, type RequestGate } from '../drain.js';


export interface AiRoutesDeps {
  readonly process: AiProcessDeps;
  readonly jobs: AiJobs;
  readonly results: ResultStore;
  readonly log: Logger;
  /** Admits pipeline requests (refused with 503 `draining` once the daemon stops) and counts them until answered. */
  readonly intake: RequestGate;
  /** ffprobe for non-WAV audio durations (undefined: only WAV is accepted). */
  readonly ffprobe?: string;
  /** GET /capabilities body. */
  capabilities(): Promise<unknown>;
}

/** New request id: 16 hex characters (also the results folder). */
export function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

/** Builds the AI route handler. */
export function aiRoutes(deps: AiRoutesDeps): GatewayRoute {
  return async (req, res, url) => {
    const path = url.pathname;
    if (path.startsWith(RESULTS_PREFIX)) return serveResult(deps.results, req, res, path);
    if (path === '/capabilities') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
      sendJson(res, 200, await deps.capabilities());
      return true;
    }
    if (path === '/image-to-video/result') {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      await asyncResult(deps, req, res);
      return true;
    }
    const name = path.slice(1);
    if (!isAiPipeline(name)) return false;
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    // Admitted before the body is read: a request still uploading when the stop begins is in flight, not new.
    await deps.intake.serve(
      res,
      // The body is not read: closing the connection spares the client uploading it for nothing.
      () => sendError(res, 503, DRAINING_MESSAGE, { code: 'draining' }, { connection: 'close' }),
      () => handlePipeline(deps, name, req, res),
    );
    return true;
  };
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  sendError(res, 405, `method not allowed: use ${allow}`, {}, { allow });
  return true;
}

function serveResult(results: ResultStore, req: IncomingMessage, res: ServerResponse, path: string): boolean {
  const m = /^\/stream\/([^/]+)\/([^/]+)$/.exec(path);
  if (!m) return false;
  let id: string;
  let file: string;
  try {
    id = decodeURIComponent(m[1]!);
    file = decodeURIComponent(m[2]!);
  } catch {
    return false;
  }
  const found = results.lookup(id, file);
  if (!found) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
  const send = (r: ResultLookup): void => {
    if (r.state === 'pending') {
      // still downloading from the orchestrator: answer when it lands
      void r.settled.then(send);
      return;
    }
    if (res.destroyed) return;
    if (r.state === 'failed') {
      sendError(res, 502, `the gateway could not fetch this result from the orchestrator: ${r.message}`);
      return;
    }
    res.writeHead(200, { 'content-type': r.contentType, 'content-length': String(r.data.length), 'cache-control': 'max-age=600', 'access-control-allow-origin': '*' });
    res.end(req.method === 'HEAD' ? undefined : r.data);
  };
  send(found);
  return true;
}

async function readAiRequest(deps: AiRoutesDeps, pipeline: AiPipeline, req: IncomingMessage, res: ServerResponse): Promise<AiRequest | undefined> {
  const limit = bodyEncoding(pipeline) === 'json' ? MAX_JSON_BYTES : MAX_MULTIPART_BYTES;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    sendError(res, 413, `request body of ${declared} bytes exceeds the ${limit}-byte limit`, {}, { connection: 'close' });
    return undefined;
  }
  const body = await readRequestBody(req, limit);
  if (body === 'too-large') {
    sendError(res, 413, `request body exceeds the ${limit}-byte limit`, {}, { connection: 'close' });
    return undefined;
  }
  try {
    let parsed = parseAiRequest(pipeline, body, req.headers['content-type']);
    if (parsed.pipeline === 'audio-to-text' && parsed.audio.durationSeconds === undefined) {
      if (!deps.ffprobe) throw new AiRequestError('audio: only WAV files can be measured here (ffprobe not found); send WAV', 'audio');
      let seconds: number;
      try {
        seconds = await probeAudioSeconds(deps.ffprobe, parsed.audio.data);
      } catch (err) {
        throw new AiRequestError(`audio: ${(err as Error).message}`, 'audio');
      }
      parsed = withAudioDuration(parsed, seconds);
    }
    return parsed;
  } catch (err) {
    // the request's own faults answer here (400 by their code); anything else is the HTTP server's to answer
    if (err instanceof GwError && err.kind === 'user') {
      sendError(res, httpStatusFor(err.code), err.message);
      return undefined;
    }
    throw err;
  }
}

/**
 * A 503 message: what was asked for, the orchestrators' reasons and the models the network serves instead. With no
 * orchestrator at all it stays go-livepeer's bare text (there is nobody to name).
 */
function reasonsText(result: Extract<AiResult, { ok: false }>): string {
  const list = result.rejected ?? [];
  const missing = result.missing;
  if (list.length === 0 && !missing?.served?.length) return result.message;
  const shown = list.slice(0, 10).map((r) => `${r.orchestrator}: ${r.reason}`);
  const reasons = shown.length > 0 ? ` (${shown.join('; ')}${list.length > 10 ? `; ${list.length - 10} more` : ''})` : '';
  const served = missing ? servedSentence(missing) : '';
  return `${result.message}${missing ? ` ${askedText(missing)}` : ''}${reasons}${served ? `; ${served}` : ''}`;
}

/** go-livepeer's `{"error":{"message"}}`, plus the orchestrators' reasons and, for a 503, what was asked for and what is served. */
function errorBody(result: Extract<AiResult, { ok: false }>): { status: number; body: unknown } {
  const m = result.missing;
  const extra = {
    ...(result.rejected ? { orchestrators: result.rejected.map((r) => ({ url: r.orchestrator, reason: r.reason })) } : {}),
    ...(m
      ? {
          pipeline: m.pipeline,
          model_id: m.modelId,
          model_defaulted: m.modelDefaulted,
          served_models: m.served?.map((s) => ({ model_id: s.modelId, warm: s.warm, cold: s.cold })) ?? null,
        }
      : {}),
  };
  return { status: result.status, body: { error: { message: result.status === 503 ? reasonsText(result) : result.message, ...extra } } };
}

async function handlePipeline(deps: AiRoutesDeps, pipeline: AiPipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parsed = await readAiRequest(deps, pipeline, req, res);
  if (!parsed) return;
  const requestId = newRequestId();
  const isAsync = pipeline === 'image-to-video' && /respond-async/i.test(String(req.headers['prefer'] ?? ''));
  deps.jobs.start(requestId, `${pipeline}/${parsed.modelId}`);
  if (isAsync) {
    deps.results.startJob(requestId);
    sendJson(res, 202, { request_id: requestId });
    const work = processAiRequest(deps.process, parsed, { requestId })
      .then((result) => {
        if (result.ok && !result.streamed) deps.results.finishJob(requestId, 200, result.body);
        else if (!result.ok) deps.results.finishJob(requestId, result.status, errorBody(result).body);
      })
      .catch((err: unknown) => {
        const { status, body } = errorResponse(err, deps.log, { requestId });
        deps.results.finishJob(requestId, status, { error: { message: body.error.message } });
      })
      .finally(() => deps.jobs.end(requestId));
    // The client polls for this result after its 202: the drain waits for the job as for a request in flight.
    deps.intake.hold(work);
    return;
  }
  const signal = clientGone(req, res);
  try {
    const result = await processAiRequest(deps.process, parsed, {
      requestId,
      signal,
      ...(parsed.pipeline === 'llm' && parsed.stream ? { relay: (up: IncomingMessage) => relaySse(up, res, signal) } : {}),
    });
    if (result.ok) {
      if (!result.streamed) sendJson(res, 200, result.body);
      return;
    }
    if (result.status === 499) return void res.destroy();
    const { status, body } = errorBody(result);
    sendJson(res, status, body);
  } finally {
    deps.jobs.end(requestId);
  }
}

/**
 * Relays O's server-sent events to the client chunk by chunk (nothing is held back), counting the tokens the
 * stream reports; resolves when O ends the stream or either side goes away.
 */
export async function relaySse(upstream: IncomingMessage, res: ServerResponse, signal?: AbortSignal): Promise<RelayOutcome> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let pending = '';
  let tokensSum = 0;
  let tokensTotal: number | undefined;
  const scan = (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^data:\s?(.*)$/.exec(line.trim());
      if (!m || m[1] === '[DONE]') continue;
      try {
        const v = JSON.parse(m[1]!) as { usage?: { total_tokens?: unknown }; tokens_used?: unknown };
        if (typeof v.usage?.total_tokens === 'number') tokensTotal = v.usage.total_tokens;
        if (typeof v.tokens_used === 'number') tokensSum += v.tokens_used;
      } catch {
        // not JSON: relayed as is
      }
    }
  };
  let complete = false;
  try {
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      if (signal?.aborted) break;
      res.write(chunk);
      scan(chunk.toString('utf8'));
    }
    complete = !signal?.aborted;
  } catch {
    complete = false;
  } finally {
    if (!upstream.destroyed) upstream.destroy();
    if (!res.writableEnded) res.end();
  }
  const tokensUsed = tokensTotal ?? (tokensSum > 0 ? tokensSum : undefined);
  return { complete, ...(tokensUsed !== undefined ? { tokensUsed } : {}) };
}

async function asyncResult(deps: AiRoutesDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readRequestBody(req, 64 * 1024);
  if (body === 'too-large') return sendError(res, 413, 'request body too large');
  let id: unknown;
  try {
    id = (JSON.parse(body.toString('utf8')) as { request_id?: unknown }).request_id;
  } catch {
    return sendError(res, 400, 'request body must be JSON {"request_id": "…"}');
  }
  if (typeof id !== 'string' || id === '') return sendError(res, 400, 'request_id: is required');
  const job = deps.results.job(id);
  if (!job) return sendError(res, 404, `request_id: no request ${id} (unknown or expired)`);
  if (job.state === 'processing') return sendJson(res, 202, { status: 'processing' });
  if (job.status === 200) return sendJson(res, 200, { status: 'complete', result: job.body });
  const message = (job.body as { error?: { message?: string } }).error?.message ?? `failed with HTTP ${job.status}`;
  sendJson(res, 200, { status: 'complete', result: { images: [], error: { message, status: job.status } } });
}
