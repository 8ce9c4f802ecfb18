// The devnet orchestrator's paid live-video-to-video, against gw's own payment code (a funded local key, simulated
// chain): capability 35 advertised and quoted, go-livepeer's start checks (402/403/400), the start payment credited
// under the reply's manifest_id, debits per input segment every debitIntervalMs, POST /payment top-ups answered with a
// PaymentResult, the stream closed once the balance runs out, and the live runner faults. The orchestrator's clock
// is moved forward to spend a minute of credit in an instant.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPaymentSource } from '../../src/core/payments/localPaymentSource.js';
import type { PreparedPayment } from '../../src/core/payments/paymentSource.js';
import { LV2V_PIXELS_PER_SECOND } from '../../src/lib/payments/liveBilling.js';
import { fixedSenderState } from '../../src/lib/payments/senderMonitor.js';
import { TicketSender } from '../../src/lib/payments/ticketSender.js';
import { resolveFfmpeg } from '../../src/lib/media/ffmpeg.js';
import { Capability } from '../../src/lib/protocol/capabilities.js';
import { type OrchestratorInfo, PaymentResultSchema, PaymentSchema } from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { base64Decode } from '../../src/lib/protocol/encoding.js';
import { encodePaymentHeader } from '../../src/lib/protocol/headers.js';
import { aiJobCapabilities } from '../../src/lib/protocol/jobCapabilities.js';
import { getOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';
import { buildOrchestratorRequest } from '../../src/lib/protocol/orchestratorRequest.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { localSigner } from '../../src/lib/protocol/signer.js';
import { TricklePublisher } from '../../src/lib/trickle/publisher.js';
import { TrickleSubscriber } from '../../src/lib/trickle/subscriber.js';
import { type DevnetOrchestrator, type LiveStreamStats, startDevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { fundedChain, GATEWAY_ADDRESS, GATEWAY_KEY } from '../payments/helpers.js';

const run = promisify(execFile);
const PRICE = 58n;
/** Wei per millisecond of lv2v at PRICE: 27,648 units × 58. */
const WEI_PER_MS = (LV2V_PIXELS_PER_SECOND / 1000n) * PRICE;

let o: DevnetOrchestrator;
let offsetMs = 0;
let segment: Buffer;
const signer = localSigner(GATEWAY_KEY);
const payments = new LocalPaymentSource({ sender: new TicketSender({ signer, chain: fixedSenderState(fundedChain()) }), signer });
const caps = (modelId: string) => aiJobCapabilities({ capability: Capability.LiveVideoToVideo, modelId, version: '0.9.1' });

interface Reply {
  status: number;
  text: string;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

function post(path: string, headers: Record<string, string>, body = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${o.serviceUri}${path}`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, text: b.toString('utf8'), body: b, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const startBody = (model: string) => JSON.stringify({ model_id: model, stream_id: `s-${model}`, gateway_request_id: randomBytes(4).toString('hex'), params: {} });
const payHeaders = (p: PreparedPayment) => ({ 'livepeer-payment': p.paymentHeader, 'livepeer-segment': p.segCredsHeader });

async function orchestratorInfo(model: string | null): Promise<OrchestratorInfo> {
  const { sig } = await payments.identity();
  const req = buildOrchestratorRequest({ signer, sig, ...(model ? { capabilities: caps(model) } : {}) });
  return (await getOrchestrator(o.serviceUri, req)).info;
}

function liveStream(mid: string): LiveStreamStats {
  const s = o.stats().live!.streams.find((x) => x.manifestId === mid);
  if (!s) throw new Error(`no stats for ${mid}`);
  return s;
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const wei = (s: string) => Rational.parse(s);
const evOf = (p: PreparedPayment) => p.batch!.ev.mul(BigInt(p.numTickets));

/** Starts a paid stream of `model` and returns the reply's channels. */
async function paidStart(model: string): Promise<{ mid: string; info: OrchestratorInfo; urls: Record<string, string>; paid: PreparedPayment }> {
  const info = await orchestratorInfo(model);
  const paid = await payments.openSession(info, { capabilities: caps(model) }).pay({ kind: 'live', type: 'lv2v' });
  const r = await post('/live-video-to-video', payHeaders(paid), startBody(model));
  expect(r.status, r.text).toBe(200);
  const urls = JSON.parse(r.text) as Record<string, string>;
  return { mid: urls.manifest_id!, info, urls, paid };
}

beforeAll(async () => {
  const ffmpeg = (await resolveFfmpeg()).path;
  const { stdout } = await run(
    ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=64x48:r=10', '-t', '0.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mpegts', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 16 << 20 },
  );
  segment = stdout;
  o = await startDevnetOrchestrator({
    pricePerUnit: 1200n,
    pixelsPerUnit: 1n,
    ethKey: `0x${randomBytes(32).toString('hex')}`,
    clock: { now: () => Date.now() + offsetMs },
    ffmpeg,
    live: { capacity: 2, statusIntervalMs: 100, debitIntervalMs: 300 },
  });
});

afterAll(async () => {
  await o?.close();
});

describe('devnet live-video-to-video, paid', () => {
  it('advertises capability 35 (three warm models) and quotes the live price for job caps naming it', async () => {
    const info = await orchestratorInfo('noop');
    const models = info.capabilities!.constraints!.PerCapability[Capability.LiveVideoToVideo]!.models;
    expect(Object.keys(models).sort()).toEqual(['devnet/hue', 'devnet/negate', 'noop']);
    expect(models.noop).toMatchObject({ warm: true, capacity: 2, capacityInUse: 0, runnerVersion: 'devnet-0.1' });
    expect(info.capabilities!.capacities[Capability.LiveVideoToVideo]).toBe(6);
    expect([info.priceInfo!.pricePerUnit, info.priceInfo!.pixelsPerUnit]).toEqual([PRICE, 1n]);
    // Without job caps: the transcoding price, and capability 35 in capabilities_prices.
    const plain = await orchestratorInfo(null);
    expect(plain.priceInfo!.pricePerUnit).toBe(1200n);
    expect(plain.capabilitiesPrices.filter((p) => p.capability === Capability.LiveVideoToVideo).map((p) => [p.constraint, p.pricePerUnit])).toEqual([
      ['noop', PRICE],
      ['devnet/negate', PRICE],
      ['devnet/hue', PRICE],
    ]);
  });

  it("refuses starts in go-livepeer's order: 503 capacity, 402 payment, 403 credentials, 400 balance", async () => {
    const before = o.stats().live!.rejected;
    expect(await post('/live-video-to-video', {}, startBody('no/such-model'))).toMatchObject({ status: 503, text: 'insufficient capacity\n' });
    expect(await post('/live-video-to-video', {}, startBody('noop'))).toMatchObject({ status: 402, text: 'missing payment\n' });
    expect(await post('/live-video-to-video', { 'livepeer-payment': '!!' }, startBody('noop'))).toMatchObject({ status: 402 });
    const info = await orchestratorInfo('noop');
    const paid = await payments.openSession(info, { capabilities: caps('noop') }).pay({ kind: 'live', type: 'lv2v' });
    // Segment credentials signed by another account than the payment's sender.
    const other = localSigner(`0x${randomBytes(32).toString('hex')}`);
    const otherPayments = new LocalPaymentSource({ sender: new TicketSender({ signer: other, chain: fixedSenderState(fundedChain()) }), signer: other });
    const otherCreds = await otherPayments.openSession(info, { capabilities: caps('noop') }).pay({ kind: 'live', type: 'lv2v' });
    expect(await post('/live-video-to-video', { 'livepeer-payment': paid.paymentHeader, 'livepeer-segment': otherCreds.segCredsHeader }, startBody('noop'))).toMatchObject({ status: 403, text: 'ErrSegSig\n' });
    // The same payment without its tickets credits nothing: below one ticket EV.
    const noTickets = fromBinary(PaymentSchema, base64Decode(paid.paymentHeader));
    noTickets.ticketSenderParams = [];
    expect(await post('/live-video-to-video', { 'livepeer-payment': encodePaymentHeader(noTickets), 'livepeer-segment': paid.segCredsHeader }, startBody('noop'))).toMatchObject({ status: 400, text: 'Insufficient balance\n' });
    expect(o.stats().live!.rejected - before).toBe(5);
  });

  it('credits the start payment to the manifest_id, debits per input segment, takes top-ups and closes when the balance is gone', async () => {
    const t0 = Date.now();
    const { mid, info, urls, paid } = await paidStart('noop');
    expect(mid).toMatch(/^[0-9a-f]{8}$/);
    const credited = evOf(paid);
    // 60 s of lv2v at 58 wei/unit, rounded up to whole tickets.
    expect(credited.gte(Rational.of(WEI_PER_MS * 60_000n))).toBe(true);
    expect(wei(liveStream(mid).balanceWei).sub(credited).abs().lte(Rational.of(1, 100))).toBe(true);
    expect(o.stats().balanceBySession[`${GATEWAY_ADDRESS}/${mid}`]).toBe(liveStream(mid).balanceWei);
    expect((await orchestratorInfo('noop')).capabilities!.constraints!.PerCapability[Capability.LiveVideoToVideo]!.models.noop!.capacityInUse).toBe(1);

    const pub = await TricklePublisher.open({ url: urls.publish_url! });
    const out = new TrickleSubscriber({ url: urls.subscribe_url!, start: 0 });
    // Asked for before it exists: the 5-segment ring has moved on by the time we look.
    const firstOut = out.read();
    // Segments for longer than the debit interval: debits in whole milliseconds of 27,648 units at 58 wei.
    for (let i = 0; i < 8; i++) {
      await pub.publish(segment);
      await new Promise((r) => setTimeout(r, 100));
    }
    await until('a debit', () => wei(liveStream(mid).debitedWei).sign() > 0);
    const s1 = liveStream(mid);
    const debited = wei(s1.debitedWei);
    expect(s1.inputSegments).toBe(8);
    expect(debited.isInteger() && debited.floor() % WEI_PER_MS === 0n).toBe(true);
    expect(debited.lte(Rational.of(WEI_PER_MS * BigInt(Date.now() - t0)))).toBe(true);
    expect(wei(s1.balanceWei).sub(credited.sub(debited)).abs().lte(Rational.of(1, 100))).toBe(true);
    const first = (await firstOut)!;
    expect(first.seq).toBe(0);
    for await (const _ of first.body);

    // Top-up: POST /payment with the manifest id as the SegData manifest.
    const topUp = await payments.openSession(info, { manifestId: mid, capabilities: caps('noop') }).pay({ kind: 'live', type: 'lv2v' });
    const beforeTopUp = wei(liveStream(mid).balanceWei);
    const r = await post('/payment', payHeaders(topUp));
    expect(r.status, r.text).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    const result = fromBinary(PaymentResultSchema, new Uint8Array(r.body));
    expect(result.info!.ticketParams).toBeDefined();
    expect([result.info!.priceInfo!.pricePerUnit, result.info!.priceInfo!.pixelsPerUnit]).toEqual([PRICE, 1n]);
    expect(result.info!.authToken!.sessionId).toBe(info.authToken!.sessionId);
    const afterTopUp = wei(liveStream(mid).balanceWei);
    expect(afterTopUp.sub(beforeTopUp).sub(evOf(topUp)).abs().lte(Rational.of(1, 100))).toBe(true);
    expect(o.stats().payments).toBeGreaterThanOrEqual(1);
    // Bad top-ups: go-livepeer's 402 and 403.
    expect((await post('/payment', { 'livepeer-payment': '!!' })).status).toBe(402);
    expect((await post('/payment', { 'livepeer-payment': topUp.paymentHeader, 'livepeer-segment': '' })).status).toBe(403);

    // Spend 80 % of the balance at once (more than was left before the top-up): the stream survives.
    const spendMs = (balance: Rational, share: bigint) => Number((balance.floor() * share) / 100n / WEI_PER_MS);
    expect(Rational.of(WEI_PER_MS * BigInt(spendMs(afterTopUp, 80n))).gt(beforeTopUp)).toBe(true);
    offsetMs += spendMs(afterTopUp, 80n);
    await pub.publish(segment);
    await until('the big debit', () => wei(liveStream(mid).debitedWei).gt(beforeTopUp));
    expect(liveStream(mid).closedReason).toBeUndefined();

    // Half the balance again: more than is left, so nothing is debited and all four channels close.
    const debitedBefore = liveStream(mid).debitedWei;
    offsetMs += spendMs(afterTopUp, 50n);
    await pub.publish(segment).catch(() => undefined);
    await until('the close', () => liveStream(mid).closedReason !== undefined);
    expect(liveStream(mid)).toMatchObject({ closedReason: 'insufficient balance', debitedWei: debitedBefore });
    for (let seg = await out.read(); seg; seg = await out.read()) for await (const _ of seg.body);
    const events = new TrickleSubscriber({ url: urls.events_url!, start: 0 });
    expect(await events.read()).toBeNull();
    await expect(pub.publish(segment)).rejects.toThrow();
    await until('the free slot', () => o.stats().live!.streams.every((s) => s.closedReason !== undefined));
    expect((await orchestratorInfo('noop')).capabilities!.constraints!.PerCapability[Capability.LiveVideoToVideo]!.models.noop!.capacityInUse).toBe(0);
  });

  it('live faults: stalled output, silent events and slow output reach a running stream at once', async () => {
    const faults = async (body: Record<string, unknown>) => {
      const r = await post('/devnet/faults', { authorization: `Bearer ${o.controlToken}` }, JSON.stringify(body));
      expect(r.status, r.text).toBe(200);
      return JSON.parse(r.text) as Record<string, unknown>;
    };
    const { mid, urls } = await paidStart('noop');
    const pub = await TricklePublisher.open({ url: urls.publish_url! });
    const out = new TrickleSubscriber({ url: urls.subscribe_url!, start: 0 });
    const nextOut = async (): Promise<number> => {
      const seg = (await out.read())!;
      for await (const _ of seg.body);
      return seg.seq;
    };

    expect(await faults({ liveStallOutput: true })).toMatchObject({ liveStallOutput: true, liveStopEvents: false, liveSlowMs: 0 });
    await pub.publish(segment);
    await pub.publish(segment);
    await until('the runner reading the input', () => liveStream(mid).inputSegments === 2);
    const pending = nextOut();
    const stalled = await Promise.race([pending.then(() => 'output'), new Promise((r) => setTimeout(() => r('nothing'), 500))]);
    expect(stalled).toBe('nothing');
    expect(liveStream(mid).outputSegments).toBe(0);
    await faults({ liveStallOutput: false, liveSlowMs: 400 });
    const t = Date.now();
    await pub.publish(segment);
    expect(await pending).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(380);

    // Events: a status every 100 ms, none while stopped.
    const events = new TrickleSubscriber({ url: urls.events_url!, start: -1 });
    await events.read();
    await faults({ liveStopEvents: true, liveSlowMs: null });
    // One read in flight at a time: a read that outlives a count carries over to the next.
    let reading: ReturnType<TrickleSubscriber['read']> | undefined;
    const count = async (ms: number) => {
      let n = 0;
      const end = Date.now() + ms;
      while (Date.now() < end) {
        reading ??= events.read();
        const seg = await Promise.race([reading, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), end - Date.now()))]);
        if (seg === 'timeout') continue;
        reading = undefined;
        if (!seg) break;
        n++;
        for await (const _ of seg.body);
      }
      return n;
    };
    await count(200); // what was already in flight
    expect(await count(500)).toBe(0);
    await faults({ reset: true });
    expect(await count(500)).toBeGreaterThan(0);
    events.close();

    // The gateway ends the stream by deleting its input channel.
    await pub.close();
    await until('the close', () => liveStream(mid).closedReason === 'input closed');
    expect(liveStream(mid).inputSegments).toBe(3);
  });

  it('dieAfter counts live output segments', async () => {
    const off = await startDevnetOrchestrator({ pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, live: { capacity: 1 }, faults: { dieAfter: 2 } });
    try {
      const r = await new Promise<Reply>((resolve, reject) => {
        const req = request(`${off.serviceUri}/live-video-to-video`, { method: 'POST', rejectUnauthorized: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), body: Buffer.concat(chunks), headers: res.headers }));
        });
        req.on('error', reject);
        req.end('{}');
      });
      expect(r.status, r.text).toBe(200);
      const urls = JSON.parse(r.text) as Record<string, string>;
      const pub = await TricklePublisher.open({ url: urls.publish_url! });
      const out = new TrickleSubscriber({ url: urls.subscribe_url!, start: 0 });
      await pub.publish(segment);
      expect((await out.read())?.seq).toBe(0);
      await until('one output segment', () => off.stats().live!.streams[0]!.outputSegments === 1);
      await pub.publish(segment).catch(() => undefined);
      // The second output segment kills the orchestrator: its channels are gone with it.
      await until('the orchestrator to die', () => off.stats().live!.streams[0]?.closedReason !== undefined);
      expect(off.stats().live!.streams[0]!.closedReason).toBe('orchestrator shut down');
      out.close();
    } finally {
      await off.close();
    }
  });
});
