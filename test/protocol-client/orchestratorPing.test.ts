import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { OrchestratorInfoSchema, bigintToBytes, capabilityName, encodeBitstring, toChecksumAddress, winProbForEV } from '../../src/lib/protocol/index.js';
import {
  PIXELS_720P30_MINUTE,
  formatWinOdds,
  pingResultsToJson,
  renderPingReport,
  summarizeOrchestrator,
} from '../../src/cli/services/orchestratorPing.js';

const MAX = (1n << 256n) - 1n;

describe('formatWinOdds', () => {
  it('expresses winProb over 2^256 − 1 as "1 in N"', () => {
    expect(formatWinOdds(MAX)).toBe('1 in 1');
    expect(formatWinOdds(MAX / 125_000n)).toBe('1 in 125,000');
    expect(formatWinOdds(MAX / 100n)).toBe('1 in 100');
    expect(formatWinOdds(0n)).toBe('never');
  });
});

describe('summarizeOrchestrator', () => {
  const address = new Uint8Array(20).map((_, i) => 0xa0 + i);
  const faceValue = 800_000_000_000n;
  const ev = 8_000_000_000n;
  const winProb = winProbForEV(ev, faceValue);
  const info = create(OrchestratorInfoSchema, {
    transcoder: 'https://127.0.0.1:8935',
    address,
    priceInfo: { pricePerUnit: 1200n, pixelsPerUnit: 1n },
    capabilities: { bitstring: encodeBitstring([0, 1, 2, 12]) },
    ticketParams: { faceValue: bigintToBytes(faceValue), winProb: bigintToBytes(winProb) },
    authToken: { token: new Uint8Array([1]), sessionId: 's', expiration: 1_000_000n + 30n * 60n },
  });

  it('computes price, 720p30 minute cost, ticket odds/EV, caps and token expiry exactly', () => {
    const s = summarizeOrchestrator('https://127.0.0.1:8935', info, 12.345, 1_000_000_000);
    expect(s.address).toBe(toChecksumAddress('0x' + Buffer.from(address).toString('hex')));
    expect(s.address).not.toBe(s.address?.toLowerCase());
    expect(s.price?.weiPerPixel).toBe('1200/1');
    expect(s.price?.weiPerPixelDecimal).toBe('1200');
    expect(PIXELS_720P30_MINUTE).toBe(1_658_880_000n);
    expect(s.price?.cost720p30MinuteWei).toBe(1_990_656_000_000n);
    expect(s.price?.cost720p30MinuteExact).toBe(true);
    expect(s.capabilities).toEqual([0, 1, 2, 12].map(capabilityName));
    expect(s.capabilities).toContain('H.264');
    expect(s.ticket?.winOdds).toBe('1 in 100');
    expect(s.ticket?.evWei).toMatch(/^~?8000000000(\.\d+)?$/);
    expect(s.authTokenExpiresInMin).toBe(30);
    expect(s.latencyMs).toBe(12.3);
  });

  it('handles fractional prices and off-chain infos', () => {
    const frac = create(OrchestratorInfoSchema, { transcoder: 'x', priceInfo: { pricePerUnit: 1n, pixelsPerUnit: 3n } });
    const s = summarizeOrchestrator('x', frac, 1, 0);
    expect(s.price?.weiPerPixel).toBe('1/3');
    expect(s.price?.weiPerPixelDecimal).toBe('~0.333333');
    expect(s.price?.cost720p30MinuteWei).toBe(552_960_000n);
    expect(s.price?.cost720p30MinuteExact).toBe(true);
    expect(renderPingReport([{ uri: 'x', ok: true, summary: s }])).toContain('~0.333333 wei/pixel (= 1/3 exactly)');
    const unreduced = summarizeOrchestrator('x', create(OrchestratorInfoSchema, { transcoder: 'x', priceInfo: { pricePerUnit: 3000n, pixelsPerUnit: 1000n } }), 1, 0);
    expect(renderPingReport([{ uri: 'x', ok: true, summary: unreduced }])).toContain('3 wei/pixel (= 3/1 exactly; quoted as 3000 wei per 1000 pixels)');
    const off = summarizeOrchestrator('x', create(OrchestratorInfoSchema, { transcoder: 'x' }), 1, 0);
    expect(off.price).toBeUndefined();
    expect(off.ticket).toBeUndefined();
    expect(off.address).toBeUndefined();
    expect(off.authTokenExpiresInMin).toBeUndefined();
  });

  it('renders text and JSON (bigints as strings)', () => {
    const s = summarizeOrchestrator('https://127.0.0.1:8935', info, 5, 1_000_000_000);
    const results = [
      { uri: 'https://127.0.0.1:8935', ok: true as const, summary: s },
      { uri: 'https://127.0.0.1:1', ok: false as const, error: { kind: 'refused' as const, message: 'dial 127.0.0.1:1: connect ECONNREFUSED' } },
    ];
    const text = renderPingReport(results);
    expect(text).toContain('0.000001990656 ETH');
    expect(text).toContain('1 in 100');
    expect(text).toContain('expires in 30 min');
    expect(text).toContain('refused: dial 127.0.0.1:1');
    const json = pingResultsToJson(results) as Array<{ summary?: { price: { cost720p30MinuteWei: string } } }>;
    expect(json[0]?.summary?.price.cost720p30MinuteWei).toBe('1990656000000');
  });
});
