// The AI gateway with payments (simulated chain: a funded local key over TicketSender with a fixed sender state,
// devnet orchestrators with their own keys): each pipeline's debit at the orchestrator equals units × price, an
// orchestrator above the per-capability cap is never used, and BYOC jobs are signed, paid and routed with
// include/exclude lists.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GwEvent } from '../../src/api/events.js';
import { balanceKey } from '../../src/lib/payments/balances.js';
import { toChecksumAddress } from '../../src/lib/protocol/address.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { defaultDevnetAi, startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { fixedSenderState } from '../../src/lib/payments/senderMonitor.js';
import { localSigner } from '../../src/lib/protocol/signer.js';
import { startSignerServer, type SignerServer } from '../../src/devnet/signer/server.js';
import { GATEWAY_ADDRESS, fundedChain } from '../payments/helpers.js';
import { call, postJson, startAiGateway, type Reply, type TestAiGateway } from './harness.js';
import { form, png, wav } from './media.js';

let o1: DevnetOrchestrator;
let o2: DevnetOrchestrator;
let gw: TestAiGateway;
const events: GwEvent[] = [];
const BYOC_PRICE = 100_000_000n;
const key = () => `0x${randomBytes(32).toString('hex')}` as const;

beforeAll(async () => {
  const byoc = [{ name: 'echo', pricePerSecond: { pricePerUnit: BYOC_PRICE, pixelsPerUnit: 1n }, capacity: 4 }];
  o1 = await startDevnetOrchestrator({ pricePerUnit: 1200n, pixelsPerUnit: 1n, ethKey: key(), ai: defaultDevnetAi(), byoc });
  o2 = await startDevnetOrchestrator({
    pricePerUnit: 1200n,
    pixelsPerUnit: 1n,
    ethKey: key(),
    ai: { pipelines: [{ pipeline: 'llm', models: [{ id: 'devnet/llm-tiny', warm: true, capacity: 4 }], price: { pricePerUnit: 10_000_000n, pixelsPerUnit: 1n } }] },
    byoc,
  });
  gw = await startAiGateway([o1.serviceUri, o2.serviceUri], { paid: true });
  gw.bus.subscribe((ev) => events.push(ev));
});

afterAll(async () => {
  await gw?.close();
  await Promise.all([o1?.close(), o2?.close()]);
});

const CAPS: Record<string, number> = { 'text-to-image': 27, 'image-to-image': 28, 'image-to-video': 29, upscale: 30, 'audio-to-text': 31, 'segment-anything-2': 32, llm: 33, 'image-to-text': 34, 'text-to-speech': 36 };

function oBalance(o: DevnetOrchestrator, k: string): Rational {
  return Rational.parse(o.stats().balanceBySession[k] ?? '0');
}

/** EV of the tickets the gateway sent since event index `from`. */
function ticketEvSince(from: number): Rational {
  return events.slice(from).reduce((a, e) => (e.type === 'tickets.sent' ? a.add(Rational.of(BigInt(e.evWei))) : a), Rational.ZERO);
}

/**
 * Sends one request and checks O's balance for (gateway, "<cap>_<model>") moved by exactly the tickets' EV minus
 * `debitUnits` × price (the event EV is floored per batch and O's stats keep 3 decimals: 2 wei of slack).
 */
async function paidCall(pipeline: string, model: string, send: () => Promise<Reply>, debitUnits: bigint, price: bigint): Promise<Reply> {
  const k = `${GATEWAY_ADDRESS}/${CAPS[pipeline]}_${model}`;
  const before = oBalance(o1, k);
  const mark = events.length;
  const r = await send();
  expect(r.status, r.text).toBe(200);
  const ev = ticketEvSince(mark);
  expect(ev.sign()).toBeGreaterThan(0);
  const debit = before.add(ev).sub(oBalance(o1, k));
  expect(debit.sub(Rational.of(debitUnits * price)).abs().lte(Rational.of(2)), `${pipeline}: O debited ${debit.toDecimalString(3)}, expected ${debitUnits * price}`).toBe(true);
  return r;
}

function postForm(path: string, fields: Parameters<typeof form>[0]): Promise<Reply> {
  const f = form(fields);
  return call(`${gw.url}${path}`, { headers: { 'content-type': f.contentType }, body: f.body });
}

const PNG = () => ({ filename: 'in.png', type: 'image/png', data: png(64, 48) });

describe('paid AI requests', () => {
  it('every pipeline: the orchestrator debits units × price (text-to-speech: O bills 1000 × characters)', async () => {
    await paidCall('text-to-image', 'devnet/sd-tiny', () => postJson(`${gw.url}/text-to-image`, { prompt: 'p', model_id: 'devnet/sd-tiny', height: 64, width: 64, num_images_per_prompt: 2 }), 64n * 64n * 2n, 50_000n);
    await paidCall('image-to-image', 'devnet/i2i-tiny', () => postForm('/image-to-image', { prompt: 'p', image: PNG(), model_id: 'devnet/i2i-tiny' }), 64n * 48n, 50_000n);
    await paidCall('image-to-video', 'devnet/svd-tiny', () => postForm('/image-to-video', { image: PNG(), model_id: 'devnet/svd-tiny', height: '64', width: '64' }), 64n * 64n * 25n, 1_000n);
    await paidCall('upscale', 'devnet/upscale-tiny', () => postForm('/upscale', { prompt: 'p', image: PNG(), model_id: 'devnet/upscale-tiny' }), 64n * 48n, 50_000n);
    await paidCall('audio-to-text', 'devnet/whisper-tiny', () => postForm('/audio-to-text', { audio: { filename: 'a.wav', data: wav(2.5) }, model_id: 'devnet/whisper-tiny' }), 2000n, 1_000_000n);
    await paidCall('segment-anything-2', 'devnet/sam2-tiny', () => postForm('/segment-anything-2', { image: PNG(), model_id: 'devnet/sam2-tiny' }), 64n * 48n, 50_000n);
    await paidCall('image-to-text', 'devnet/caption-tiny', () => postForm('/image-to-text', { image: PNG(), model_id: 'devnet/caption-tiny' }), 64n * 48n, 50_000n);
    await paidCall('text-to-speech', 'devnet/tts-tiny', () => postJson(`${gw.url}/text-to-speech`, { text: 'héllo', model_id: 'devnet/tts-tiny' }), 1000n * 5n, 100_000n);
    // the gateway pays in O's units, so its books agree with O's (go-livepeer pays bytes and drifts below O's debit)
    const tts = gw.ai.sessions.selector('text-to-speech', 'devnet/tts-tiny').sessions()[0]!;
    const ttsLocal = gw.payments!.balances.balance(balanceKey(toChecksumAddress(tts.info.ticketParams!.recipient), tts.info.authToken!.sessionId));
    const ttsRemote = oBalance(o1, `${GATEWAY_ADDRESS}/${CAPS['text-to-speech']}_devnet/tts-tiny`);
    expect(ttsLocal.sub(ttsRemote).abs().lte(Rational.of(1, 1000)), `gateway ${ttsLocal.toDecimalString(3)} vs O ${ttsRemote.toDecimalString(3)}`).toBe(true);
    // llm-large exists only on o1 (cold): the debit is max_tokens × price.
    await paidCall('llm', 'devnet/llm-large', () => postJson(`${gw.url}/llm`, { messages: [{ role: 'user', content: 'hi' }], model: 'devnet/llm-large', max_tokens: 30 }), 30n, 50_000_000n);
  });

  it("the gateway's own credit with the orchestrator matches the orchestrator's books", async () => {
    // sd-tiny at 50 000 wei/px: 16×16 = 12.8 Mwei. O wants one ticket EV of balance, so the change from the first
    // request is topped up with a ticket, and both sides agree on what is left.
    const mark = events.length;
    const r = await postJson(`${gw.url}/text-to-image`, { prompt: 'p', model_id: 'devnet/sd-tiny', height: 16, width: 16 });
    expect(r.status, r.text).toBe(200);
    expect(events.slice(mark).filter((e) => e.type === 'tickets.sent')).toHaveLength(1);
    const session = gw.ai.sessions.selector('text-to-image', 'devnet/sd-tiny').sessions()[0]!;
    const local = gw.payments!.balances.balance(balanceKey(toChecksumAddress(session.info.ticketParams!.recipient), session.info.authToken!.sessionId));
    const remote = oBalance(o1, `${GATEWAY_ADDRESS}/27_devnet/sd-tiny`);
    expect(local.sub(remote).abs().lte(Rational.of(1, 1000)), `gateway ${local.toDecimalString(3)} vs O ${remote.toDecimalString(3)}`).toBe(true);
    expect(local.sign()).toBeGreaterThan(0);
  });

  it('never uses an orchestrator above the per-capability max price', async () => {
    const llm = () => postJson(`${gw.url}/llm`, { messages: [{ role: 'user', content: 'x' }], model: 'devnet/llm-tiny', max_tokens: 4 });
    gw.ai.prices.update({ target: 'max', pipeline: 'llm', modelId: 'devnet/llm-tiny', pricePerUnit: '20000000', pixelsPerUnit: '1' });
    const before = [o1.stats().aiRequests, o2.stats().aiRequests];
    for (let i = 0; i < 5; i++) expect((await llm()).status).toBe(200);
    expect([o1.stats().aiRequests - before[0]!, o2.stats().aiRequests - before[1]!]).toEqual([0, 5]);
    // Below both quotes: nobody qualifies, and the 503 says why.
    gw.ai.prices.update({ target: 'max', pipeline: 'llm', modelId: 'default', pricePerUnit: '1', pixelsPerUnit: '1' });
    gw.ai.prices.update({ target: 'max', pipeline: 'llm', modelId: 'devnet/llm-tiny', remove: true });
    const r = await llm();
    expect(r.status).toBe(503);
    const reasons = r.json<{ error: { orchestrators: Array<{ url: string; reason: string }> } }>().error.orchestrators;
    expect(reasons.filter((x) => /price too high/.test(x.reason)).map((x) => x.url).sort()).toEqual([o1.serviceUri, o2.serviceUri].sort());
    // The global video cap does not apply once a capability has its own entry; removing it restores service.
    gw.ai.prices.update({ target: 'max', pipeline: 'llm', modelId: 'default', remove: true });
    expect((await llm()).status).toBe(200);
    const view = gw.ai.prices.view();
    expect(view.capabilities).toEqual([]);
    expect(gw.config.get('maxPricePerCapability')).toBeUndefined();
  });
});

function job(capability: string, parameters: unknown = {}, timeout = 10): string {
  return Buffer.from(JSON.stringify({ request: JSON.stringify({ prompt: 'x' }), parameters: JSON.stringify(parameters), capability, timeout_seconds: timeout })).toString('base64');
}

function byoc(header: string | undefined, body: unknown = { hello: 'world' }): Promise<Reply> {
  return call(`${gw.url}/process/request/run`, { headers: { 'content-type': 'application/json', ...(header !== undefined ? { livepeer: header } : {}) }, body: JSON.stringify(body) });
}

describe('BYOC', () => {
  it('signs, pays and relays a job with Livepeer-Balance and X-Orchestrator-Url', async () => {
    const mark = events.length;
    const r = await byoc(job('echo'));
    expect(r.status, r.text).toBe(200);
    const orch = r.headers['x-orchestrator-url'];
    expect([o1.serviceUri, o2.serviceUri]).toContain(orch);
    const o = orch === o1.serviceUri ? o1 : o2;
    const tickets = events.slice(mark).filter((e) => e.type === 'tickets.sent');
    expect(tickets.length).toBe(1);
    // O's balance after the job = tickets' EV − price × 1 s; the header reports it.
    const ev = Rational.of(BigInt(tickets[0]!.type === 'tickets.sent' ? tickets[0]!.evWei : '0'));
    expect(BigInt(String(r.headers['livepeer-balance']))).toBe(ev.sub(Rational.of(BYOC_PRICE)).floor());
    expect(oBalance(o, `${GATEWAY_ADDRESS}/echo`).floor()).toBe(BigInt(String(r.headers['livepeer-balance'])));
    expect(JSON.stringify(r.json())).toContain('hello');
  });

  it('honours the include and exclude lists', async () => {
    for (let i = 0; i < 3; i++) {
      const inc = await byoc(job('echo', { orchestrators: { include: [o2.serviceUri] } }));
      expect(inc.status, inc.text).toBe(200);
      expect(inc.headers['x-orchestrator-url']).toBe(o2.serviceUri);
      const exc = await byoc(job('echo', { orchestrators: { exclude: [o2.serviceUri] } }));
      expect(exc.status, exc.text).toBe(200);
      expect(exc.headers['x-orchestrator-url']).toBe(o1.serviceUri);
    }
    const none = await byoc(job('echo', { orchestrators: { include: ['https://127.0.0.1:1'] } }));
    expect(none.status).toBe(503);
  });

  it('moves on to the next orchestrator after a 5xx', async () => {
    o1.faults.failNext(1);
    for (let i = 0; i < 20 && o1.faults.state().failNext > 0; i++) {
      const r = await byoc(job('echo'));
      expect(r.status, r.text).toBe(200);
    }
    expect(o1.faults.state().failNext).toBe(0);
    expect(events.some((e) => e.type === 'failover' && e.from === o1.serviceUri && e.to === o2.serviceUri)).toBe(true);
  });

  it('answers 400 for a missing or garbled Livepeer header, 503 for an unknown capability', async () => {
    expect((await byoc(undefined)).status).toBe(400);
    expect((await byoc('%%%not-base64%%%')).status).toBe(400);
    expect((await byoc(Buffer.from('{"capability":"echo"}').toString('base64'))).text).toMatch(/timeout_seconds/);
    expect((await byoc(Buffer.from('not json').toString('base64'))).status).toBe(400);
    const unknown = await byoc(job('nobody-serves-this'));
    expect(unknown.status).toBe(503);
    expect(unknown.text).toMatch(/No orchestrators found for capability nobody-serves-this/);
    expect(gw.ai.views().some((v) => v.renditions[0] === 'byoc/echo' && v.segmentsOk === 1 && BigInt(v.spendWei) > 0n)).toBe(true);
  });
});

describe('AI requests paid through a remote signer', () => {
  let signer: SignerServer;
  let remote: TestAiGateway;
  const SIGNER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

  beforeAll(async () => {
    signer = await startSignerServer({ signer: localSigner(SIGNER_KEY), chain: fixedSenderState(fundedChain()) });
    remote = await startAiGateway([o1.serviceUri], { remoteSignerUrl: signer.url });
  });

  afterAll(async () => {
    await remote?.close();
    await signer?.close();
  });

  it("pays units × price with the signer's inPixels payments and its segment credentials", async () => {
    const k = `${signer.address}/33_devnet/llm-large`;
    const before = oBalance(o1, k);
    const mine: GwEvent[] = [];
    remote.bus.subscribe((e) => mine.push(e));
    const r = await postJson(`${remote.url}/llm`, { messages: [{ role: 'user', content: 'hi' }], model: 'devnet/llm-large', max_tokens: 20 });
    expect(r.status, r.text).toBe(200);
    const ev = mine.reduce((a, e) => (e.type === 'tickets.sent' ? a.add(Rational.of(BigInt(e.evWei))) : a), Rational.ZERO);
    expect(ev.sign()).toBeGreaterThan(0);
    const debit = before.add(ev).sub(oBalance(o1, k));
    expect(debit.sub(Rational.of(20n * 50_000_000n)).abs().lte(Rational.of(2))).toBe(true);
    expect(signer.stats().requests).toBeGreaterThan(0);
  });
});
