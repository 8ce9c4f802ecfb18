// The header checks every paid request to the devnet orchestrator shares (go-livepeer getPayment, verifySegCreds):
// decoding Livepeer-Payment (402) and verifying the Livepeer-Segment credentials (403), with go-livepeer's texts.
// POST /segment and the AI routes both start with these two steps.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { create, fromBinary } from '@bufbuild/protobuf';
import { type Address, toChecksumAddress } from '../../lib/protocol/address.js';
import { compatibleWith } from '../../lib/protocol/capabilities.js';
import { base64Decode } from '../../lib/protocol/encoding.js';
import {
  type AuthToken,
  CapabilitiesSchema,
  type Payment,
  PaymentSchema,
  type SegData,
  SegDataSchema,
  type VideoProfile,
  VideoProfile_Format,
} from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../lib/protocol/hash.js';
import { flattenSegData, segDataProfiles } from '../../lib/protocol/segData.js';
import { verifySig } from '../../lib/protocol/signer.js';
import { type OrchestratorNode, toAddressBytes } from './orchestratorNode.js';

/** go-livepeer common.MaxDuration (5 min), in ms. */
const MAX_DURATION_MS = 5 * 60 * 1000;
const PROTO_ERROR = 'proto: cannot parse invalid wire-format data';

/** A rejection: HTTP status and go-livepeer's plain-text message. */
export interface Rejection {
  ok: false;
  status: number;
  text: string;
}

/** Go's http.Error: text/plain, nosniff, body + "\n". */
export function httpError(res: Http2ServerResponse, status: number, text: string): void {
  // A client that went away leaves nothing to answer (HTTP/1.1 responses have no stream).
  if (res.headersSent || res.stream?.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}

/** Go's base64.StdEncoding.DecodeString, with its error text. */
export function goBase64(text: string): Uint8Array {
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

/** A request header as one string ('' when absent). */
export function header(req: Http2ServerRequest, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** Reads a request body, failing once it exceeds `limit` bytes. */
export async function readBody(req: Http2ServerRequest, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Go's ethcommon.BytesToHash: last 32 bytes, left-padded. */
export function toHash32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b;
  const out = new Uint8Array(32);
  if (b.length > 32) out.set(b.subarray(b.length - 32));
  else out.set(b, 32 - b.length);
  return out;
}

/** A decoded Livepeer-Payment and its sender (the zero address for an empty payment). */
export interface DecodedPayment {
  ok: true;
  payment: Payment;
  sender: Address;
  senderBytes: Uint8Array;
}

/** Livepeer-Payment → Payment, or 402 with go-livepeer's text. */
export function decodePayment(req: Http2ServerRequest): DecodedPayment | Rejection {
  let payment: Payment;
  try {
    const bytes = goBase64(header(req, 'livepeer-payment'));
    try {
      payment = fromBinary(PaymentSchema, bytes);
    } catch {
      return { ok: false, status: 402, text: `protobuf unmarshal error: ${PROTO_ERROR}` };
    }
  } catch (err) {
    return { ok: false, status: 402, text: `base64 decode error: ${(err as Error).message}` };
  }
  const senderBytes = toAddressBytes(payment.sender);
  return { ok: true, payment, sender: toChecksumAddress(senderBytes), senderBytes };
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

/** Verified segment credentials. */
export interface SegCreds {
  ok: true;
  seg: SegData;
  profiles: VideoProfile[];
  authToken: AuthToken;
}

/**
 * go-livepeer verifySegCreds: decode, profiles, duration, the sender's signature over the flatten (skipped
 * off-chain), capability compatibility, then the auth token — each failure a 403.
 */
export function verifySegCreds(node: OrchestratorNode, req: Http2ServerRequest, senderBytes: Uint8Array): SegCreds | Rejection {
  const reject = (text: string): Rejection => ({ ok: false, status: 403, text });
  let seg: SegData;
  try {
    seg = fromBinary(SegDataSchema, goBase64(header(req, 'livepeer-segment')));
  } catch (err) {
    return reject((err as Error).message.startsWith('illegal base64') ? 'ErrorSegEncoding' : PROTO_ERROR);
  }
  const profiles = netProfiles(seg);
  if (typeof profiles === 'string') return reject(profiles);
  if (seg.duration < 0 || seg.duration > MAX_DURATION_MS) return reject('invalid duration');
  if (!node.cfg.offchain) {
    let ok = false;
    try {
      const flat = flattenSegData({ manifestId: new TextDecoder().decode(seg.manifestId), seq: seg.seq < 0n ? 0n : seg.seq, hash: toHash32(seg.hash), profiles });
      ok = seg.seq >= 0n && verifySig(senderBytes, keccak256(flat), seg.sig).ok;
    } catch {
      ok = false;
    }
    if (!ok) return reject('ErrSegSig');
  }
  if (!compatibleWith(seg.capabilities ?? create(CapabilitiesSchema), node.capabilities)) return reject('incompatible capabilities');
  const tokenErr = node.cfg.tokens.check(seg.authToken);
  if (tokenErr !== null) return reject(tokenErr);
  return { ok: true, seg, profiles, authToken: seg.authToken! };
}
