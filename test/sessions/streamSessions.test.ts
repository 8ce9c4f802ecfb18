// Per-stream session manager against real orchestrators: devnet orchestrators (TLS + HTTP/2, simulated chain) for
// the selection/failover/price flows, mini h2c orchestrators where the test needs server-side counters or death.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clone, create } from '@bufbuild/protobuf';
import type { GwEvent } from '../../src/api/events.js';
import { EventBus } from '../../src/core/eventBus.js';
import { StaticPool, type CandidatePool, type Candidate } from '../../src/core/discovery/pools.js';
import { OrchestratorRegistry } from '../../src/core/discovery/registry.js';
import { endTranscodingSession, getOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';
import { buildOrchestratorRequest, orchestratorRequestSig } from '../../src/lib/protocol/orchestratorRequest.js';
import { buildCapabilities } from '../../src/lib/protocol/capabilities.js';
import { localSigner } from '../../src/lib/protocol/signer.js';
import { OrchestratorInfoSchema, PriceInfoSchema, type AuthToken, type OrchestratorRequest } from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { needsRefresh } from '../../src/core/sessions/broadcastSession.js';
import { StreamSessions, type StreamSessionsOptions } from '../../src/core/sessions/streamSessions.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { startMiniOrchestrator, type MiniOrchestrator } from '../discovery/miniOrchestrator.js';

// Hardhat dev account #1 (public test key).
const GATEWAY_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const jobCaps = buildCapabilities({ ids: [0, 1, 12] });

let request: OrchestratorRequest;
let os: DevnetOrchestrator[] = [];
const minis: MiniOrchestrator[] = [];

beforeAll(async () => {
  const signer = localSigner(GATEWAY_KEY);
  request = buildOrchestratorRequest({ signer, sig: await orchestratorRequestSig(signer), capabilities: jobCaps });
  // Prices 1, 2, 3 wei/pixel; GetOrchestrator latencies 0, 60, 120 ms give a fixed discovery order.
  os = await Promise.all([0, 1, 2].map((i) => startDevnetOrchestrator({ pricePerUnit: BigInt(i + 1), pixelsPerUnit: 1n, faults: { latency: i * 60 } })));
});

afterAll(async () => {
  await Promise.all([...os.map((o) => o.close()), ...minis.map((m) => m.close())]);
});

interface Harness {
  ss: StreamSessions;
  bus: EventBus;
  events: GwEvent[];
  registry: OrchestratorRegistry;
  ends: { uri: string; ok: boolean }[];
}

function harness(pool: CandidatePool, over: Partial<StreamSessionsOptions> = {}): Harness {
  const bus = new EventBus();
  const events: GwEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const registry = new OrchestratorRegistry({ bus });
  const ends: { uri: string; ok: boolean }[] = [];
  const ss = new StreamSessions({
    streamId: 'stream-1',
    pool,
    request,
    getOrchestrator,
    endSession: async (uri: string, token: AuthToken) => {
      const r = await endTranscodingSession(uri, token);
      ends.push({ uri, ok: r.ok });
      return r;
    },
    registry,
    bus,
    ...over,
  });
  return { ss, bus, events, registry, ends };
}

const devnetPool = () => new StaticPool(os.map((o) => o.serviceUri));
const uris = () => os.map((o) => o.serviceUri);
const ofType = <T extends GwEvent['type']>(events: GwEvent[], t: T) => events.filter((e): e is Extract<GwEvent, { type: T }> => e.type === t);

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('stream sessions with devnet orchestrators', () => {
  it('start fills the trusted pool; select/complete follow the last-used and latency-score rules', async () => {
    const { ss, events, registry } = harness(devnetPool());
    expect(await ss.start()).toEqual({ trusted: 3, untrusted: 0 });
    expect(ss.sessions().map((s) => s.uri)).toEqual(uris());
    const [u0, u1] = uris();

    const a = (await ss.select())!;
    expect(a.uri).toBe(u0); // off-chain: lowest discovery latency first
    expect(a.pricePerPixel!.eq(Rational.of(1n))).toBe(true);
    expect(a.trusted).toBe(true);
    ss.complete(a, { latencyScore: 0.4 });
    expect(await ss.select()).toBe(a); // idle last-used with 0 < LS ≤ 1 is reused
    expect(await ss.select()).toBe(a); // busy, oldest in flight younger than its duration
    expect(a.inFlight).toHaveLength(2);
    ss.complete(a, { latencyScore: 0.4 });
    ss.complete(a, { latencyScore: 1.6 });
    expect(a.inFlight).toHaveLength(0);

    const b = (await ss.select())!; // best returned LS 1.6 > 1.0 and unused exist → next unused
    expect(b.uri).toBe(u1);
    ss.complete(b, { latencyScore: 0.9 });
    expect(await ss.select()).toBe(b);
    ss.complete(b, { latencyScore: 0.8 });

    expect(ofType(events, 'orchestrator.selected').map((e) => [e.orchestrator, e.pricePerPixel])).toEqual([
      [u0, '1/1'],
      [u1, '2/1'],
    ]);
    const view = Object.fromEntries(registry.list().map((v) => [v.uri, v]));
    expect(view[u0!]).toMatchObject({ inUse: 0, successRate: 1, pricePerPixel: '1/1', address: os[0]!.address });
    expect(view[u0!]!.latencyScore).toBeCloseTo(0.7 * 0.4 + 0.3 * 1.6, 10);
    expect(view[u1!]).toMatchObject({ inUse: 1 });
    expect(registry.counts()).toEqual({ known: 3, usable: 3, rejected: 0 });
    await ss.teardown();
  });

  it('remove → suspension, failover to another orchestrator, EndTranscodingSession for the removed one', async () => {
    const { ss, events, registry, ends } = harness(devnetPool());
    await ss.start();
    const a = (await ss.select({ durationMs: 2000 }))!;
    ss.remove(a, 'segment failed: boom');
    expect(ss.sessions().map((s) => s.uri)).not.toContain(a.uri);
    expect(ss.suspension(a.uri)).toBe(1); // ⌈3 / 3⌉
    const b = (await ss.select({ attempt: 2 }))!;
    expect(b.uri).not.toBe(a.uri);
    expect(ss.takeFailover()).toMatchObject({ streamId: 'stream-1', from: a.uri, to: b.uri, reason: 'segment failed: boom', attempt: 2 });
    expect(ss.takeFailover()).toBeUndefined();
    expect(ss.failoverHistory()).toHaveLength(1);
    expect(ofType(events, 'orchestrator.suspended')).toMatchObject([{ streamId: 'stream-1', orchestrator: a.uri, penalty: 1, reason: 'segment failed: boom' }]);
    expect(registry.list().find((v) => v.uri === a.uri)).toMatchObject({ suspended: { penalty: 1, reason: 'segment failed: boom' }, successRate: 0 });
    await until(() => ends.length === 1);
    expect(ends).toEqual([{ uri: a.transcoder, ok: true }]);
    ss.complete(b, { latencyScore: 0.5 });
    await ss.teardown();
    expect(registry.list().find((v) => v.uri === a.uri)!.suspended).toBeNull();
    expect(ends.filter((e) => e.uri === a.transcoder)).toHaveLength(1); // ended once
  });

  it('lowering the price cap drops the expensive orchestrator; raising it brings it back', async () => {
    const { ss, registry, events } = harness(devnetPool());
    await ss.start();
    const [, , u2] = uris();
    const { removed } = await ss.setMaxPrice(Rational.of(2n));
    expect(removed).toEqual([u2]);
    expect(ss.sessions().map((s) => s.uri)).not.toContain(u2); // re-discovery ran and rejected it
    expect(ss.suspension(u2!)).toBe(0); // a price drop is not a suspension
    expect(registry.list().find((v) => v.uri === u2)!.rejected).toEqual({ reason: 'price too high', detail: 'price 3/1 wei/pixel is above the cap 2/1' });
    expect(ofType(events, 'orchestrator.rejected').map((e) => [e.orchestrator, e.reason])).toEqual([[u2, 'price too high']]);
    for (let i = 0; i < 4; i++) {
      const s = (await ss.select())!;
      expect(s.uri).not.toBe(u2);
      ss.complete(s, { latencyScore: 2 });
    }
    await ss.setMaxPrice(null);
    expect(ss.sessions().map((s) => s.uri)).toContain(u2);
    expect(registry.list().find((v) => v.uri === u2)!.rejected).toBeNull();
    await ss.teardown();
  });

  it('a quote above the cap on a refresh or a segment reply drops the session', async () => {
    const { ss, registry } = harness(devnetPool(), { maxPrice: Rational.of(2n) });
    expect(await ss.start()).toEqual({ trusted: 2, untrusted: 0 });
    const [u0, u1] = uris();
    const s1 = ss.sessions().find((s) => s.uri === u1)!;
    os[1]!.faults.setPrice(5n, 1n);
    try {
      expect(await ss.refresh(s1)).toBe(false);
    } finally {
      os[1]!.faults.setPrice(2n, 1n);
    }
    expect(ss.sessions().map((s) => s.uri)).toEqual([u0]);
    expect(registry.list().find((v) => v.uri === u1)!.rejected?.reason).toBe('price too high');

    const s0 = (await ss.select())!;
    expect(s0.uri).toBe(u0);
    // The segment reply carries u0's new, higher quote (and u0 now quotes it to everybody).
    os[0]!.faults.setPrice(3n, 1n);
    try {
      const pricier = clone(OrchestratorInfoSchema, s0.info);
      pricier.priceInfo = create(PriceInfoSchema, { pricePerUnit: 3n, pixelsPerUnit: 1n });
      ss.complete(s0, { latencyScore: 0.5, info: pricier });
      expect(ss.sessions().map((s) => s.uri)).not.toContain(u0);
      // The pool ran dry: a background refresh brings back whatever is within the cap (u1 is at 2 again).
      await until(() => ss.sessions().length > 0);
      const next = (await ss.select({ attempt: 1 }))!;
      expect(next.uri).toBe(u1);
      expect(ss.takeFailover()).toMatchObject({ from: u0, to: u1, reason: 'price above cap', attempt: 1 });
    } finally {
      os[0]!.faults.setPrice(1n, 1n);
    }
    await ss.teardown();
  });

  it('refresh renews the auth token in place', async () => {
    const { ss } = harness(devnetPool());
    await ss.start();
    const s = (await ss.select())!;
    const before = s.info.authToken!.sessionId;
    expect(needsRefresh(s, Date.now())).toBeNull();
    expect(needsRefresh(s, Date.now() + 28 * 60_000)).toBe('auth token expiring');
    expect(await ss.refresh(s)).toBe(true);
    expect(s.info.authToken!.sessionId).not.toBe(before);
    expect(ss.sessions()).toContain(s);
    ss.complete(s, { latencyScore: 0.3 });
    await ss.teardown();
  });

  it('teardown sends EndTranscodingSession to every session (devnet answers OK)', async () => {
    const { ss, ends } = harness(devnetPool());
    await ss.start();
    const s = (await ss.select())!;
    ss.complete(s, { latencyScore: 0.2 });
    await ss.teardown();
    expect(ends.map((e) => e.uri).sort()).toEqual(uris().sort());
    expect(ends.every((e) => e.ok)).toBe(true);
    expect(await ss.select()).toBeUndefined();
  });
});

describe('stream sessions with mini orchestrators', () => {
  async function minisOf(n: number, cfg: Parameters<typeof startMiniOrchestrator>[0] = {}): Promise<MiniOrchestrator[]> {
    const ms = await Promise.all(Array.from({ length: n }, (_, i) => startMiniOrchestrator({ delayMs: i * 30, ...cfg })));
    minis.push(...ms);
    return ms;
  }
  const fixed = (cands: Candidate[]): CandidatePool => ({ kind: 'webhook', candidates: () => Promise.resolve(cands) });

  it('EndTranscodingSession reaches each server once; deferred while a segment is in flight', async () => {
    const ms = await minisOf(3);
    const { ss } = harness(new StaticPool(ms.map((m) => m.uri)));
    await ss.start();
    const a = (await ss.select())!;
    await ss.select(); // second segment on the same session
    expect(a.inFlight).toHaveLength(2);
    ss.remove(a, 'boom'); // drops one in-flight entry; the other is still running
    await new Promise((r) => setTimeout(r, 100));
    expect(ms[0]!.endSessionCalls).toBe(0);
    ss.complete(a); // the last segment finished: now the session is ended
    await until(() => ms[0]!.endSessionCalls === 1);
    expect(ms[0]!.ended).toEqual([a.info.authToken!.sessionId]);
    await ss.teardown();
    expect(ms.map((m) => m.endSessionCalls)).toEqual([1, 1, 1]);
    await ss.teardown();
    expect(ms.map((m) => m.endSessionCalls)).toEqual([1, 1, 1]);
  });

  it('untrusted pool first; scores between 0 and 1 are in neither pool', async () => {
    const [t, u, mid] = await minisOf(3);
    const { ss } = harness(fixed([
      { uri: t!.uri, score: 1 },
      { uri: u!.uri, score: 0 },
      { uri: mid!.uri, score: 0.5 },
    ]));
    expect(await ss.start()).toEqual({ trusted: 1, untrusted: 1 });
    const s = (await ss.select())!;
    expect(s.uri).toBe(u!.uri);
    expect(s.trusted).toBe(false);
    ss.remove(s, 'boom');
    expect((await ss.select())!.uri).toBe(t!.uri);
    expect(mid!.getOrchestratorCalls).toBe(0);
    await ss.teardown();
  });

  it('refills in the background when the selector runs low (suspended ones fill in when needed)', async () => {
    const ms = await minisOf(2);
    const { ss } = harness(new StaticPool(ms.map((m) => m.uri)));
    await ss.start();
    const calls = () => ms.reduce((n, m) => n + m.getOrchestratorCalls, 0);
    expect(calls()).toBe(2);
    const a = (await ss.select())!;
    ss.remove(a, 'boom');
    const b = (await ss.select())!;
    ss.remove(b, 'boom');
    expect(ss.selectorSize('trusted')).toBe(0);
    expect(await ss.select()).toBeUndefined(); // nothing now, but a refresh started
    await until(() => ss.selectorSize('trusted') === 2);
    expect(calls()).toBe(4);
    const c = (await ss.select())!;
    expect([a.uri, b.uri]).toContain(c.uri);
    expect(c).not.toBe(a);
    ss.complete(c, { latencyScore: 0.5 });
    await ss.teardown();
  });

  it('ignoreMaxPriceIfNeeded keeps over-cap sessions when nothing is within the cap; a doubled quote is dropped', async () => {
    const ms = await minisOf(2, { pricePerUnit: 5n });
    const { ss, events } = harness(new StaticPool(ms.map((m) => m.uri)), { maxPrice: Rational.of(2n), ignoreMaxPriceIfNeeded: true });
    expect(await ss.start()).toEqual({ trusted: 2, untrusted: 0 });
    const a = (await ss.select())!;
    ss.complete(a, { latencyScore: 0.5, info: a.info });
    expect(ss.sessions()).toHaveLength(2);
    expect(await ss.refresh((await ss.select())!)).toBe(true);
    const doubled = clone(OrchestratorInfoSchema, a.info);
    doubled.priceInfo = create(PriceInfoSchema, { pricePerUnit: 11n, pixelsPerUnit: 1n });
    ss.complete(a, { latencyScore: 0.5, info: doubled });
    expect(ss.sessions().map((s) => s.uri)).toEqual([ms[1]!.uri]);
    expect(ofType(events, 'orchestrator.suspended')).toMatchObject([{ orchestrator: a.uri, reason: 'price more than doubled' }]);
    await ss.teardown();
  });

  it('a failed refresh suspends and removes the session', async () => {
    const [m] = await minisOf(1);
    const { ss, events, registry } = harness(new StaticPool([m!.uri]));
    await ss.start();
    const s = (await ss.select())!;
    await m!.close();
    expect(s.inFlight).toHaveLength(1);
    expect(await ss.refresh(s)).toBe(false);
    expect(s.inFlight).toHaveLength(0); // the segment will not go out on it
    expect(ss.sessions()).toEqual([]);
    expect(ofType(events, 'orchestrator.suspended')[0]!.reason).toMatch(/^refresh failed: /);
    expect(registry.list()[0]!.rejected?.reason).toBe('unreachable');
    await ss.teardown();
  });
});
