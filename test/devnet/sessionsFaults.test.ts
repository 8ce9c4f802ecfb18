// Devnet orchestrator sessions (capacity, teardown, expiry), off-chain mode and fault injection, over real TLS +
// HTTP/2. Orchestrators here run with passthrough (no ffmpeg) and an injectable clock.
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { TranscodeResultSchema } from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { buildOrchestratorRequest, verifyTranscodeResult } from '../../src/lib/protocol/index.js';
import { startDevnetOrchestrator, type DevnetOrchestrator, type DevnetOrchestratorOptions } from '../../src/devnet/orchestrator/server.js';
import { OrchClient } from './helpers/orchClient.js';
import { DEV_KEYS, orchRequest, segmentHeaders, signers } from './helpers/payments.js';

const gw = signers.gateway();
// Any bytes work with passthrough; the payload is hashed and copied, not decoded.
const BODY = new Uint8Array(188 * 20).fill(0x47);

const started: { orch: DevnetOrchestrator; client: OrchClient }[] = [];

async function start(opts: Partial<DevnetOrchestratorOptions> = {}) {
  const orch = await startDevnetOrchestrator({ pricePerUnit: 1200n, pixelsPerUnit: 1n, ethKey: DEV_KEYS.orchestrator, passthrough: true, ...opts });
  const client = new OrchClient(orch.serviceUri);
  started.push({ orch, client });
  return { orch, client };
}

afterEach(async () => {
  for (const { orch, client } of started.splice(0)) {
    client.close();
    await orch.close();
  }
});

async function discover(client: OrchClient) {
  const r = await client.getOrchestrator(await orchRequest(gw));
  return r;
}

async function paidSegment(client: OrchClient, info: NonNullable<Awaited<ReturnType<typeof discover>>['info']>, seq = 0, firstNonce = 1) {
  const h = await segmentHeaders({ info, signer: gw, data: BODY, numTickets: 1, seq, firstNonce });
  return client.postSegment(h.seg, h.pay, BODY);
}

describe('sessions', () => {
  it('caps sessions at capacity and frees the slot on EndTranscodingSession', async () => {
    const { orch, client } = await start({ capacity: 1 });
    const a = (await discover(client)).info!;
    const b = (await discover(client)).info!;
    expect((await paidSegment(client, a)).status).toBe(200);
    expect(orch.stats().sessions).toBe(1);
    const capped = await paidSegment(client, b);
    expect([capped.status, capped.text]).toEqual([403, 'OrchestratorCapped\n']);
    const full = await discover(client);
    expect([full.status, full.message]).toEqual([2, 'Invalid orchestrator request: OrchestratorCapped']);
    const ignoring = await client.getOrchestrator({ ...(await orchRequest(gw)), ignoreCapacityCheck: true });
    expect(ignoring.status).toBe(0);

    const forged = { ...a.authToken!, token: new Uint8Array(32) };
    const bad = await client.endTranscodingSession(forged);
    expect([bad.status, bad.message]).toEqual([2, 'Invalid auth token']);
    const end = await client.endTranscodingSession(a.authToken!);
    expect(end.status).toBe(0);
    expect(orch.stats().sessions).toBe(0);
    expect((await discover(client)).status).toBe(0);
    expect((await paidSegment(client, b)).status).toBe(200);
  });

  it('expires auth tokens and ticket params by the clock', async () => {
    let now = Date.now();
    const { client } = await start({ clock: { now: () => now } });
    const info = (await discover(client)).info!;
    now += 500_000; // 41 simulated L1 blocks (12 s each): past the params' 40-block validity
    const stale = await paidSegment(client, info);
    expect([stale.status, stale.text]).toEqual([400, 'TicketParams expired\n']);
    now += 31 * 60 * 1000;
    const expired = await paidSegment(client, info, 1, 2);
    expect([expired.status, expired.text]).toEqual([403, 'expired auth token\n']);
  });

  it('pins the session price at the first payment; a price change applies to new sessions', async () => {
    const { orch, client } = await start();
    const info = (await discover(client)).info!;
    const first = await paidSegment(client, info);
    expect(first.status).toBe(200);
    orch.faults.setPrice(2000n, 1n);
    expect(first.result!.info!.priceInfo!.pricePerUnit).toBe(1200n);
    const next = await paidSegment(client, first.result!.info!, 1);
    expect(next.status, next.text).toBe(200);
    expect(next.result!.info!.priceInfo!.pricePerUnit).toBe(1200n);
    expect((await discover(client)).info!.priceInfo!.pricePerUnit).toBe(2000n);
  });

  it('ends idle sessions after 70 s: the slot is freed and the renditions are gone', async () => {
    let now = Date.now();
    const { client } = await start({ capacity: 1, clock: { now: () => now } });
    const info = (await discover(client)).info!;
    const seg = await paidSegment(client, info);
    expect(seg.status).toBe(200);
    const url = seg.result!.result.case === 'data' ? seg.result!.result.value.segments[0]!.url : '';
    expect((await client.download(url)).status).toBe(200);
    expect((await discover(client)).message).toBe('Invalid orchestrator request: OrchestratorCapped');
    now += 71_000;
    expect((await client.download(url)).status).toBe(404);
    expect((await discover(client)).status).toBe(0);
  });

  it('serves /segment over HTTP/1.1 on the same TLS port', async () => {
    const { orch, client } = await start();
    const info = (await discover(client)).info!;
    const h = await segmentHeaders({ info, signer: gw, data: BODY, numTickets: 1 });
    const res = await new Promise<{ status: number; version: string; body: Buffer }>((resolve, reject) => {
      const req = httpsRequest(
        `${orch.serviceUri}/segment`,
        { method: 'POST', rejectUnauthorized: false, headers: { 'Livepeer-Segment': h.seg, 'Livepeer-Payment': h.pay, 'Content-Type': 'video/MP2T' } },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, version: r.httpVersion, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end(BODY);
    });
    expect([res.status, res.version]).toEqual([200, '1.1']);
    const tr = fromBinary(TranscodeResultSchema, new Uint8Array(res.body));
    expect(tr.result.case).toBe('data');
    // Passthrough renditions are the body itself; O's signature covers them.
    if (tr.result.case === 'data') expect(verifyTranscodeResult(orch.address, [BODY, BODY], tr.result.value.sig).ok).toBe(true);
  });

  it('accepts segments with an empty payment and no signatures off-chain', async () => {
    const { orch, client } = await start({ offchain: true, ethKey: undefined });
    const r = await client.getOrchestrator(buildOrchestratorRequest({}));
    expect(r.status).toBe(0);
    const info = r.info!;
    expect(info.ticketParams).toBeUndefined();
    expect(info.priceInfo).toBeUndefined();
    expect(orch.address).toBe('0x0000000000000000000000000000000000000000');
    const h = await segmentHeaders({ info, data: BODY });
    expect(h.pay).toBe('');
    const seg = await client.postSegment(h.seg, h.pay, BODY);
    expect(seg.status, seg.text).toBe(200);
    expect(seg.result!.result.case).toBe('data');
  });
});

describe('fault injection', () => {
  it('protects /devnet/* with the bearer token', async () => {
    const { orch, client } = await start({ controlToken: 'secret-token' });
    expect((await client.get('/devnet/stats')).status).toBe(401);
    expect((await client.request({ ':method': 'POST', ':path': '/devnet/faults', 'content-type': 'application/json' }, '{"failNext":1}')).status).toBe(401);
    const stats = await client.get('/devnet/stats', { authorization: 'Bearer secret-token' });
    expect(stats.status).toBe(200);
    expect(JSON.parse(stats.body.toString()).segments).toBe(0);
    expect(orch.faults.state().failNext).toBe(0);
  });

  it('failNext answers OrchestratorBusy in TranscodeResult.error, then recovers', async () => {
    const { orch, client } = await start();
    const set = await client.request(
      { ':method': 'POST', ':path': '/devnet/faults', 'content-type': 'application/json', authorization: `Bearer ${orch.controlToken}` },
      JSON.stringify({ failNext: 1, latency: '0-5ms' }),
    );
    expect(set.status).toBe(200);
    expect(JSON.parse(set.body.toString())).toMatchObject({ failNext: 1, latency: [0, 5] });
    const info = (await discover(client)).info!;
    const busy = await paidSegment(client, info);
    expect(busy.status).toBe(200);
    expect(busy.result!.result).toEqual({ case: 'error', value: 'OrchestratorBusy' });
    const ok = await paidSegment(client, busy.result!.info!, 1);
    expect(ok.result!.result.case).toBe('data');
    const bad = await client.request(
      { ':method': 'POST', ':path': '/devnet/faults', authorization: `Bearer ${orch.controlToken}` },
      JSON.stringify({ errorRate: 2 }),
    );
    expect(bad.status).toBe(400);
  });

  it('adds latency and dies after N segments', async () => {
    const { orch, client } = await start({ faults: { latency: 150, dieAfter: 1 } });
    const t0 = performance.now();
    const info = (await discover(client)).info!;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    const last = await paidSegment(client, info);
    expect(last.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const fresh = new OrchClient(orch.serviceUri);
    await expect(fresh.get('/devnet/stats')).rejects.toThrow();
    fresh.close();
  });
});
