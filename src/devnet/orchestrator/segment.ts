// POST /segment in go-livepeer's order (server/segment_rpc.go ServeSegment, processPaymentAndSegmentHeaders,
// verifySegCreds): header checks and payment with go-livepeer's status codes and texts, then 200 and the
// TranscodeResult, whose `error` carries anything that fails after the 200.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { Agent, fetch } from 'undici';
import type { Address } from '../../lib/protocol/address.js';
import { bytesEqual, concatBytes } from '../../lib/protocol/encoding.js';
import {
  type SegData,
  type TranscodeResult,
  TranscodeResultSchema,
  type VideoProfile,
  VideoProfile_Format,
} from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../lib/protocol/hash.js';
import { Rational } from '../../lib/protocol/rational.js';
import { signTranscodeResult } from '../../lib/protocol/transcodeData.js';
import { transcodeDebit } from '../../lib/protocol/fees.js';
import { transcodeSegment } from '../../lib/media/transcode.js';
import { decodePayment, header, httpError, readBody, toHash32, verifySegCreds } from './credentials.js';
import type { FaultInjector } from './faults.js';
import type { OrchestratorNode } from './orchestratorNode.js';
import type { Sessions } from './sessions.js';

export { httpError } from './credentials.js';

/** go-livepeer common.MaxSegSize. */
export const MAX_SEGMENT_BYTES = 300_000_000;
const URI_CONTENT_TYPE = 'application/vnd+livepeer.uri';

export interface SegmentContext {
  node: OrchestratorNode;
  sessions: Sessions;
  faults: FaultInjector;
  serviceUri: string;
  passthrough: boolean;
  /** ffmpeg binary; resolved lazily (not needed with passthrough). */
  ffmpeg: () => Promise<string>;
  /** Called after the answer that exhausts dieAfter. */
  onDie: () => void;
}

const insecure = new Agent({ connect: { rejectUnauthorized: false } });

async function download(uri: string): Promise<Uint8Array> {
  const res = await fetch(uri, { dispatcher: insecure, signal: AbortSignal.timeout(8000) });
  if (res.status !== 200) throw new Error(`GET ${uri}: status ${res.status}`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > MAX_SEGMENT_BYTES) throw new Error('input too large');
  return buf;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Serves one POST /segment. */
export async function serveSegment(ctx: SegmentContext, req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
  const { node } = ctx;
  const reject = (status: number, text: string): void => {
    node.counters.segmentsRejected++;
    httpError(res, status, text);
  };

  const pay = decodePayment(req);
  if (!pay.ok) return reject(pay.status, pay.text);
  const { payment, sender, senderBytes } = pay;
  const creds = verifySegCreds(node, req, senderBytes);
  if (!creds.ok) return reject(creds.status, creds.text);
  const { seg, profiles, authToken } = creds;
  const sid = authToken.sessionId;
  if (!ctx.sessions.hasRoomFor(sid)) return reject(403, 'OrchestratorCapped');

  let info;
  try {
    info = await node.orchestratorInfo(senderBytes, sid);
    info.authToken = authToken;
  } catch (err) {
    node.cfg.logger.error(`error updating orchestrator info: ${(err as Error).message}`);
    return reject(500, 'Internal Server Error');
  }

  const payErr = await node.processPayment(payment, sender, sid);
  if (payErr !== null) return reject(400, payErr);
  const ep = payment.expectedPrice;
  const price = node.cfg.offchain ? Rational.ZERO : (ep && ep.pixelsPerUnit !== 0n ? Rational.of(ep.pricePerUnit, ep.pixelsPerUnit) : node.sessionPrice(sender, sid));
  if (price.sign() > 0 && !node.sufficientBalance(sender, sid)) return reject(400, 'Insufficient balance');

  let data: Uint8Array;
  try {
    data = await readBody(req, MAX_SEGMENT_BYTES);
  } catch {
    return reject(500, 'Internal Server Error');
  }
  let uri = '';
  if (header(req, 'content-type') === URI_CONTENT_TYPE) {
    uri = new TextDecoder().decode(data);
    try {
      data = await download(uri);
    } catch (err) {
      node.cfg.logger.warn(`error getting input segment from ${uri}: ${(err as Error).message}`);
      return reject(400, 'BadRequest');
    }
  }
  const bodyHash = keccak256(data);
  if (!bytesEqual(bodyHash, toHash32(seg.hash))) return reject(403, 'Forbidden');

  // Headers go out now: go-livepeer flushes the 200 before transcoding, and gateways time the upload by it.
  // (HTTP/2 sends them on writeHead; an HTTP/1.1 response needs the explicit flush.)
  res.writeHead(200);
  (res as unknown as { flushHeaders?: () => void }).flushHeaders?.();
  const result = await transcode(ctx, seg, profiles, data, bodyHash, sender, sid);
  const tr: TranscodeResult = create(TranscodeResultSchema, { seq: seg.seq, result, info });
  node.counters.segments++;
  res.end(toBinary(TranscodeResultSchema, tr));
  if (ctx.faults.segmentAnswered()) {
    node.cfg.logger.warn('dieAfter reached: dying');
    res.once('finish', () => ctx.onDie());
  }
}

/** Transcodes, stores the renditions in the session's memory store and debits the balance. */
async function transcode(
  ctx: SegmentContext,
  seg: SegData,
  profiles: VideoProfile[],
  data: Uint8Array,
  bodyHash: Uint8Array,
  sender: Address,
  sid: string,
): Promise<TranscodeResult['result']> {
  const { node } = ctx;
  const error = (value: string): TranscodeResult['result'] => ({ case: 'error', value });
  if (!ctx.sessions.acquire(sid)) return error('OrchestratorCapped');
  const fault = ctx.faults.nextSegment();
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.error !== undefined) return error(fault.error);
  if (profiles.some((p) => p.format === VideoProfile_Format.MP4)) return error('Muxer not found');
  let renditions;
  try {
    renditions = await transcodeSegment(
      data,
      profiles.map((p) => ({ name: p.name, width: p.width, height: p.height, bitrate: p.bitrate, fps: p.fps, fpsDen: p.fpsDen })),
      { ffmpeg: ctx.passthrough ? 'ffmpeg' : await ctx.ffmpeg(), passthrough: ctx.passthrough },
    );
  } catch (err) {
    const msg = ((err as Error).message.split('\n')[0] ?? 'transcode failed').trim();
    node.cfg.logger.warn(`transcode failed session=${sid} seq=${seg.seq}: ${msg}`);
    return error(msg);
  }
  const segments = renditions.map((r) => {
    const name = `${r.name}/${seg.seq}.ts`;
    ctx.sessions.put(sid, name, r.data);
    return {
      $typeName: 'net.TranscodedSegmentData' as const,
      url: `${ctx.serviceUri}/stream/${sid}/${encodeURIComponent(r.name)}/${seg.seq}.ts`,
      pixels: r.pixels,
      perceptualHashUrl: '',
    };
  });
  if (!node.cfg.offchain) {
    // The pinned price (go-livepeer debits the payment's expected price, which must match it).
    const price = node.sessionPrice(sender, sid);
    node.cfg.balances.debit(sender, sid, transcodeDebit(renditions.map((r) => r.pixels), price));
  }
  const signer = node.cfg.signer;
  let sig: Uint8Array = new Uint8Array(0);
  if (signer && !node.cfg.offchain) {
    // Passthrough renditions are copies of the body: reuse its hash (keccak in JS dominates a passthrough segment).
    sig = ctx.passthrough
      ? await signer.signHash(keccak256(concatBytes(...renditions.map(() => bodyHash))))
      : await signTranscodeResult(signer, renditions.map((r) => r.data));
  }
  return { case: 'data', value: { $typeName: 'net.TranscodeData', segments, sig } };
}
