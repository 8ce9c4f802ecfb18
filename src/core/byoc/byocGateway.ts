// BYOC batch jobs through the gateway (go-livepeer byoc/job_gateway.go; ai-live-signer.md §8): POST
// /process/request/* with a `Livepeer` job header → job tokens from every pool orchestrator (shuffled, filtered
// by the job's include/exclude lists, concurrent, bounded in time) → the job signed by the gateway, paid from the
// token's ticket params, sent to each orchestrator with capacity in turn until one answers. O's 4xx goes back to the
// client; 5xx or a connection error moves on. The reply carries Livepeer-Balance, X-Metadata, X-Orchestrator-Url.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CandidatePool } from '../discovery/pools.js';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import type { TicketSender } from '../../lib/payments/ticketSender.js';
import { toChecksumAddress } from '../../lib/protocol/address.js';
import { localSigner, type Signer } from '../../lib/protocol/signer.js';
import type { AiJobs } from '../ai/aiJobs.js';
import type { AiMetrics } from '../ai/aiMetrics.js';
import { emitTickets } from '../ai/aiProcess.js';
import type { GatewayRoute } from '../gateway/httpServer.js';
import { clientGone, readRequestBody, sendText } from '../ai/httpIo.js';
import { getBytes, postForStream, readAll } from '../ai/orchestratorHttp.js';
import { type ByocBalances, buildByocPayment, planByocPayment } from './byocPayment.js';
import { JobRequestError, type OrchestratorFilter, parseJobRequest, passesFilter, senderHeader, signedJobHeader } from './jobRequest.js';
import { type JobToken, parseJobToken } from './jobToken.js';
import { shuffled } from '../discovery/discover.js';
import { httpStatusFor } from '../http/errorResponse.js';
import { DRAINING_MESSAGE, type RequestGate } from '../drain.js';

/** Whole token search (go-livepeer's default Livepeer-Orch-Search-Timeout; custom values have no effect there either). */
export const BYOC_SEARCH_TIMEOUT_MS = 1000;
/** One token request (Livepeer-Orch-Search-Resp-Timeout). */
export const BYOC_TOKEN_TIMEOUT_MS = 500;
/** Largest job body relayed. */
export const BYOC_MAX_BODY = 100 * 1024 * 1024;

export interface ByocDeps {
  pool(): CandidatePool;
  /** The job signer: the gateway's key, or an ephemeral key off-chain (go-livepeer needs a keystore even then). */
  signer(): Promise<Signer>;
  /** Tickets for priced capabilities (local key only); undefined → priced orchestrators are skipped. */
  readonly ticketSender?: TicketSender;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly jobs: AiJobs;
  readonly metrics: AiMetrics | null;
  readonly balances: ByocBalances;
  /** Admits jobs (refused with 503 once the daemon stops) and counts them until their reply has gone out. */
  readonly intake: RequestGate;
  readonly searchTimeoutMs?: number;
  readonly tokenTimeoutMs?: number;
  rng?: () => number;
}

/** Asks every (filtered) pool orchestrator for a job token at once; returns usable ones in arrival order. */
export async function fetchJobTokens(
  deps: Pick<ByocDeps, 'pool' | 'searchTimeoutMs' | 'tokenTimeoutMs' | 'rng'>,
  args: { capability: string; senderHeader: string; filter: OrchestratorFilter },
): Promise<{ tokens: JobToken[]; rejected: Array<{ orchestrator: string; reason: string }> }> {
  const tokens: JobToken[] = [];
  const rejected: Array<{ orchestrator: string; reason: string }> = [];
  let all: readonly { uri: string }[];
  try {
    all = await deps.pool().candidates();
  } catch (err) {
    rejected.push({ orchestrator: '(pool)', reason: `orchestrator list unavailable: ${(err as Error).message}` });
    return { tokens, rejected };
  }
  const candidates = shuffled(all.filter((c) => passesFilter(c.uri, args.filter)), deps.rng ?? Math.random);
  if (candidates.length === 0) return { tokens, rejected };
  const perToken = deps.tokenTimeoutMs ?? BYOC_TOKEN_TIMEOUT_MS;
  await new Promise<void>((resolve) => {
    let pending = candidates.length;
    const timer = setTimeout(resolve, deps.searchTimeoutMs ?? BYOC_SEARCH_TIMEOUT_MS);
    const done = () => {
      if (--pending === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (const c of candidates) {
      getBytes(`${c.uri.replace(/\/+$/, '')}/process/token`, {
        headers: { 'Livepeer-Eth-Address': args.senderHeader, 'Livepeer-Capability': args.capability },
        timeoutMs: perToken,
        maxBytes: 64 * 1024,
      })
        .then((r) => {
          if (r.status !== 200) throw new Error(`token request answered HTTP ${r.status}: ${r.body.toString('utf8').trim().slice(0, 200)}`);
          const t = parseJobToken(r.body.toString('utf8'));
          if (t.availableCapacity <= 0) throw new Error(`no capacity for ${args.capability}`);
          tokens.push(t);
        })
        .catch((err: unknown) => rejected.push({ orchestrator: c.uri, reason: (err as Error).message }))
        .finally(done);
    }
  });
  return { tokens: [...tokens], rejected };
}

/** The key BYOC jobs are signed with: the gateway's, else (off-chain) an ephemeral one, since go-livepeer's O still
 * expects a signature even when it skips the check. */
export function byocJobSigner(gatewayKey: Signer | undefined): () => Promise<Signer> {
  let ephemeral: Signer | undefined;
  return async () => gatewayKey ?? (ephemeral ??= localSigner(`0x${randomBytes(32).toString('hex')}`));
}

/** The route for `/process/request` and everything below it. */
export function byocRoute(deps: ByocDeps): GatewayRoute {
  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== '/process/request' && !path.startsWith('/process/request/')) return false;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendText(res, 405, 'Method not allowed');
      return true;
    }
    await deps.intake.serve(
      res,
      () => sendText(res, 503, `draining: ${DRAINING_MESSAGE}`, { connection: 'close' }),
      () => submitJob(deps, req, res, path),
    );
    return true;
  };
}

async function submitJob(deps: ByocDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  let parsed;
  try {
    parsed = parseJobRequest(typeof req.headers['livepeer'] === 'string' ? req.headers['livepeer'] : undefined);
  } catch (err) {
    if (err instanceof JobRequestError) return sendText(res, httpStatusFor(err.code), err.message);
    throw err;
  }
  const { job, filter } = parsed;
  const body = await readRequestBody(req, BYOC_MAX_BODY);
  if (body === 'too-large') return sendText(res, 413, `request body exceeds the ${BYOC_MAX_BODY}-byte limit`);
  const signer = await deps.signer();
  const sender = await senderHeader(signer);
  const { tokens, rejected } = await fetchJobTokens(deps, { capability: job.capability, senderHeader: sender.header, filter });
  if (tokens.length === 0) {
    deps.metrics?.byocJobs.inc({ capability: job.capability, outcome: 'no-orchestrator' });
    const why = rejected.length ? ` (${rejected.map((r) => `${r.orchestrator}: ${r.reason}`).join('; ')})` : '';
    return sendText(res, 503, `No orchestrators found for capability ${job.capability}${why}`);
  }
  const requestId = job.id !== '' && /^[A-Za-z0-9_.-]{1,64}$/.test(job.id) ? job.id : randomBytes(8).toString('hex');
  deps.jobs.start(requestId, `byoc/${job.capability}`);
  const signal = clientGone(req, res);
  let attempt = 0;
  let last: { uri: string; reason: string } | undefined;
  const fail = (uri: string, reason: string, final: boolean) => {
    deps.bus.emit({ type: 'segment.failed', streamId: requestId, segment: 0, orchestrator: uri, attempt, error: reason, final });
    last = { uri, reason };
  };
  try {
    for (const token of tokens) {
      if (signal.aborted) return;
      attempt++;
      const uri = token.serviceAddr;
      if (last && last.uri !== uri) deps.bus.emit({ type: 'failover', streamId: requestId, from: last.uri, to: uri, reason: last.reason, attempt });
      const plan = planByocPayment(token, job.timeoutSeconds);
      const recipient = token.ticketParams?.recipient.length === 20 ? toChecksumAddress(token.ticketParams.recipient) : uri;
      deps.balances.sync(recipient, job.capability, token.balance);
      const headers: Record<string, string> = {
        'content-type': String(req.headers['content-type'] ?? 'application/octet-stream'),
        Livepeer: await signedJobHeader(signer, job),
      };
      if (plan.price.sign() > 0 && plan.numTickets > 0) {
        if (!deps.ticketSender) {
          fail(uri, `capability ${job.capability} costs ${plan.price.toString()} wei/s but this gateway cannot sign tickets (off-chain or remote signer)`, false);
          continue;
        }
        try {
          const payment = await buildByocPayment(deps.ticketSender, token, plan.numTickets);
          headers['Livepeer-Payment'] = payment.header;
          if (payment.batch) {
            emitTickets(deps.bus, requestId, payment.batch);
            deps.balances.credit(recipient, job.capability, payment.batch.ev.mul(BigInt(payment.batch.count)));
          }
        } catch (err) {
          fail(uri, `Unable to create payment err=${(err as Error).message}`, false);
          continue;
        }
      }
      deps.bus.emit({ type: 'segment.sent', streamId: requestId, segment: 0, orchestrator: uri, attempt, bytes: body.length });
      const t0 = performance.now();
      let up: IncomingMessage;
      try {
        up = await postForStream(`${uri}${path}`, { headers, body, headersTimeoutMs: (job.timeoutSeconds + 5) * 1000, signal });
      } catch (err) {
        fail(uri, (err as Error).message, false);
        continue;
      }
      const status = up.statusCode ?? 0;
      if (status >= 400) {
        const text = (await readAll(up, 1024 * 1024, 30_000).catch(() => Buffer.alloc(0))).toString('utf8').trim();
        if (status < 500) {
          fail(uri, text || `HTTP ${status}`, true);
          deps.metrics?.byocJobs.inc({ capability: job.capability, outcome: 'rejected' });
          return sendText(res, status, text);
        }
        fail(uri, text || `HTTP ${status}`, false);
        continue;
      }
      const outHeaders: Record<string, string> = { 'X-Orchestrator-Url': uri };
      const balance = up.headers['livepeer-balance'];
      if (typeof balance === 'string') outHeaders['Livepeer-Balance'] = balance;
      const metadata = up.headers['x-metadata'];
      if (typeof metadata === 'string') outHeaders['X-Metadata'] = metadata;
      const type = String(up.headers['content-type'] ?? '');
      if (/text\/event-stream/i.test(type)) {
        res.writeHead(status, { ...outHeaders, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.flushHeaders();
        try {
          for await (const chunk of up as AsyncIterable<Buffer>) res.write(chunk);
        } catch {
          // O or the client went away mid-stream: nothing more to relay
        }
        res.end();
      } else {
        let data: Buffer;
        try {
          data = await readAll(up, BYOC_MAX_BODY);
        } catch (err) {
          fail(uri, (err as Error).message, false);
          continue;
        }
        res.writeHead(status, { ...outHeaders, 'content-type': type || 'application/octet-stream', 'content-length': String(data.length) });
        res.end(data);
      }
      const seconds = (performance.now() - t0) / 1000;
      deps.balances.debitSeconds(recipient, job.capability, plan.price, seconds);
      const fee = plan.price.mul(BigInt(Math.max(1, Math.ceil(seconds))));
      deps.bus.emit({ type: 'segment.transcoded', streamId: requestId, segment: 0, orchestrator: uri, latencyMs: Math.round(seconds * 1000), renditions: 1, feeWei: fee.ceil().toString() });
      deps.metrics?.byocJobs.inc({ capability: job.capability, outcome: 'ok' });
      return;
    }
    deps.metrics?.byocJobs.inc({ capability: job.capability, outcome: 'failed' });
    if (last) deps.bus.emit({ type: 'segment.failed', streamId: requestId, segment: 0, orchestrator: last.uri, attempt, error: last.reason, final: true });
    sendText(res, 503, `job not able to be processed by any orchestrator${last ? `: last error from ${last.uri}: ${last.reason}` : ''}`);
  } finally {
    deps.jobs.end(requestId);
  }
}
