// Discovery against real (mini) orchestrators over h2c with the real gRPC client: timer rule, rejections, ordering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { createServer } from 'node:net';
import { EventBus } from '../../src/core/eventBus.js';
import type { GwEvent } from '../../src/api/events.js';
import { Blocklist } from '../../src/core/discovery/blocklist.js';
import { discoverOrchestrators, judgeReply, classifyQueryError, type DiscoveryOutcome } from '../../src/core/discovery/discover.js';
import { OrchestratorRegistry } from '../../src/core/discovery/registry.js';
import { getOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';
import { buildCapabilities, LEGACY_CAPABILITIES } from '../../src/lib/protocol/capabilities.js';
import { buildOrchestratorRequest } from '../../src/lib/protocol/orchestratorRequest.js';
import { OrchestratorInfoSchema } from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { toChecksumAddress } from '../../src/lib/protocol/address.js';
import { startMiniOrchestrator, type MiniOrchestrator } from './miniOrchestrator.js';

const jobCaps = buildCapabilities({ ids: [0, 1, 12] });
const request = buildOrchestratorRequest({ capabilities: jobCaps });
const minis: MiniOrchestrator[] = [];
const cand = (m: MiniOrchestrator) => ({ uri: m.uri, score: 1 });

async function mini(cfg: Parameters<typeof startMiniOrchestrator>[0] = {}): Promise<MiniOrchestrator> {
  const m = await startMiniOrchestrator(cfg);
  minis.push(m);
  return m;
}

async function deadUri(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

let hanging: MiniOrchestrator;
beforeAll(async () => {
  hanging = await mini({ delayMs: 20_000 });
});
afterAll(async () => {
  await Promise.all(minis.map((m) => m.close()));
});

describe('discovery timer', () => {
  it('uses a 700 ms answer when nobody answered by 500 ms (next check at 1 s)', async () => {
    const slow = await mini({ delayMs: 700 });
    const res = await discoverOrchestrators({ candidates: [cand(slow), cand(hanging)], request, getOrchestrator });
    expect(res.orchestrators.map((o) => o.uri)).toEqual([slow.uri]);
    expect(res.timedOut).toBe(true);
    expect(res.unanswered).toEqual([hanging.uri]);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(950);
    expect(res.elapsedMs).toBeLessThan(1900);
    expect(res.orchestrators[0]!.latencyMs).toBeGreaterThanOrEqual(650);
  });

  it('ignores the 700 ms answer when someone answered by 500 ms (reported late)', async () => {
    const fast = await mini({ delayMs: 20 });
    const slow = await mini({ delayMs: 700 });
    const outcomes: DiscoveryOutcome[] = [];
    const res = await discoverOrchestrators({ candidates: [cand(fast), cand(slow), cand(hanging)], request, getOrchestrator, onOutcome: (o) => outcomes.push(o) });
    expect(res.orchestrators.map((o) => o.uri)).toEqual([fast.uri]);
    expect(res.timedOut).toBe(true);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(res.elapsedMs).toBeLessThan(700);
    expect(res.unanswered.sort()).toEqual([slow.uri, hanging.uri].sort());
    await new Promise((r) => setTimeout(r, 500));
    const late = outcomes.find((o) => o.kind === 'usable' && o.orchestrator.uri === slow.uri);
    expect(late?.late).toBe(true);
    expect(outcomes.find((o) => o.kind === 'usable' && o.orchestrator.uri === fast.uri)?.late).toBe(false);
  });

  it('ends as soon as everybody answered, sorted by latency', async () => {
    const a = await mini({ delayMs: 150 });
    const b = await mini({ delayMs: 10 });
    const c = await mini({ delayMs: 80 });
    const res = await discoverOrchestrators({ candidates: [cand(a), cand(b), cand(c)], request, getOrchestrator });
    expect(res.orchestrators.map((o) => o.uri)).toEqual([b.uri, c.uri, a.uri]);
    expect(res.timedOut).toBe(false);
    expect(res.elapsedMs).toBeLessThan(450);
  });

  it('stops once `wanted` unsuspended orchestrators are in', async () => {
    const a = await mini({ delayMs: 10 });
    const res = await discoverOrchestrators({ candidates: [cand(a), cand(hanging)], request, getOrchestrator, wanted: 1 });
    expect(res.orchestrators.map((o) => o.uri)).toEqual([a.uri]);
    expect(res.timedOut).toBe(false);
    expect(res.elapsedMs).toBeLessThan(400);
  });

  it('the hard cut-off ends a round with nothing', async () => {
    const res = await discoverOrchestrators({ candidates: [cand(hanging)], request, getOrchestrator, discoveryTimeoutMs: 50, cutoffMs: 300 });
    expect(res.orchestrators).toEqual([]);
    expect(res.timedOut).toBe(true);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(290);
    expect(res.elapsedMs).toBeLessThan(600);
  });
});

describe('acceptance and rejection reasons', () => {
  it('classifies unreachable, price too high, incompatible, blocklisted and O errors', async () => {
    const ok = await mini({ pricePerUnit: 1n, pixelsPerUnit: 2n });
    const pricey = await mini({ pricePerUnit: 5n, pixelsPerUnit: 1n });
    const legacy = await mini({ capabilities: buildCapabilities({ ids: LEGACY_CAPABILITIES }) });
    const noCaps = await mini({ capabilities: null });
    const blocked = await mini();
    const capped = await mini({ error: 'OrchestratorCapped' });
    const dead = await deadUri();
    const blocklist = Blocklist.parse([toChecksumAddress(blocked.config.address).toUpperCase().replace('0X', '')]);
    const res = await discoverOrchestrators({
      candidates: [ok, pricey, legacy, noCaps, blocked, capped].map(cand).concat([{ uri: dead, score: 1 }]),
      request,
      getOrchestrator,
      blocklist,
      maxPrice: Rational.of(1n, 1n),
    });
    expect(res.orchestrators.map((o) => o.uri)).toEqual([ok.uri]);
    expect(res.orchestrators[0]!.price!.eq(Rational.of(1n, 2n))).toBe(true);
    expect(res.orchestrators[0]!.address).toBe(toChecksumAddress(ok.config.address));
    const reasons = Object.fromEntries(res.rejected.map((r) => [r.uri, r.reason]));
    expect(reasons).toEqual({
      [pricey.uri]: 'price too high',
      [legacy.uri]: 'incompatible',
      [noCaps.uri]: 'incompatible',
      [blocked.uri]: 'blocklisted',
      [capped.uri]: 'error',
      [dead]: 'unreachable',
    });
    expect(res.rejected.find((r) => r.uri === capped.uri)!.detail).toBe('OrchestratorCapped');
    expect(res.rejected.find((r) => r.uri === pricey.uri)!.detail).toMatch(/5\/1 wei\/pixel is above the cap 1\/1/);
    expect(res.rejected.find((r) => r.uri === noCaps.uri)!.detail).toMatch(/no capabilities/);
  });

  it('ignoreMaxPriceIfNeeded falls back to over-cap orchestrators only when none is within the cap', async () => {
    const a = await mini({ pricePerUnit: 9n, delayMs: 30 });
    const b = await mini({ pricePerUnit: 7n, delayMs: 60 });
    const max = Rational.of(5n);
    const fallback = await discoverOrchestrators({ candidates: [cand(a), cand(b)], request, getOrchestrator, maxPrice: max, ignoreMaxPriceIfNeeded: true });
    expect(fallback.orchestrators.map((o) => [o.uri, o.overCap])).toEqual([
      [a.uri, true],
      [b.uri, true],
    ]);
    expect(fallback.rejected).toEqual([]);
    const cheap = await mini({ pricePerUnit: 2n, delayMs: 90 });
    const normal = await discoverOrchestrators({ candidates: [cand(a), cand(b), cand(cheap)], request, getOrchestrator, maxPrice: max, ignoreMaxPriceIfNeeded: true });
    expect(normal.orchestrators.map((o) => o.uri)).toEqual([cheap.uri]);
    expect(normal.rejected.map((r) => r.reason)).toEqual(['price too high', 'price too high']);
    const strict = await discoverOrchestrators({ candidates: [cand(a), cand(b)], request, getOrchestrator, maxPrice: max });
    expect(strict.orchestrators).toEqual([]);
  });

  it('puts suspended orchestrators last, least penalised first, only to fill up', async () => {
    const [a, b, c] = await Promise.all([mini({ delayMs: 10 }), mini({ delayMs: 20 }), mini({ delayMs: 30 })]);
    const penalties: Record<string, number> = { [a.uri]: 3, [b.uri]: 1 };
    const suspension = (u: string) => penalties[u] ?? 0;
    const all = await discoverOrchestrators({ candidates: [a, b, c].map(cand), request, getOrchestrator, suspension });
    expect(all.orchestrators.map((o) => [o.uri, o.penalty])).toEqual([
      [c.uri, 0],
      [b.uri, 1],
      [a.uri, 3],
    ]);
    const two = await discoverOrchestrators({ candidates: [a, b, c].map(cand), request, getOrchestrator, suspension, wanted: 2 });
    expect(two.orchestrators.map((o) => o.uri)).toEqual([c.uri, b.uri]);
  });

  it('sends the job capabilities in the request', async () => {
    const a = await mini();
    await discoverOrchestrators({ candidates: [cand(a)], request, getOrchestrator });
    expect(a.lastRequest?.capabilities?.bitstring).toEqual(jobCaps.bitstring);
  });

  it('judgeReply: on-chain ticket params, validator, auth token, transcoder', () => {
    const base = {
      transcoder: 'https://o:8935',
      address: new Uint8Array(20).fill(1),
      capabilities: buildCapabilities({ ids: [0, 1, 12] }),
      authToken: { token: new Uint8Array(4), sessionId: 's', expiration: 1n },
      priceInfo: { pricePerUnit: 3n, pixelsPerUnit: 1n },
    };
    const info = create(OrchestratorInfoSchema, base);
    expect(judgeReply(info, { request })).toMatchObject({ ok: true, overCap: false });
    expect(judgeReply(info, { request, onChain: true })).toEqual({ ok: false, reason: 'bad ticket params', detail: 'reply has no ticket params' });
    const withParams = create(OrchestratorInfoSchema, { ...base, ticketParams: { recipient: new Uint8Array(20) } });
    expect(judgeReply(withParams, { request, onChain: true, validateTicketParams: () => 'TicketParams expired' })).toEqual({
      ok: false,
      reason: 'bad ticket params',
      detail: 'TicketParams expired',
    });
    expect(judgeReply(withParams, { request, onChain: true, validateTicketParams: () => undefined }).ok).toBe(true);
    expect(judgeReply(create(OrchestratorInfoSchema, { ...base, authToken: undefined }), { request })).toMatchObject({ ok: false, reason: 'error' });
    expect(judgeReply(create(OrchestratorInfoSchema, { ...base, transcoder: '' }), { request })).toMatchObject({ ok: false, reason: 'error' });
    expect(judgeReply(create(OrchestratorInfoSchema, { ...base, priceInfo: { pricePerUnit: 1n, pixelsPerUnit: 0n } }), { request })).toMatchObject({
      ok: false,
      reason: 'error',
    });
    expect(judgeReply(info, { request, maxPrice: Rational.of(2n) })).toMatchObject({ ok: true, overCap: true });
    // A legacy-only job is fine with an O that sends no capabilities.
    const legacyReq = buildOrchestratorRequest({ capabilities: buildCapabilities({ ids: [0, 1] }) });
    expect(judgeReply(create(OrchestratorInfoSchema, { ...base, capabilities: undefined }), { request: legacyReq }).ok).toBe(true);
    expect(classifyQueryError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).reason).toBe('unreachable');
  });
});

describe('registry', () => {
  it('keeps the latest view, emits orchestrator.rejected only when the reason changes', async () => {
    const bus = new EventBus();
    const events: GwEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const registry = new OrchestratorRegistry({ bus });
    const o = await mini({ pricePerUnit: 3n, pixelsPerUnit: 1000n });
    const run = (max: Rational | null) =>
      discoverOrchestrators({ candidates: [cand(o)], request, getOrchestrator, maxPrice: max, onOutcome: (x) => registry.recordOutcome(x) });

    await run(null);
    expect(registry.counts()).toEqual({ known: 1, usable: 1, rejected: 0 });
    let view = registry.list()[0]!;
    expect(view).toMatchObject({ uri: o.uri, address: toChecksumAddress(o.config.address), pricePerPixel: '3/1000', pricePerPixelWei: '0.003', rejected: null, inUse: 0 });
    expect(view.capabilities).toContain('Auth token');
    expect(view.latencyMs).toBeGreaterThanOrEqual(0);

    await run(Rational.of(1n, 1000n));
    await run(Rational.of(1n, 1000n));
    expect(events.filter((e) => e.type === 'orchestrator.rejected')).toHaveLength(1);
    expect(registry.counts()).toEqual({ known: 1, usable: 0, rejected: 1 });
    view = registry.list()[0]!;
    expect(view.rejected).toEqual({ reason: 'price too high', detail: 'price 3/1000 wei/pixel is above the cap 1/1000' });

    o.config.capabilities = buildCapabilities({ ids: LEGACY_CAPABILITIES });
    await run(Rational.of(1n, 1000n));
    const rejected = events.filter((e) => e.type === 'orchestrator.rejected');
    expect(rejected.map((e) => (e.type === 'orchestrator.rejected' ? e.reason : ''))).toEqual(['price too high', 'incompatible']);

    registry.recordResult(o.uri, { ok: true, latencyScore: 0.5 });
    registry.recordResult(o.uri, { ok: true, latencyScore: 1.5 });
    registry.recordResult(o.uri, { ok: false });
    registry.acquire(o.uri);
    registry.setSuspension(o.uri, 'stream-1', { penalty: () => 2, reason: 'boom' });
    view = registry.list()[0]!;
    expect(view.latencyScore).toBeCloseTo(0.3 * 1.5 + 0.7 * 0.5, 10);
    expect(view.successRate).toBeCloseTo(2 / 3, 10);
    expect(view.inUse).toBe(1);
    expect(view.suspended).toEqual({ penalty: 2, reason: 'boom' });
    registry.setSuspension(o.uri, 'stream-1', null);
    registry.release(o.uri);
    expect(registry.list()[0]).toMatchObject({ inUse: 0, suspended: null });
  });
});
