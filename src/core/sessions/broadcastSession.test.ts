import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { OrchestratorInfoSchema, type OrchestratorInfo } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../lib/protocol/rational.js';
import { bigintToBytes } from '../../lib/protocol/encoding.js';
import { BroadcastSession, inFlightLimitMs, needsRefresh, reusableAsLast } from './broadcastSession.js';

const NOW = 1_700_000_000_000;

function info(over: { expSec?: number; expirationBlock?: bigint; price?: [bigint, bigint]; sessionId?: string; rand?: number } = {}): OrchestratorInfo {
  return create(OrchestratorInfoSchema, {
    transcoder: 'https://o:8935',
    address: new Uint8Array(20).fill(7),
    authToken: { token: new Uint8Array(8), sessionId: over.sessionId ?? 's1', expiration: BigInt(over.expSec ?? NOW / 1000 + 1800) },
    priceInfo: over.price ? { pricePerUnit: over.price[0], pixelsPerUnit: over.price[1] } : undefined,
    ticketParams:
      over.expirationBlock !== undefined
        ? { recipient: new Uint8Array(20).fill(7), expirationBlock: bigintToBytes(over.expirationBlock), recipientRandHash: new Uint8Array(32).fill(over.rand ?? 1) }
        : undefined,
  });
}

describe('needsRefresh (§8.6)', () => {
  it('refreshes from 3 minutes before the auth token expires', () => {
    expect(needsRefresh({ info: info({ expSec: NOW / 1000 + 181 }) }, NOW)).toBeNull();
    expect(needsRefresh({ info: info({ expSec: NOW / 1000 + 180 }) }, NOW)).toBe('auth token expiring');
    expect(needsRefresh({ info: info({ expSec: NOW / 1000 + 180 }) }, NOW - 1)).toBeNull();
    expect(needsRefresh({ info: info({ expSec: NOW / 1000 - 10 }) }, NOW)).toBe('auth token expiring');
    expect(needsRefresh({ info: create(OrchestratorInfoSchema, { transcoder: 'x' }) }, NOW)).toBe('no auth token');
  });

  it('refreshes ticket params with at most 1 L1 block left', () => {
    const s = { info: info({ expirationBlock: 1000n }) };
    expect(needsRefresh(s, NOW, 998n)).toBeNull();
    expect(needsRefresh(s, NOW, 999n)).toBe('ticket params expiring');
    expect(needsRefresh(s, NOW, 1000n)).toBe('ticket params expiring');
    expect(needsRefresh(s, NOW, 5000n)).toBe('ticket params expiring');
    expect(needsRefresh(s, NOW)).toBeNull();
    expect(needsRefresh({ info: info() }, NOW, 5000n)).toBeNull();
  });
});

describe('last-used reuse rule (§11.2)', () => {
  it('idle: 0 < LS ≤ 1.0', () => {
    for (const [ls, ok] of [
      [0, false],
      [0.01, true],
      [1.0, true],
      [1.0001, false],
      [-1, false],
    ] as const) {
      expect(reusableAsLast({ inFlight: [], latencyScore: ls }, NOW, 1)).toBe(ok);
    }
  });

  it('busy: oldest in-flight younger than multiplier × duration (1.5 s floor for ≤ 1 s)', () => {
    const busy = (age: number, durationMs: number) => ({ inFlight: [{ startedAt: NOW - age, durationMs }, { startedAt: NOW, durationMs }], latencyScore: 5 });
    expect(reusableAsLast(busy(1999, 2000), NOW, 1)).toBe(true);
    expect(reusableAsLast(busy(2000, 2000), NOW, 1)).toBe(false);
    expect(reusableAsLast(busy(3999, 2000), NOW, 2)).toBe(true);
    expect(reusableAsLast(busy(4000, 2000), NOW, 2)).toBe(false);
    expect(reusableAsLast(busy(1499, 1000), NOW, 1)).toBe(true);
    expect(reusableAsLast(busy(1500, 500), NOW, 1)).toBe(false);
    expect(inFlightLimitMs(1001, 1)).toBe(1001);
    expect(inFlightLimitMs(1000, 2)).toBe(3000);
  });
});

describe('BroadcastSession', () => {
  it('derives address, price, PM session; update() reports what changed', () => {
    const s = new BroadcastSession({ candidate: { uri: 'https://o:8935', score: 0, stake: 42n }, info: info({ price: [10n, 4n], expirationBlock: 9n }), discoveryLatencyMs: 12 });
    expect(s.trusted).toBe(false);
    expect(s.stake).toBe(42n);
    expect(s.address).toBe('0x0707070707070707070707070707070707070707');
    expect(s.pricePerPixel!.eq(Rational.of(5n, 2n))).toBe(true);
    expect(s.pmSessionId).toBe(`0x${'01'.repeat(32)}`);
    expect(s.recipient).toBe(`0x${'07'.repeat(20)}`);
    expect(s.update(info({ price: [10n, 4n], expirationBlock: 9n }))).toEqual({ pmSessionChanged: false, authSessionChanged: false });
    expect(s.update(info({ price: [10n, 4n], expirationBlock: 9n, rand: 2, sessionId: 's2' }))).toEqual({ pmSessionChanged: true, authSessionChanged: true });
    expect(s.priceMoreThanDoubled()).toBe(false);
    s.update(info({ price: [20n, 4n] }));
    expect(s.priceMoreThanDoubled()).toBe(false);
    s.update(info({ price: [21n, 4n] }));
    expect(s.priceMoreThanDoubled()).toBe(true);
    expect(s.initialPrice!.eq(Rational.of(5n, 2n))).toBe(true);
  });
});
