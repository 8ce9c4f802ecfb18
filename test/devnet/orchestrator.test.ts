// The devnet orchestrator over real TLS + HTTP/2 (simulated chain): discovery, a paid transcoded segment, and
// go-livepeer's rejections with their status codes and texts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  bytesToBigint,
  buildCapabilities,
  buildOrchestratorRequest,
  CapabilitiesSchema,
  decodeBitstring,
  keccak256,
  PingPongSchema,
  verifySig,
  estimateFee,
  fromBinaryOrchestratorInfo,
  pricePerPixel,
  ticketParamsEV,
  ticketsNeeded,
  toBinaryOrchestratorRequest,
  verifyTranscodeResult,
  winProbForEV,
  type OrchestratorInfo,
} from './helpers/protocol.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { OrchClient } from './helpers/orchClient.js';
import { DEV_KEYS, makeTestTs, orchRequest, PROFILES, probeVideo, segmentHeaders, signers } from './helpers/payments.js';

const ORCH_ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const EV = 8_000_000_000n;

let orch: DevnetOrchestrator;
let client: OrchClient;
let ts: Uint8Array;
const gw = signers.gateway();

async function discover(c: OrchClient = client): Promise<OrchestratorInfo> {
  const r = await c.getOrchestrator(await orchRequest(gw));
  expect(r.status, r.message).toBe(0);
  return r.info!;
}

/** Tickets a gateway would send for one 2 s segment with an empty balance. */
function ticketsFor(info: OrchestratorInfo): number {
  const fee = estimateFee(PROFILES, 2, pricePerPixel(info.priceInfo));
  return ticketsNeeded({ fee, ev: ticketParamsEV(info.ticketParams!), existingBalance: 0n }).numTickets;
}

beforeAll(async () => {
  [orch, ts] = await Promise.all([startDevnetOrchestrator({ pricePerUnit: 1200n, pixelsPerUnit: 1n, ethKey: DEV_KEYS.orchestrator }), makeTestTs()]);
  client = new OrchClient(orch.serviceUri);
});

afterAll(async () => {
  client?.close();
  await orch?.close();
});

describe('GetOrchestrator', () => {
  it('quotes the price, ticket params for the ticket EV, an auth token and transcoding capabilities', async () => {
    const before = Math.floor(Date.now() / 1000);
    const info = await discover();
    expect(info.transcoder).toBe(orch.serviceUri);
    expect(orch.serviceUri).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(bytesToBigint(info.address)).toBe(BigInt(ORCH_ADDRESS));
    expect(info.priceInfo?.pricePerUnit).toBe(1200n);
    expect(info.priceInfo?.pixelsPerUnit).toBe(1n);
    const tp = info.ticketParams!;
    expect(bytesToBigint(tp.recipient)).toBe(BigInt(ORCH_ADDRESS));
    const faceValue = bytesToBigint(tp.faceValue);
    expect(faceValue).toBe(EV * 100n); // no gas price on the simulated chain: EV × 100
    expect(bytesToBigint(tp.winProb)).toBe(winProbForEV(EV, faceValue));
    const ev = ticketParamsEV(tp);
    expect(ev.gte(EV) && ev.lt(EV + 1n)).toBe(true);
    expect(tp.recipientRandHash.length).toBe(32);
    expect(tp.seed.length).toBeGreaterThan(20);
    expect(bytesToBigint(tp.expirationBlock)).toBe(BigInt(Math.floor(Date.now() / 12_000)) + 40n);
    expect(tp.expirationParams?.creationRound).toBe(1n);
    expect(tp.expirationParams?.creationRoundBlockHash.length).toBe(32);
    const token = info.authToken!;
    expect(token.sessionId).toMatch(/^[0-9a-f]{8}$/);
    expect(token.token.length).toBe(32);
    expect(Number(token.expiration)).toBeGreaterThanOrEqual(before + 1800);
    expect(Number(token.expiration)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1800);
    const caps = info.capabilities!;
    expect(decodeBitstring(caps.bitstring)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 26]);
    expect(decodeBitstring(caps.mandatories)).toEqual([12]);
    expect(caps.version).toBe('0.9.1-devnet');
  });

  it('mints new params and a new session per call', async () => {
    const [a, b] = [await discover(), await discover()];
    expect(a.authToken!.sessionId).not.toBe(b.authToken!.sessionId);
    expect(Buffer.from(a.ticketParams!.recipientRandHash).equals(Buffer.from(b.ticketParams!.recipientRandHash))).toBe(false);
  });

  it('rejects a request signed by another account (on-chain O)', async () => {
    const req = await orchRequest(gw);
    req.sig = (await orchRequest(signers.other())).sig;
    const r = await client.getOrchestrator(req);
    expect(r.status).toBe(2);
    expect(r.message).toBe('Invalid orchestrator request: orchestrator req sig check failed');
    const unsigned = await client.getOrchestrator(buildOrchestratorRequest({}));
    expect(unsigned.message).toBe('Invalid orchestrator request: orchestrator req sig check failed');
  });

  it('answers Ping with the node account signature', async () => {
    const value = new Uint8Array([1, 2, 3, 4]);
    const r = await client.grpc('Ping', toBinary(PingPongSchema, create(PingPongSchema, { value })));
    expect(r.status).toBe(0);
    const sig = fromBinary(PingPongSchema, r.body!).value;
    expect(verifySig(ORCH_ADDRESS, keccak256(value), sig).ok).toBe(true);
  });

  it('interoperates with @grpc/grpc-js verifying the self-signed certificate', async () => {
    const creds = grpc.credentials.createSsl(Buffer.from(orch.certPem));
    const c = new grpc.Client(new URL(orch.serviceUri).host, creds);
    try {
      const call = (req: Uint8Array) =>
        new Promise<{ err: grpc.ServiceError | null; info?: OrchestratorInfo }>((resolve) => {
          c.makeUnaryRequest('/net.Orchestrator/GetOrchestrator', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => fromBinaryOrchestratorInfo(b), req, (err, info) =>
            resolve({ err, ...(info ? { info } : {}) }),
          );
        });
      const ok = await call(toBinaryOrchestratorRequest(await orchRequest(gw)));
      expect(ok.err).toBeNull();
      expect(ok.info?.priceInfo?.pricePerUnit).toBe(1200n);
      const bad = await call(toBinaryOrchestratorRequest(buildOrchestratorRequest({})));
      expect(bad.err?.code).toBe(grpc.status.UNKNOWN);
      expect(bad.err?.details).toBe('Invalid orchestrator request: orchestrator req sig check failed');
    } finally {
      c.close();
    }
  });
});

describe('POST /segment', () => {
  it('transcodes a paid segment into P240p30fps16x9 and P360p30fps16x9 with downloadable renditions', async () => {
    const info = await discover();
    const n = ticketsFor(info);
    expect(n).toBe(4); // ⌈1.02 × 19,958,400 px × 1200 / 8e9⌉
    const h = await segmentHeaders({ info, signer: gw, data: ts, numTickets: n, seq: 3 });
    const r = await client.postSegment(h.seg, h.pay, ts);
    expect(r.status, r.text).toBe(200);
    const tr = r.result!;
    expect(tr.seq).toBe(3n);
    expect(tr.info?.authToken?.sessionId).toBe(info.authToken!.sessionId);
    expect(Buffer.from(tr.info!.ticketParams!.recipientRandHash).equals(Buffer.from(info.ticketParams!.recipientRandHash))).toBe(false);
    expect(tr.result.case).toBe('data');
    if (tr.result.case !== 'data') return;
    const segs = tr.result.value.segments;
    expect(segs.map((s) => s.url)).toEqual(PROFILES.map((p) => `${orch.serviceUri}/stream/${info.authToken!.sessionId}/${p.name}/3.ts`));
    const datas: Uint8Array[] = [];
    for (const [i, s] of segs.entries()) {
      const d = await client.download(s.url);
      expect(d.status).toBe(200);
      datas.push(new Uint8Array(d.body));
      const v = await probeVideo(new Uint8Array(d.body));
      expect([v.width, v.height]).toEqual([PROFILES[i]!.width, PROFILES[i]!.height]);
      expect(s.pixels).toBe(BigInt(v.width * v.height * v.frames));
    }
    expect(verifyTranscodeResult(ORCH_ADDRESS, datas, tr.result.value.sig).ok).toBe(true);
    const key = `${gw.address}/${info.authToken!.sessionId}`;
    const balance = Number(orch.stats().balanceBySession[key]);
    const pixels = segs.reduce((a, s) => a + s.pixels, 0n);
    expect(balance).toBeCloseTo(4 * 8e9 - Number(pixels) * 1200, -3);
    expect((await client.get(`/stream/${info.authToken!.sessionId}/P240p30fps16x9/99.ts`)).status).toBe(404);
  });

  it('rejects a bad SegData signature with 403 ErrSegSig', async () => {
    const info = await discover();
    const h = await segmentHeaders({ info, signer: gw, data: ts, mutateSeg: (s) => (s.sig[10] = (s.sig[10] as number) ^ 1) });
    const r = await client.postSegment(h.seg, h.pay, ts);
    expect([r.status, r.text]).toEqual([403, 'ErrSegSig\n']);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('rejects a body that does not match SegData.hash with 403 Forbidden', async () => {
    const info = await discover();
    const h = await segmentHeaders({ info, signer: gw, data: ts, numTickets: 4 });
    const r = await client.postSegment(h.seg, h.pay, ts.subarray(0, ts.length - 188));
    expect([r.status, r.text]).toEqual([403, 'Forbidden\n']);
  });

  it('rejects a reused ticket nonce with 400', async () => {
    const info = await discover();
    const first = await segmentHeaders({ info, signer: gw, data: ts, numTickets: 4, seq: 0 });
    expect((await client.postSegment(first.seg, first.pay, ts)).status).toBe(200);
    const again = await segmentHeaders({ info, signer: gw, data: ts, numTickets: 1, firstNonce: 2, seq: 1 });
    const r = await client.postSegment(again.seg, again.pay, ts);
    expect([r.status, r.text]).toEqual([400, `invalid ticket senderNonce: already seen sender=${gw.address} nonce=2\n`]);
  });

  it('rejects a changed expected price (recipientRand mismatch) and an invalid one', async () => {
    const info = await discover();
    const changed = await segmentHeaders({
      info, signer: gw, data: ts, numTickets: 4,
      mutatePayment: (p) => (p.expectedPrice = { ...p.expectedPrice!, pricePerUnit: 1100n }),
    });
    const r1 = await client.postSegment(changed.seg, changed.pay, ts);
    expect([r1.status, r1.text]).toEqual([400, 'invalid recipientRand for ticket recipientRandHash\n']);
    const zero = await segmentHeaders({
      info, signer: gw, data: ts, numTickets: 4,
      mutatePayment: (p) => (p.expectedPrice = { ...p.expectedPrice!, pixelsPerUnit: 0n }),
    });
    const r2 = await client.postSegment(zero.seg, zero.pay, ts);
    expect([r2.status, r2.text]).toEqual([400, 'invalid expected price sent with payment err="pixels per unit is 0"\n']);
  });

  it('answers 400 Insufficient balance without enough tickets', async () => {
    const info = await discover();
    const h = await segmentHeaders({ info, signer: gw, data: ts, numTickets: 0 });
    const r = await client.postSegment(h.seg, h.pay, ts);
    expect([r.status, r.text]).toEqual([400, 'Insufficient balance\n']);
  });

  it('checks the auth token: missing, invalid', async () => {
    const info = await discover();
    const missing = await segmentHeaders({ info, signer: gw, data: ts, mutateSeg: (s) => (s.authToken = undefined) });
    expect((await client.postSegment(missing.seg, missing.pay, ts)).text).toBe('missing auth token\n');
    const forged = await segmentHeaders({ info, signer: gw, data: ts, mutateSeg: (s) => (s.authToken!.expiration += 60n) });
    const r = await client.postSegment(forged.seg, forged.pay, ts);
    expect([r.status, r.text]).toEqual([403, 'invalid auth token\n']);
  });

  it('rejects incompatible job capabilities with 403', async () => {
    const info = await discover();
    const h = await segmentHeaders({
      info, signer: gw, data: ts,
      mutateSeg: (s) => (s.capabilities = buildCapabilities({ ids: [0, 1, 12, 15] })),
    });
    const r = await client.postSegment(h.seg, h.pay, ts);
    expect([r.status, r.text]).toEqual([403, 'incompatible capabilities\n']);
    const none = await segmentHeaders({ info, signer: gw, data: ts, mutateSeg: (s) => (s.capabilities = create(CapabilitiesSchema)) });
    expect((await client.postSegment(none.seg, none.pay, ts)).text).toBe('incompatible capabilities\n');
  });
});

describe('malformed input', () => {
  it('answers 4xx and keeps serving', async () => {
    const info = await discover();
    const good = await segmentHeaders({ info, signer: gw, data: ts });
    const badB64 = await client.postSegment(good.seg, '%%%not base64', ts);
    expect(badB64.status).toBe(402);
    expect(badB64.text).toMatch(/^base64 decode error: illegal base64 data at input byte \d+\n$/);
    const badProto = await client.postSegment(good.seg, Buffer.from([0xff, 0xff, 0xff]).toString('base64'), ts);
    expect(badProto.status).toBe(402);
    expect(badProto.text).toMatch(/^protobuf unmarshal error: /);
    const segB64 = await client.postSegment('***', good.pay, ts);
    expect([segB64.status, segB64.text]).toEqual([403, 'ErrorSegEncoding\n']);
    const truncated = Buffer.from(good.seg, 'base64').subarray(0, 40).toString('base64');
    expect((await client.postSegment(truncated, good.pay, ts)).status).toBe(403);
    const huge = Buffer.alloc(48 * 1024, 0x41).toString('base64'); // 64 KiB header value
    const hugeR = await client.postSegment(huge, good.pay, ts);
    expect(hugeR.status).toBeGreaterThanOrEqual(400);
    expect(hugeR.status).toBeLessThan(500);
    const grpcJunk = await client.grpc('GetOrchestrator', new Uint8Array([0x0a, 0xff, 0xff]));
    expect(grpcJunk.status).toBe(13);
    const unknown = await client.grpc('NoSuchMethod', new Uint8Array());
    expect(unknown.status).toBe(12);
    expect((await client.get('/nope')).status).toBe(404);
    await discover();
  });
});
