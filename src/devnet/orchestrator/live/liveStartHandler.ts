// POST /live-video-to-video on the devnet orchestrator, in go-livepeer's order (server/ai_http.go
// StartLiveVideoToVideo, live-ai.md §b.4): body (400) → capacity for the pipeline (503 `insufficient capacity`) →
// Livepeer-Payment (402) → Livepeer-Segment (403) → payment credited to (sender, the fresh 8-hex mid) (400) → one
// ticket EV of balance when the expected price is positive (400 `Insufficient balance`) → channels, accounting loop
// and runner (500 if the runner fails). Off-chain the payment steps are skipped. Error bodies are go-livepeer's
// http.Error texts.
import { randomBytes } from 'node:crypto';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Rational } from '../../../lib/protocol/rational.js';
import { decodePayment, header, httpError, readBody, verifySegCreds } from '../credentials.js';
import type { OrchestratorNode } from '../orchestratorNode.js';
import type { LiveCatalog } from './liveCatalog.js';
import { isLivePipeline } from './liveRunner.js';
import type { LiveStreamSpec, LiveStreams } from './liveStreams.js';

/** Largest start body accepted (params are small JSON). */
const MAX_START_BODY = 1024 * 1024;

interface StartBody {
  readonly modelId: string;
  readonly streamId: string;
  readonly requestId: string;
  readonly params: Record<string, unknown>;
}

/** Parses go-livepeer's start body (`model_id`, `stream_id`, `gateway_request_id`, `params`); a string is the reason it is bad. */
export function parseStartBody(body: unknown): StartBody | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object';
  const b = body as Record<string, unknown>;
  const modelId = b.model_id === undefined || b.model_id === '' ? 'noop' : b.model_id;
  if (typeof modelId !== 'string') return 'model_id must be a string';
  const params = b.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'params must be a JSON object';
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return { modelId, streamId: str(b.stream_id), requestId: str(b.gateway_request_id), params: params as Record<string, unknown> };
}

export interface LiveStartContext {
  readonly node: OrchestratorNode;
  readonly catalog: LiveCatalog;
  readonly streams: LiveStreams;
  /** Counts a start answered with an error. */
  readonly rejected: () => void;
  readonly log: (m: string) => void;
}

/** Serves one POST /live-video-to-video. */
export async function serveLiveStart(ctx: LiveStartContext, req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
  const { node, catalog, streams } = ctx;
  const reject = (status: number, text: string): void => {
    ctx.rejected();
    httpError(res, status, text);
  };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(await readBody(req, MAX_START_BODY)).toString('utf8'));
  } catch (err) {
    return reject(400, (err as Error).message.startsWith('body exceeds') ? 'http: request body too large' : 'invalid JSON body');
  }
  const body = parseStartBody(json);
  if (typeof body === 'string') return reject(400, body);
  const pipeline = body.modelId;
  if (!isLivePipeline(pipeline) || !catalog.hasRoom(pipeline)) {
    node.cfg.logger.warn(`insufficient capacity for pipeline=live-video-to-video modelID=${pipeline}`);
    return reject(503, 'insufficient capacity');
  }
  // The slot is held while the payment is checked, so concurrent starts cannot overbook the pipeline.
  const release = streams.reserve(pipeline);
  try {
    const mid = randomBytes(4).toString('hex');
    let payer: LiveStreamSpec['payer'];
    if (!node.cfg.offchain) {
      // go-livepeer decodes a missing header as an empty payment and, with valid credentials, runs the stream unpaid;
      // the devnet refuses that when live is priced, so a gateway that forgets to pay finds out here.
      if (catalog.price.sign() > 0 && header(req, 'livepeer-payment') === '') return reject(402, 'missing payment');
      const pay = decodePayment(req);
      if (!pay.ok) return reject(pay.status, pay.text);
      const creds = verifySegCreds(node, req, pay.senderBytes);
      if (!creds.ok) return reject(creds.status, creds.text);
      const payErr = await node.processPayment(pay.payment, pay.sender, mid);
      if (payErr !== null) return reject(400, payErr);
      const ep = pay.payment.expectedPrice;
      if (ep !== undefined && ep.pricePerUnit > 0n) {
        if (!node.sufficientBalance(pay.sender, mid)) return reject(400, 'Insufficient balance');
        // The stream is billed at the first payment's expected price for its whole life (go-livepeer priceInfo).
        payer = { sender: pay.sender, price: Rational.of(ep.pricePerUnit, ep.pixelsPerUnit) };
      }
    }
    release();
    let reply;
    try {
      reply = await streams.open({ mid, pipeline, streamId: body.streamId, requestId: body.requestId, params: body.params, ...(payer ? { payer } : {}) });
    } catch (err) {
      return reject(500, `runner failed to start: ${(err as Error).message}`);
    }
    ctx.log(`live ${mid}: ${pipeline} for stream ${body.streamId || '(none)'}${payer ? ` paid by ${payer.sender} at ${payer.price.toString()} wei/unit` : ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply));
  } finally {
    release();
  }
}
