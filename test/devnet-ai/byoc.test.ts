// BYOC on the devnet orchestrator over real TLS + HTTP/2 (simulated chain): JobToken, paid jobs with the signed
// `Livepeer` header, per-second debits with Livepeer-Balance, 4xx for bad signatures and balance, 503 at capacity,
// and capability registration at run time with the orchestrator secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64Encode, buildPayment, encodePaymentHeader, Rational, ticketParamsEV, utf8 } from '../../src/lib/protocol/index.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { AiTestClient, infoFromJobToken, type JobTokenJson, ORCH_KEY, OTHER_KEY } from './helpers/aiClient.js';

const PRICE = 100_000_000n; // wei per second: 60 s = 6e9 < one 8e9 ticket
let orch: DevnetOrchestrator;
let client: AiTestClient;

beforeAll(async () => {
  orch = await startDevnetOrchestrator({
    pricePerUnit: 1200n,
    pixelsPerUnit: 1n,
    ethKey: ORCH_KEY,
    controlToken: 'orch-secret',
    byoc: [
      { name: 'devnet-echo', pricePerSecond: { pricePerUnit: PRICE, pixelsPerUnit: 1n }, capacity: 2 },
      { name: 'devnet-sleep', pricePerSecond: { pricePerUnit: PRICE, pixelsPerUnit: 1n }, capacity: 1, handler: 'sleep' },
    ],
  });
  client = new AiTestClient(orch.serviceUri);
});

afterAll(async () => {
  client?.close();
  await orch?.close();
});

async function token(capability: string, ethHeader?: string): Promise<{ status: number; text: string; json?: JobTokenJson }> {
  const r = await client.request({ ':method': 'GET', ':path': '/process/token', 'livepeer-eth-address': ethHeader ?? (await client.ethAddressHeader()), 'livepeer-capability': capability });
  return { status: r.status, text: r.text, ...(r.status === 200 ? { json: JSON.parse(r.text) as JobTokenJson } : {}) };
}

async function job(capability: string, body: unknown, opts: { tickets?: number; signer?: AiTestClient; rest?: string; timeout?: number } = {}) {
  let pay = '';
  if (opts.tickets) {
    const t = await token(capability);
    pay = encodePaymentHeader(await buildPayment({ info: infoFromJobToken(t.json!), signer: client.signer, numTickets: opts.tickets, firstNonce: 1 }));
  }
  const request = JSON.stringify({ stream_id: 's1', run: 'devnet' });
  const lp = await client.jobHeader({ request, capability, ...(opts.timeout !== undefined ? { timeout_seconds: opts.timeout } : {}) }, opts.signer?.signer);
  return client.request(
    { ':method': 'POST', ':path': `/process/request/${opts.rest ?? 'run'}`, 'content-type': 'application/json', livepeer: lp, ...(pay ? { 'livepeer-payment': pay } : {}), 'x-trace': 'abc' },
    JSON.stringify(body),
  );
}

const balanceOf = (cap: string) => Rational.parse(orch.stats().balanceBySession[`${client.signer.address}/${cap}`] ?? '0');

describe('GET /process/token', () => {
  it('returns a JobToken: sender, ticket params (base64), price, service address, capacity, LastNonce', async () => {
    const t = await token('devnet-echo');
    expect(t.status).toBe(200);
    const j = t.json!;
    expect(j.sender_address?.addr).toBe(client.signer.address.toLowerCase());
    expect(j.price).toEqual({ pricePerUnit: 100000000, pixelsPerUnit: 1 });
    expect(j.service_addr).toBe(orch.serviceUri);
    expect(j.available_capacity).toBe(2);
    expect(j.LastNonce).toBe(0);
    expect(j.balance).toBeUndefined();
    expect(Buffer.from(j.ticket_params!.recipient!, 'base64').toString('hex')).toBe(orch.address.slice(2).toLowerCase());
    expect(j.ticket_params!.expiration_params?.creation_round).toBe(1);
  });

  it('400 for a signature by another key, a missing header or capability', async () => {
    const other = new AiTestClient(orch.serviceUri, OTHER_KEY);
    const forged = await other.ethAddressHeader(other.signer, client.signer.address.toLowerCase());
    other.close();
    expect(await token('devnet-echo', forged)).toMatchObject({ status: 400, text: 'Invalid eth address header \n' });
    expect(await token('devnet-echo', base64Encode(utf8('not json')))).toMatchObject({ status: 400 });
    const r = await client.request({ ':method': 'GET', ':path': '/process/token', 'livepeer-eth-address': await client.ethAddressHeader() });
    expect([r.status, r.text]).toEqual([400, 'Job capabilities not provided, must provide comma separated capabilities in Livepeer-Capability header\n']);
  });
});

describe('POST /process/request', () => {
  it('runs a paid echo job, debits price × ⌈seconds⌉ and reports Livepeer-Balance; the balance carries over', async () => {
    const t = await token('devnet-echo');
    const ev = ticketParamsEV(infoFromJobToken(t.json!).ticketParams!);
    const r = await job('devnet-echo', { hello: 'world' }, { tickets: 1, rest: 'echo/path' });
    expect(r.status, r.text).toBe(200);
    const echo = JSON.parse(r.text) as Record<string, unknown>;
    expect(echo).toMatchObject({ capability: 'devnet-echo', path: 'echo/path', body: { hello: 'world' }, request: { stream_id: 's1' }, headers: { 'x-trace': 'abc' } });
    const expected = ev.sub(PRICE);
    expect(r.headers['livepeer-balance']).toBe(expected.toDecimalString(0));
    expect(balanceOf('devnet-echo').sub(expected).abs().lte(Rational.of(1, 1000))).toBe(true);
    // No payment needed while the balance covers 60 s.
    const again = await job('devnet-echo', { n: 2 });
    expect(again.status).toBe(200);
    expect(again.headers['livepeer-balance']).toBe(expected.sub(PRICE).toDecimalString(0));
    expect((await token('devnet-echo')).json!.balance).toBe(Number(expected.sub(PRICE).floor()));
  });

  it('400 for a bad job signature, a missing timeout, or less than 60 s of balance', async () => {
    const other = new AiTestClient(orch.serviceUri, OTHER_KEY);
    const forged = await job('devnet-echo', {}, { signer: other });
    other.close();
    expect([forged.status, forged.text]).toEqual([400, 'Could not verify job creds\n']);
    const noTimeout = await job('devnet-echo', {}, { timeout: 0 });
    expect([noTimeout.status, noTimeout.text]).toEqual([400, 'no timeout_seconds set with request, timeout_seconds is required\n']);
    const broke = await job('devnet-sleep', { ms: 1 });
    expect([broke.status, broke.text]).toEqual([400, 'Insufficient balance for request\n']);
  });

  it('503 when the capability is at capacity', async () => {
    const first = job('devnet-sleep', { ms: 400 }, { tickets: 1 });
    await new Promise((r) => setTimeout(r, 150));
    const second = await job('devnet-sleep', { ms: 1 });
    expect([second.status, second.text]).toEqual([503, 'No capacity available for capability\n']);
    const done = await first;
    expect([done.status, JSON.parse(done.text)]).toEqual([200, { slept_ms: 400 }]);
    expect((await token('devnet-sleep')).json!.available_capacity).toBe(1);
  });
});

describe('capability registration', () => {
  it('registers with the orchestrator secret, is advertised and priced, then unregisters', async () => {
    const reg = (auth: string, body: string, path = '/capability/register') => client.request({ ':method': 'POST', ':path': path, authorization: auth }, body);
    const spec = JSON.stringify({ name: 'runtime-cap', description: 'added by a test', url: 'devnet:echo', capacity: 1, price_per_unit: 0, price_scaling: 1, currency: 'wei' });
    expect((await reg('wrong', spec)).status).toBe(400);
    const ok = await reg('orch-secret', spec);
    expect([ok.status, ok.text]).toEqual([200, 'ok']);
    const prices = (await client.discover()).capabilitiesPrices.map((p) => `${p.capability}:${p.constraint}:${p.pricePerUnit}`);
    expect(prices).toEqual(expect.arrayContaining(['37:devnet-echo:100000000', '37:devnet-sleep:100000000', '37:runtime-cap:0']));
    expect((await token('runtime-cap')).json!.available_capacity).toBe(1);
    const free = await job('runtime-cap', { free: true });
    expect([free.status, free.headers['livepeer-balance']]).toEqual([200, '0']);
    const bad = await reg('orch-secret', JSON.stringify({ name: 'x', url: 'devnet:echo', currency: 'USD' }));
    expect(bad.status).toBe(400);
    expect((await reg('orch-secret', 'runtime-cap', '/capability/unregister')).text).toBe('ok');
    expect((await token('runtime-cap')).status).toBe(400);
  });
});
