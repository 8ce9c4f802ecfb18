// POST /segment in go-livepeer's order (server/segment_rpc.go ServeSegment, processPaymentAndSegmentHeaders,
// verifySegCreds): header checks and payment with go-livepeer's status codes and texts, then 200 and the
// TranscodeResult, whose `error` carries anything that fails after the 200.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Agent, fetch } from 'undici';
import { type Address, toChecksumAddress } from '../../core/protocol/address.js';
import { compatibleWith } from '../../core/protocol/capabilities.js';
import { base64Decode, bytesEqual, concatBytes } from '../../core/protocol/encoding.js';
import {
  CapabilitiesSchema,
  type Payment,
  PaymentSchema,
  type SegData,
  SegDataSchema,
  type TranscodeResult,
  TranscodeResultSchema,
  type VideoProfile,
  VideoProfile_Format,
} from '../../core/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../core/protocol/hash.js';
import { Rational } from '../../core/protocol/rational.js';
import { flattenSegData, segDataProfiles } from '../../core/protocol/segData.js';
import { verifySig } from '../../core/protocol/signer.js';
import { signTranscodeResult } from '../../core/protocol/transcodeData.js';
import { transcodeDebit } from '../../core/protocol/fees.js';
import { transcodeSegment } from '../../core/media/transcode.js';
import type { FaultInjector } from './faults.js';
import { type OrchestratorNode, toAddressBytes } from './orchestratorNode.js';
import type { Sessions } from './sessions.js';

/** go-livepeer common.MaxSegSize. */
export const MAX_SEGMENT_BYTES = 300_000_000;
/** go-livepeer common.MaxDuration (5 min), in ms. */
const MAX_DURATION_MS = 5 * 60 * 1000;
const URI_CONTENT_TYPE = 'application/vnd+livepeer.uri';
const PROTO_ERROR = 'proto: cannot parse invalid wire-format data';

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

/** Go's http.Error: text/plain, nosniff, body + "\n". */
export function httpError(res: Http2ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}

/** Go's base64.StdEncoding.DecodeString, with its error text. */
function goBase64(text: string): Uint8Array {
  const clean = text.replace(/[\r\n]/g, '');
  const bad = clean.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) throw new Error(`illegal base64 data at input byte ${bad}`);
  try {
    return base64Decode(clean);
  } catch {
    const pad = clean.indexOf('=');
    throw new Error(`illegal base64 data at input byte ${pad >= 0 ? pad : clean.length - (clean.length % 4)}`);
  }
}

function header(req: Http2ServerRequest, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** go-livepeer makeFfmpegVideoProfiles checks; empty names become net_<w>x<h>_<bitrate>. */
function netProfiles(seg: SegData): VideoProfile[] | string {
  const out: VideoProfile[] = [];
  for (const p of segDataProfiles(seg)) {
    if (p.format !== VideoProfile_Format.MPEGTS && p.format !== VideoProfile_Format.MP4) return 'unrecognized profile output format';
    if (p.profile < 0 || p.profile > 4) return 'unrecognized encoder profile';
    if (p.encoder < 0 || p.encoder > 3) return 'unrecognized video codec';
    out.push(p.name === '' ? { ...p, name: `net_${p.width}x${p.height}_${p.bitrate}` } : p);
  }
  return out;
}

async function readBody(req: Http2ServerRequest, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
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

  let payment: Payment;
  try {
    const bytes = goBase64(header(req, 'livepeer-payment'));
    try {
      payment = fromBinary(PaymentSchema, bytes);
    } catch {
      return reject(402, `protobuf unmarshal error: ${PROTO_ERROR}`);
    }
  } catch (err) {
    return reject(402, `base64 decode error: ${(err as Error).message}`);
  }
  const senderBytes = toAddressBytes(payment.sender);
  const sender: Address = toChecksumAddress(senderBytes);

  let seg: SegData;
  try {
    seg = fromBinary(SegDataSchema, goBase64(header(req, 'livepeer-segment')));
  } catch (err) {
    return reject(403, (err as Error).message.startsWith('illegal base64') ? 'ErrorSegEncoding' : PROTO_ERROR);
  }
  const profiles = netProfiles(seg);
  if (typeof profiles === 'string') return reject(403, profiles);
  if (seg.duration < 0 || seg.duration > MAX_DURATION_MS) return reject(403, 'invalid duration');
  if (!node.cfg.offchain) {
    let ok = false;
    try {
      const flat = flattenSegData({ manifestId: new TextDecoder().decode(seg.manifestId), seq: seg.seq < 0n ? 0n : seg.seq, hash: toHash32(seg.hash), profiles });
      ok = seg.seq >= 0n && verifySig(senderBytes, keccak256(flat), seg.sig).ok;
    } catch {
      ok = false;
    }
    if (!ok) return reject(403, 'ErrSegSig');
  }
  if (!compatibleWith(seg.capabilities ?? create(CapabilitiesSchema), node.capabilities)) return reject(403, 'incompatible capabilities');
  const tokenErr = node.cfg.tokens.check(seg.authToken);
  if (tokenErr !== null) return reject(403, tokenErr);
  const authToken = seg.authToken!;
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

/** Go's ethcommon.BytesToHash: last 32 bytes, left-padded. */
function toHash32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b;
  const out = new Uint8Array(32);
  if (b.length > 32) out.set(b.subarray(b.length - 32));
  else out.set(b, 32 - b.length);
  return out;
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
