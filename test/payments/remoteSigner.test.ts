// Remote signer client ↔ devnet signer over real HTTP on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../src/lib/protocol/encoding.js';
import { keccak256 } from '../../src/lib/protocol/hash.js';
import { decodePaymentHeader, decodeSegDataHeader } from '../../src/lib/protocol/headers.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { verifySegDataSig } from '../../src/lib/protocol/segData.js';
import { verifySig } from '../../src/lib/protocol/signer.js';
import { fastLocalSigner } from '../../src/lib/payments/fastSigner.js';
import { ticketParamsEV } from '../../src/lib/protocol/payment.js';
import { LV2V_PIXELS_PER_SECOND } from '../../src/lib/payments/liveBilling.js';
import {
  RemotePaymentSession,
  RemoteSignerClient,
  RemoteSignerError,
  normalizeSignerUrl,
} from '../../src/core/payments/remoteSigner.js';
import { fixedSenderState } from '../../src/lib/payments/senderMonitor.js';
import { type SignerServer, startSignerServer } from '../../src/devnet/signer/server.js';
import { GATEWAY_ADDRESS, GATEWAY_KEY, TestOrchestrator, fundedChain } from './helpers.js';

let server: SignerServer;
let client: RemoteSignerClient;
let clock = 1_700_000_000_000;
const orch = new TestOrchestrator();
const PRICE = { pricePerUnit: 100n, pixelsPerUnit: 1n };

const info = (over: Parameters<TestOrchestrator['info']>[1] = {}) =>
  orch.info(GATEWAY_ADDRESS, { price: PRICE, authExpiration: BigInt(Math.floor(clock / 1000) + 1800), ...over });

function stateJson(state: { State: string }): Record<string, unknown> {
  return JSON.parse(Buffer.from(state.State, 'base64').toString('utf8')) as Record<string, unknown>;
}

function session(over: Partial<ConstructorParameters<typeof RemotePaymentSession>[1]> = {}) {
  const refreshed: string[] = [];
  const s = new RemotePaymentSession(client, {
    info: info(),
    type: 'lv2v',
    refresh: async (url) => {
      refreshed.push(url);
      return info();
    },
    ...over,
  });
  return { s, refreshed };
}

beforeAll(async () => {
  server = await startSignerServer({
    signer: fastLocalSigner(GATEWAY_KEY),
    chain: fixedSenderState(fundedChain()),
    now: () => clock,
    orchestrators: [
      { address: 'https://o1.example:8935', capabilities: ['live-video-to-video/streamdiffusion'] },
      { address: 'https://o2.example:8935', capabilities: ['text-to-image/sdxl'] },
    ],
  });
  client = new RemoteSignerClient({ url: server.url, headers: { authorization: 'Bearer test' } });
});

afterAll(async () => {
  await server?.close();
});

describe('remote signer protocol over HTTP', () => {
  it('signs the orchestrator-info message once and caches it', async () => {
    const before = server.stats().requests;
    const a = await client.signOrchestratorInfo();
    const b = await client.signOrchestratorInfo();
    expect(a).toBe(b);
    expect(server.stats().requests).toBe(before + 1);
    expect(a.address).toBe(GATEWAY_ADDRESS);
    // B-sign: account-sign(keccak256(utf8(EIP-55 address)))
    expect(verifySig(a.address, keccak256(utf8(GATEWAY_ADDRESS)), a.signature)).toEqual({ ok: true });
  });

  it('pays lv2v: 60 s up front, then the time since the last call; state round-trips, nonces continue', async () => {
    const { s } = session();
    const first = await s.pay();
    if (first.status !== 'paid') throw new Error('expected a payment');
    const ev = ticketParamsEV(s.info.ticketParams!);
    const fee1 = Rational.of(LV2V_PIXELS_PER_SECOND * 60n * 100n);
    const n1 = Number(fee1.div(ev).ceil());
    const p1 = decodePaymentHeader(first.payment);
    expect(p1.ticketSenderParams.map((t) => t.senderNonce)).toEqual(Array.from({ length: n1 }, (_, i) => i + 1));
    expect(orch.receive(p1, 1000n).error).toBeUndefined();
    const bal1 = ev.mul(BigInt(n1)).sub(fee1);
    expect(Rational.parse(stateJson(s.state!).Balance as string).eq(bal1)).toBe(true);

    // segment credentials: empty segment, O's auth token, signed by the signer; manifest id learned from them
    const seg = decodeSegDataHeader(first.segCreds!);
    expect(verifySegDataSig(seg, GATEWAY_ADDRESS)).toEqual({ ok: true });
    expect(seg.authToken?.sessionId).toBe('o-session-1');
    expect(s.manifestId).toBe(new TextDecoder().decode(seg.manifestId));

    clock += 5000;
    const second = await s.pay();
    if (second.status !== 'paid') throw new Error('expected a payment');
    const fee2 = Rational.of(LV2V_PIXELS_PER_SECOND * 5n * 100n);
    const n2 = Number(fee2.sub(bal1).div(ev).ceil());
    const p2 = decodePaymentHeader(second.payment);
    expect(p2.ticketSenderParams.map((t) => t.senderNonce)).toEqual(Array.from({ length: n2 }, (_, i) => n1 + i + 1));
    expect(orch.receive(p2, 1000n).error).toBeUndefined();
    expect(Rational.parse(stateJson(s.state!).Balance as string).eq(bal1.add(ev.mul(BigInt(n2))).sub(fee2))).toBe(true);
    expect(stateJson(s.state!).SequenceNumber).toBe(2);
  });

  it('482 when the balance already covers max(fee, EV): skipped, state unchanged', async () => {
    // a tiny price: each call needs far less than one ticket EV, so every other call has credit left over
    const cheap = { price: { pricePerUnit: 1n, pixelsPerUnit: 1000n } };
    const { s } = session({ info: info(cheap), refresh: async () => info(cheap) });
    expect((await s.pay()).status).toBe('paid');
    clock += 1000;
    expect((await s.pay()).status).toBe('paid');
    clock += 1000;
    const stateBefore = s.state;
    expect((await s.pay()).status).toBe('skipped');
    expect(s.state).toBe(stateBefore);
  });

  it('480 → refresh the orchestrator and retry; nonces restart with the new params', async () => {
    const { s, refreshed } = session({ info: info({ authExpiration: BigInt(Math.floor(clock / 1000) + 100) }) });
    const out = await s.pay();
    expect(out).toMatchObject({ status: 'paid', refreshes: 1 });
    expect(refreshed).toEqual(['https://127.0.0.1:8935']);
    if (out.status === 'paid') expect(decodePaymentHeader(out.payment).ticketSenderParams[0]?.senderNonce).toBe(1);

    // expired ticket params (≤ 1 L1 block left) trigger 480 as well
    const stale = session({ info: info({ expirationBlock: 1001n }) });
    expect(await stale.s.pay()).toMatchObject({ status: 'paid', refreshes: 1 });

    // a forced 480 storm gives up after 3 refreshes
    clock += 1000;
    server.failNext(480, 4);
    const err = await s.pay().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteSignerError);
    expect((err as RemoteSignerError).code).toBe('refresh');
    expect(refreshed).toHaveLength(4);
  });

  it('481: forced, and when the price more than doubled since the first payment', async () => {
    const { s } = session();
    await s.pay();
    server.failNext(481);
    await expect(s.pay()).rejects.toMatchObject({ code: 'price_exceeded', status: 481 });
    s.update(info({ price: { pricePerUnit: 201n, pixelsPerUnit: 1n } }));
    clock += 5000;
    const err = (await s.pay().catch((e: unknown) => e)) as RemoteSignerError;
    expect(err.code).toBe('price_exceeded');
    expect(err.message).toContain('Orchestrator price has more than doubled, Orchestrator price: 201, Orchestrator initial price: 100');
  });

  it('482 forced → skipped (per call, or by a respondWith option)', async () => {
    const { s } = session();
    server.failNext(482);
    expect((await s.pay()).status).toBe('skipped');
    const hooked = await startSignerServer({
      signer: fastLocalSigner(GATEWAY_KEY),
      chain: fixedSenderState(fundedChain()),
      now: () => clock,
      respondWith: (req) => ((req as { type?: string }).type === 'live' ? { status: 482 } : undefined),
    });
    try {
      const c = new RemoteSignerClient({ url: hooked.url });
      const live = new RemotePaymentSession(c, { info: info(), type: 'live', refresh: async (_u, cur) => cur });
      expect((await live.pay()).status).toBe('skipped');
      const lv2v = new RemotePaymentSession(c, { info: info(), type: 'lv2v', refresh: async (_u, cur) => cur });
      expect((await lv2v.pay()).status).toBe('paid');
    } finally {
      await hooked.close();
    }
  });

  it('rejects a tampered or foreign state and a stateful call without manifest id', async () => {
    const { s } = session();
    await s.pay();
    const state = s.state!;
    const edited = { ...stateJson(state), Balance: '1000000000000000000' };
    const tampered = { State: Buffer.from(JSON.stringify(edited)).toString('base64'), Sig: state.Sig };
    const call = (st: typeof state, manifestId: string | undefined = s.manifestId) =>
      client.generateLivePayment({ orchestrator: s.info, type: 'lv2v', state: st, ...(manifestId ? { manifestId } : {}) });
    await expect(call(tampered)).rejects.toMatchObject({ code: 'signer_bad_request', status: 400, message: expect.stringContaining('invalid sig') });
    const other = await startSignerServer({ signer: fastLocalSigner('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'), chain: fixedSenderState(fundedChain()), now: () => clock });
    try {
      const foreign = await new RemotePaymentSession(new RemoteSignerClient({ url: other.url }), { info: orch.info(other.address, { price: PRICE, authExpiration: BigInt(Math.floor(clock / 1000) + 1800) }), type: 'lv2v', refresh: async (_u, c) => c }).pay();
      expect(foreign.status).toBe('paid');
      await expect(call({ State: Buffer.from(JSON.stringify({ ...stateJson(state), StateID: 'x' })).toString('base64'), Sig: state.Sig })).rejects.toThrow('invalid sig');
    } finally {
      await other.close();
    }
    await expect(call(state, '')).rejects.toThrow(/missing manifestID/);
    clock += 1000;
    await expect(call(state)).resolves.toMatchObject({ payment: expect.any(String) });
  });

  it('keeps one call in flight per session; overlapping raw calls with one state are visible to the signer', async () => {
    // type '' pays explicit units, so the calls do not depend on the clock
    const { s } = session({ type: '' });
    const units = { inPixels: 200_000_000n }; // fee 2e10 wei: 2–3 tickets a call with the carried balance
    const first = await s.pay(units);
    const used = first.status === 'paid' ? decodePaymentHeader(first.payment).ticketSenderParams.length : 0;
    server.setDelay(120);
    try {
      expect(server.stats().maxConcurrentPerState).toBe(1);
      const results = await Promise.all([s.pay(units), s.pay(units), s.pay(units)]);
      expect(server.stats().maxConcurrentPerState).toBe(1);
      const nonces = results.flatMap((r) => (r.status === 'paid' ? decodePaymentHeader(r.payment).ticketSenderParams.map((t) => t.senderNonce) : []));
      expect(nonces.length).toBeGreaterThanOrEqual(6);
      expect(nonces).toEqual(Array.from({ length: nonces.length }, (_, i) => i + used + 1)); // in call order, no gaps or repeats

      // the same state sent twice at once (what a client must not do) does overlap at the signer
      const raw = () => client.generateLivePayment({ orchestrator: s.info, type: '', inPixels: 200_000_000n, state: s.state!, manifestId: s.manifestId! });
      const [a, b] = await Promise.all([raw(), raw()]);
      expect(server.stats().maxConcurrentPerState).toBe(2);
      // go-livepeer would reuse nonces here; the devnet signer's shared counter does not
      const na = decodePaymentHeader(a.payment).ticketSenderParams.map((t) => t.senderNonce);
      const nb = decodePaymentHeader(b.payment).ticketSenderParams.map((t) => t.senderNonce);
      expect(new Set([...na, ...nb]).size).toBe(na.length + nb.length);
    } finally {
      server.setDelay(0);
    }
  });

  it('timeouts, unreachable signer and bad requests are typed', async () => {
    server.setDelay(400);
    try {
      const slowClient = new RemoteSignerClient({ url: server.url, timeoutMs: 100 });
      await expect(slowClient.generateLivePayment({ orchestrator: info(), type: 'lv2v' })).rejects.toMatchObject({ code: 'timeout', retryable: true });
    } finally {
      server.setDelay(0);
    }
    await expect(new RemoteSignerClient({ url: 'http://127.0.0.1:1' }).signOrchestratorInfo()).rejects.toMatchObject({ code: 'network' });
    await expect(client.generateLivePayment({ orchestrator: info(), type: 'bogus' as 'lv2v' })).rejects.toMatchObject({ code: 'signer_bad_request', message: expect.stringContaining('invalid job type') });
    const noPrice = info();
    noPrice.priceInfo = undefined;
    await expect(client.generateLivePayment({ orchestrator: noPrice, type: 'lv2v' })).rejects.toThrow(/missing or zero priceInfo/);
  });

  it('discovers orchestrators with caps (OR), and normalizes signer URLs like go-livepeer', async () => {
    expect((await client.discoverOrchestrators()).map((o) => o.address)).toEqual(['https://o1.example:8935', 'https://o2.example:8935']);
    const live = await client.discoverOrchestrators(['live-video-to-video/streamdiffusion']);
    expect(live.map((o) => o.address)).toEqual(['https://o1.example:8935']);
    expect(normalizeSignerUrl('signer.example:3935')).toBe('https://signer.example:3935');
    expect(normalizeSignerUrl('http://127.0.0.1:3935/')).toBe('http://127.0.0.1:3935');
  });
});
