// One AI request end to end (go-livepeer processAIRequest, ai-live-signer.md §3–§6): up to 20 selections within the
// retry budget, at most 3 tries per orchestrator, payment for the request's units, the empty-segment credentials,
// POST <transcoder>/<pipeline>, error classification, LLM server-sent events relayed as they arrive, and media
// results re-hosted by the gateway. Each request is reported on the bus like a one-segment stream.
import type { IncomingMessage } from 'node:http';
import { create } from '@bufbuild/protobuf';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import type { PaymentSession, PaymentSource, PreparedPayment } from '../payments/paymentSource.js';
import { PaymentValidationError } from '../../lib/payments/senderValidation.js';
import type { TicketBatchSummary } from '../../lib/payments/ticketSender.js';
import { utf8 } from '../../lib/protocol/encoding.js';
import { type Capabilities, SegDataSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../lib/protocol/hash.js';
import { encodeSegDataHeader } from '../../lib/protocol/headers.js';
import { Rational } from '../../lib/protocol/rational.js';
import { signSegData } from '../../lib/protocol/segData.js';
import type { Signer } from '../../lib/protocol/signer.js';
import { needsRefresh } from '../sessions/broadcastSession.js';
import { type AiMetrics, aiErrorCode } from './aiMetrics.js';
import type { AiSession, AiSessionManager, AiSessionSelector } from './aiSessions.js';
import { encodeFormData } from './formData.js';
import { type MissingModel, type ServedModel, missingModel, servedSentence, askedText, servedText } from './missingModel.js';
import { OrchestratorHttpError, postForStream, readAll } from './orchestratorHttp.js';
import { type AiRequest, aiLatencyScore, aiUnits, orchestratorFields } from './requests.js';
import { AI_MAX_RESULT_BYTES, rehostMedia } from './resultRehost.js';
import type { ResultStore } from './results.js';

/** Selections per request (go-livepeer's loop bound). */
export const AI_MAX_SELECTIONS = 20;
/** Tries of one orchestrator per request. */
export const AI_MAX_TRIES_PER_ORCH = 3;
/** go-livepeer's `protoVerAIWorker`: O answers with result URLs instead of inline data. */
export const AI_WORKER_AUTH = 'Livepeer-AI-Worker-1.0';
/** Deadline for O's response headers (AI work can take minutes). */
export const AI_RESPONSE_TIMEOUT_MS = 10 * 60_000;

const EMPTY_HASH = keccak256(new Uint8Array(0));

export interface AiProcessDeps {
  readonly sessions: AiSessionManager;
  readonly payments: PaymentSource | null;
  /** Signs the empty-segment credentials; undefined off-chain (and with a remote signer, which supplies them). */
  readonly segmentSigner: Signer | undefined;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly metrics: AiMetrics | null;
  readonly results: ResultStore;
  retryTimeoutMs(): number;
  lastL1Block?(): bigint | undefined;
  now?(): number;
  /** The models the network serves for a pipeline (from the network view), to explain a 503; none without it. */
  servedModels?(pipeline: string): Promise<ServedModel[]>;
}

/** What happened to a relayed event stream. */
export interface RelayOutcome {
  /** Tokens reported by the stream (usage), when any. */
  tokensUsed?: number;
  /** The stream reached its end (not cut by the client or O). */
  complete: boolean;
}

export interface AiRunContext {
  readonly requestId: string;
  readonly signal?: AbortSignal;
  /** LLM `stream: true`: relays O's event stream to the client (writing as it arrives) and resolves at its end. */
  relay?(upstream: IncomingMessage): Promise<RelayOutcome>;
}

export interface Rejected {
  readonly orchestrator: string;
  readonly reason: string;
}

export type AiResult =
  | { ok: true; streamed: false; body: unknown; orchestrator: string }
  | { ok: true; streamed: true; orchestrator: string }
  | AiFailure;

/** A request the gateway answers with an error. */
export interface AiFailure {
  ok: false;
  status: number;
  message: string;
  rejected?: Rejected[];
  missing?: MissingModel;
}

type Action = 'client' | 'retry-same' | 'other-o' | 'remove' | 'fatal';

type AttemptOutcome = { ok: true; result: AiResult } | { ok: false; action: Action; status?: number; message: string };

/**
 * go-livepeer's retry classification (case-insensitive substrings): ticket params expired → retry (same O allowed);
 * sender nonce / capacity → another O; O's 4xx other than payment problems → the client's fault; else remove O.
 */
export function classifyAiError(status: number | undefined, message: string): Exclude<Action, 'fatal'> {
  const m = message.toLowerCase();
  if (m.includes('ticketparams expired')) return 'retry-same';
  if (m.includes('invalid ticket sendernonce') || m.includes('insufficient capacity')) return 'other-o';
  if (status !== undefined && status >= 400 && status < 500 && ![401, 402, 403, 408, 429].includes(status) && !m.includes('insufficient balance')) return 'client';
  return 'remove';
}

/** Emits `tickets.sent` for a batch (and its metrics through the bus listeners of the daemon). */
export function emitTickets(bus: EventBus, streamId: string, b: TicketBatchSummary): void {
  const evWei = b.ev.mul(BigInt(b.count)).floor();
  bus.emit({
    type: 'tickets.sent',
    streamId,
    recipient: b.recipient,
    count: b.count,
    faceValueWei: b.faceValue.toString(),
    winProb: b.winProb.toString(),
    evWei: evWei.toString(),
    firstNonce: Number(b.firstNonce),
  });
}

/** The signed (or, off-chain, unsigned) SegData of an empty segment for an AI request (§3). */
export async function aiSegmentCredentials(signer: Signer | undefined, args: { manifestId: string; session: AiSession; capabilities: Capabilities | undefined }): Promise<string> {
  const seg = create(SegDataSchema, {
    manifestId: utf8(args.manifestId),
    seq: 0n,
    hash: EMPTY_HASH,
    profiles: utf8('invalid'),
    duration: 0,
    ...(args.capabilities ? { capabilities: args.capabilities } : {}),
    ...(args.session.info.authToken ? { authToken: args.session.info.authToken } : {}),
  });
  await signSegData(signer, seg);
  return encodeSegDataHeader(seg);
}

const credsCache = new WeakMap<AiSession, { authToken: unknown; capabilities: unknown; manifestId: string; header: Promise<string> }>();

/**
 * aiSegmentCredentials, kept per session: the empty-segment SegData of a session only changes with its auth token
 * (a refresh) or the job's capabilities, so signing it again for every request would cost a keccak and a signature
 * per request for the same bytes.
 */
function sessionSegmentCredentials(signer: Signer | undefined, args: { manifestId: string; session: AiSession; capabilities: Capabilities | undefined }): Promise<string> {
  const hit = credsCache.get(args.session);
  if (hit && hit.authToken === args.session.info.authToken && hit.capabilities === args.capabilities && hit.manifestId === args.manifestId) return hit.header;
  const header = aiSegmentCredentials(signer, args);
  credsCache.set(args.session, { authToken: args.session.info.authToken, capabilities: args.capabilities, manifestId: args.manifestId, header });
  // a failed signature must not be served from the cache
  header.catch(() => credsCache.delete(args.session));
  return header;
}

/** The errors-metric label of a request no orchestrator could take (go-livepeer's text). */
const NO_ORCHESTRATORS = 'no orchestrators available';

/** Runs one AI request through the session manager; never throws for orchestrator problems. */
export async function processAiRequest(deps: AiProcessDeps, req: AiRequest, ctx: AiRunContext): Promise<AiResult> {
  const now = deps.now ?? Date.now;
  const labels = { pipeline: req.pipeline, model_name: req.modelId };
  deps.metrics?.modelsRequested.inc(labels);
  const sel = deps.sessions.selector(req.pipeline, req.modelId);
  const start = now();
  const budget = deps.retryTimeoutMs();
  const triesPerOrch = new Map<string, number>();
  const avoid = new Set<string>();
  const held: AiSession[] = [];
  const attemptErrors = new Map<string, string>();
  const forward = encodeBody(req);
  let attempt = 0;
  let lastFailure: { uri: string; reason: string } | undefined;

  // gw names its own final failures; the label is not read back out of the message.
  const finalFail = (status: number, code: string, message: string, rejected?: Rejected[]): AiFailure => {
    deps.metrics?.requestErrors.inc({ ...labels, error_code: code, orchestrator_uri: lastFailure?.uri ?? '' });
    deps.bus.emit({ type: 'segment.failed', streamId: ctx.requestId, segment: 0, orchestrator: lastFailure?.uri, attempt, error: message, final: true });
    return { ok: false, status, message, ...(rejected ? { rejected } : {}) };
  };
  // No orchestrator took the request: say what was asked for and what the network serves instead, in the answer and the log.
  const noOrchestrators = async (message: string): Promise<AiResult> => {
    const missing = await missingModel(deps.servedModels, deps.log, req);
    const result = finalFail(503, NO_ORCHESTRATORS, message, rejectionList(sel, attemptErrors));
    const served = servedSentence(missing);
    deps.log.warn(
      { requestId: ctx.requestId, pipeline: missing.pipeline, modelId: missing.modelId, modelDefaulted: missing.modelDefaulted, served: missing.served?.map(servedText) ?? null, rejected: result.rejected },
      `${message} ${askedText(missing)}${served ? `; ${served}` : ''}`,
    );
    return { ...result, missing };
  };

  try {
    for (let selection = 0; selection < AI_MAX_SELECTIONS; selection++) {
      if (ctx.signal?.aborted) return finalFail(499, 'client closed', 'client closed the request');
      if (selection > 0 && now() - start > budget) {
        return await noOrchestrators(`no orchestrators available within ${formatSeconds(budget)} timeout`);
      }
      const s = await sel.select();
      if (!s) break;
      if (avoid.has(s.uri) || (triesPerOrch.get(s.uri) ?? 0) >= AI_MAX_TRIES_PER_ORCH) {
        held.push(s);
        continue;
      }
      triesPerOrch.set(s.uri, (triesPerOrch.get(s.uri) ?? 0) + 1);
      attempt++;
      if (lastFailure && lastFailure.uri !== s.uri) {
        deps.bus.emit({ type: 'failover', streamId: ctx.requestId, from: lastFailure.uri, to: s.uri, reason: lastFailure.reason, attempt });
      }
      if (s.staleParams || needsRefresh(s, now(), deps.lastL1Block?.())) {
        const r = await sel.refreshSession(s);
        if (!r.ok) {
          sel.remove(s, r.reason);
          attemptErrors.set(s.uri, r.reason);
          lastFailure = { uri: s.uri, reason: r.reason };
          continue;
        }
      }
      const outcome = await attemptOn(deps, sel, s, req, forward, ctx, attempt);
      if (outcome.ok) {
        return outcome.result;
      }
      attemptErrors.set(s.uri, outcome.message);
      lastFailure = { uri: s.uri, reason: outcome.message };
      deps.metrics?.requestErrors.inc({ ...labels, error_code: aiErrorCode(outcome.message), orchestrator_uri: s.uri });
      const final = outcome.action === 'client' || outcome.action === 'fatal';
      deps.bus.emit({ type: 'segment.failed', streamId: ctx.requestId, segment: 0, orchestrator: s.uri, attempt, error: outcome.message, final });
      switch (outcome.action) {
        case 'client':
          sel.complete(s);
          return { ok: false, status: outcome.status ?? 400, message: outcome.message };
        case 'fatal':
          sel.complete(s);
          return { ok: false, status: outcome.status ?? 500, message: outcome.message };
        case 'retry-same':
          s.staleParams = true;
          sel.complete(s);
          break;
        case 'other-o':
          avoid.add(s.uri);
          held.push(s);
          break;
        case 'remove':
          sel.remove(s, outcome.message);
          deps.bus.emit({ type: 'orchestrator.suspended', streamId: ctx.requestId, orchestrator: s.uri, penalty: sel.sus.penalty(s.uri), reason: outcome.message });
          break;
      }
    }
    return await noOrchestrators(NO_ORCHESTRATORS);
  } finally {
    for (const s of held) sel.complete(s);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function rejectionList(sel: AiSessionSelector, attempts: Map<string, string>): Rejected[] {
  const all = new Map(sel.rejections);
  for (const [uri, why] of attempts) all.set(uri, why);
  return [...all.entries()].map(([orchestrator, reason]) => ({ orchestrator, reason }));
}

interface EncodedBody {
  readonly contentType: string;
  readonly body: Buffer;
}

function encodeBody(req: AiRequest): EncodedBody {
  const f = orchestratorFields(req);
  if (f.kind === 'json') return { contentType: 'application/json', body: Buffer.from(JSON.stringify(f.json)) };
  return encodeFormData(f.parts);
}

async function openPayment(deps: AiProcessDeps, sel: AiSessionSelector, s: AiSession, caps: Capabilities | undefined): Promise<PaymentSession | undefined> {
  if (!deps.payments) return undefined;
  s.payment ??= deps.payments.openSession(s.info, {
    manifestId: sel.key,
    ...(caps ? { capabilities: caps } : {}),
    refresh: async () => {
      const r = await sel.refreshSession(s);
      if (!r.ok) throw new Error(r.reason);
      return s.info;
    },
  });
  return s.payment;
}

async function attemptOn(
  deps: AiProcessDeps,
  sel: AiSessionSelector,
  s: AiSession,
  req: AiRequest,
  forward: EncodedBody,
  ctx: AiRunContext,
  attempt: number,
): Promise<AttemptOutcome> {
  const units = aiUnits(req);
  const price = s.price;
  const caps = (await sel.orchestratorRequest()).capabilities;
  let payment: PreparedPayment | undefined;
  try {
    const pm = await openPayment(deps, sel, s, caps);
    payment = pm ? await pm.pay({ kind: 'units', units }, { signal: ctx.signal }) : undefined;
  } catch (err) {
    const msg = `payment: ${(err as Error).message}`;
    if (err instanceof PaymentValidationError) {
      if (err.stopsStream) return { ok: false, action: 'fatal', status: 503, message: msg };
      if (err.needsRefresh) return { ok: false, action: 'retry-same', message: 'TicketParams expired' };
    }
    return { ok: false, action: 'remove', message: msg };
  }
  const segCreds = payment?.segCredsHeader || (await sessionSegmentCredentials(deps.segmentSigner, { manifestId: sel.key, session: s, capabilities: caps }));
  if (payment?.batch) emitTickets(deps.bus, ctx.requestId, payment.batch);
  deps.bus.emit({ type: 'segment.sent', streamId: ctx.requestId, segment: 0, orchestrator: s.uri, attempt, bytes: forward.body.length });
  const debit = price ? price.mul(units) : Rational.ZERO;
  const t0 = performance.now();
  let res: IncomingMessage;
  try {
    res = await postForStream(`${s.transcoder.replace(/\/+$/, '')}/${req.pipeline}`, {
      headers: {
        'content-type': forward.contentType,
        'Livepeer-Segment': segCreds,
        'Livepeer-Payment': payment?.paymentHeader ?? '',
        authorization: AI_WORKER_AUTH,
      },
      body: forward.body,
      headersTimeoutMs: AI_RESPONSE_TIMEOUT_MS,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    payment?.settle({ status: 'notSent' });
    if (ctx.signal?.aborted) return { ok: false, action: 'fatal', status: 499, message: 'client closed the request' };
    return { ok: false, action: 'remove', message: (err as Error).message };
  }
  if (res.statusCode !== 200) {
    let text = '';
    try {
      text = (await readAll(res, 64 * 1024, 30_000)).toString('utf8').trim();
    } catch (err) {
      text = (err as Error).message;
    }
    payment?.settle({ status: 'notSent' });
    const message = orchestratorErrorText(text) || `orchestrator answered HTTP ${res.statusCode}`;
    return { ok: false, action: classifyAiError(res.statusCode, message), status: res.statusCode, message };
  }
  const succeed = (tokensUsed: number | undefined): void => {
    payment?.settle({ status: 'reply', debit });
    const tookMs = performance.now() - t0;
    const score = aiLatencyScore(req, tookMs / 1000, tokensUsed);
    sel.complete(s, score);
    const labels = { pipeline: req.pipeline, model_name: req.modelId, orchestrator_uri: s.uri };
    deps.metrics?.latencyScore.set(labels, score);
    deps.metrics?.requestPrice.set(labels, price ? price.toNumber() : 0);
    deps.bus.emit({ type: 'segment.transcoded', streamId: ctx.requestId, segment: 0, orchestrator: s.uri, latencyMs: Math.round(tookMs), renditions: 1, feeWei: debit.ceil().toString() });
  };
  const streaming = req.pipeline === 'llm' && req.stream && /text\/event-stream/i.test(String(res.headers['content-type'] ?? '')) && ctx.relay;
  if (streaming) {
    const out = await ctx.relay!(res);
    // O charged for the request whether or not the stream was cut.
    succeed(out.tokensUsed);
    return { ok: true, result: { ok: true, streamed: true, orchestrator: s.uri } };
  }
  let body: unknown;
  try {
    body = JSON.parse((await readAll(res, AI_MAX_RESULT_BYTES)).toString('utf8'));
  } catch (err) {
    payment?.settle({ status: 'notSent' });
    const msg = err instanceof OrchestratorHttpError ? err.message : `orchestrator sent an unreadable result: ${(err as Error).message}`;
    return { ok: false, action: 'remove', message: msg };
  }
  try {
    const ext = req.pipeline === 'text-to-speech' ? '.wav' : req.pipeline === 'image-to-video' ? '.mp4' : '.png';
    rehostMedia(deps.results, ctx.requestId, s.transcoder, body, ext, (url, message) => {
      deps.log.warn({ requestId: ctx.requestId, orchestrator: s.uri, url, err: message }, 'AI result lost: the download from the orchestrator failed after the reply');
      deps.bus.emit({ type: 'segment.failed', streamId: ctx.requestId, segment: 0, orchestrator: s.uri, attempt, error: `result download failed: ${message}`, final: true });
    });
  } catch (err) {
    // The work is done and paid for; retrying would pay again. go-livepeer answers 500 here too.
    payment?.settle({ status: 'reply', debit });
    sel.complete(s);
    const message = `orchestrator sent an unusable result URL: ${(err as Error).message}`;
    deps.bus.emit({ type: 'segment.failed', streamId: ctx.requestId, segment: 0, orchestrator: s.uri, attempt, error: message, final: true });
    return { ok: true, result: { ok: false, status: 500, message } };
  }
  succeed(tokensFrom(body));
  return { ok: true, result: { ok: true, streamed: false, body, orchestrator: s.uri } };
}

/** O's error text: plain text, or the runner's JSON (`{"detail":{"msg"}}`, `{"error":{"message"}}`) reduced to its message. */
export function orchestratorErrorText(text: string): string {
  if (!text.startsWith('{')) return text;
  try {
    const v = JSON.parse(text) as { detail?: { msg?: unknown } | string; error?: { message?: unknown } };
    if (typeof v.detail === 'string') return v.detail;
    if (typeof v.detail?.msg === 'string') return v.detail.msg;
    if (typeof v.error?.message === 'string') return v.error.message;
  } catch {
    // not JSON after all
  }
  return text;
}

/** Tokens an LLM response reports (`usage.total_tokens`, or the older `tokens_used`). */
export function tokensFrom(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const rec = body as Record<string, unknown>;
  const usage = rec['usage'] as Record<string, unknown> | undefined;
  const n = usage?.['total_tokens'] ?? rec['tokens_used'];
  return typeof n === 'number' && n > 0 ? n : undefined;
}
