import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { FEE_FACTOR, aiFee, estimateFee, pricePerPixel, segmentPixels, ticketsNeeded, transcodeDebit } from './fees.js';
import { Rational } from './rational.js';
import { PriceInfoSchema } from './gen/net/lp_rpc_pb.js';
import { parseProfileList, toNetProfile } from './profiles.js';

const two = parseProfileList('P240p30fps16x9,P360p30fps16x9').map(toNetProfile);

describe('price per pixel', () => {
  it('is the exact ratio, undefined without price, error on 0 units', () => {
    expect(pricePerPixel(create(PriceInfoSchema, { pricePerUnit: 1200n, pixelsPerUnit: 1n }))?.eq(1200n)).toBe(true);
    expect(pricePerPixel(create(PriceInfoSchema, { pricePerUnit: 1n, pixelsPerUnit: 1000n }))?.toString()).toBe('1/1000');
    expect(pricePerPixel(undefined)).toBeUndefined();
    expect(() => pricePerPixel(create(PriceInfoSchema, { pricePerUnit: 1n, pixelsPerUnit: 0n }))).toThrow('pixelsPerUnit is 0');
  });
});

describe('fee estimate', () => {
  it('1.02 is the exact float64 value', () => {
    expect(FEE_FACTOR.num).toBe(2296835809958953n);
    expect(FEE_FACTOR.den).toBe(2251799813685248n);
    expect(FEE_FACTOR.gt(Rational.fromDecimalString('1.02'))).toBe(true);
  });
  it('pixels = Σ w × h × ⌈fps⌉ × ⌈dur⌉', () => {
    expect(segmentPixels(two, 2)).toBe(19_958_400n);
    expect(segmentPixels(two, 1.2)).toBe(19_958_400n);
    expect(segmentPixels(two, 0)).toBe(0n);
    const passthrough = { width: 426, height: 240, fps: 0, fpsDen: 0 };
    const ntsc = { width: 640, height: 360, fps: 30000, fpsDen: 1001 };
    expect(segmentPixels([passthrough, ntsc], 1.5)).toBe(426n * 240n * 60n * 2n + 640n * 360n * 30n * 2n);
    expect(() => segmentPixels(two, Number.NaN)).toThrow();
  });
  it('fee = pixels × 1.02 × price, exact', () => {
    const fee = estimateFee(two, 2, Rational.of(1200n));
    expect(fee?.num).toBe(26860059275088730989375n);
    expect(fee?.den).toBe(1099511627776n);
    expect(fee?.floor()).toBe(24_429_081_600n);
    expect(fee?.ceil()).toBe(24_429_081_601n);
    const fee2 = estimateFee(two, 1.5, Rational.of(3n, 1000n));
    expect(fee2?.floor()).toBe(61_072n); // 19,958,400 × 0.003 × 1.02 = 61,072.7…
    expect(estimateFee(two, 2, undefined)).toBeUndefined();
  });
  it('AI fee has no 1.02 and debit uses reported pixels', () => {
    expect(aiFee(1000n, Rational.of(5n, 2n))?.eq(2500n)).toBe(true);
    expect(aiFee(1n, undefined)).toBeUndefined();
    expect(transcodeDebit([100n, 200n], Rational.of(3n, 2n)).eq(450n)).toBe(true);
    expect(transcodeDebit([100n], undefined).isZero()).toBe(true);
  });
});

describe('ticketsNeeded (§8.4)', () => {
  const ev = Rational.of(8_000_000_000n);
  const fee = estimateFee(two, 2, Rational.of(1200n));
  it('covers the gap with ⌈gap / ev⌉ tickets', () => {
    const r = ticketsNeeded({ fee, ev, existingBalance: 0n });
    expect(r.numTickets).toBe(4);
    expect(r.newCredit.eq(32_000_000_000n)).toBe(true);
    expect(r.minCredit).toBe(fee);
    expect(ticketsNeeded({ fee, ev, existingBalance: 20_000_000_000n }).numTickets).toBe(1);
  });
  it('no tickets when the existing balance covers max(fee, ev)', () => {
    expect(ticketsNeeded({ fee, ev, existingBalance: 24_429_081_601n }).numTickets).toBe(0);
    // exactly the fee rounded down is not enough: the fee has a tiny fractional part
    expect(ticketsNeeded({ fee, ev, existingBalance: 24_429_081_600n }).numTickets).toBe(1);
  });
  it('at least one ticket EV of balance even for a tiny fee', () => {
    const r = ticketsNeeded({ fee: Rational.of(1n), ev, existingBalance: 0n });
    expect(r.numTickets).toBe(1);
    expect(r.minCredit.eq(ev)).toBe(true);
    expect(ticketsNeeded({ fee: Rational.of(1n), ev, existingBalance: ev }).numTickets).toBe(0);
  });
  it('no price or zero EV → no tickets; negative balance needs more', () => {
    expect(ticketsNeeded({ fee: undefined, ev, existingBalance: 0n }).numTickets).toBe(0);
    expect(ticketsNeeded({ fee, ev: 0n, existingBalance: 0n }).numTickets).toBe(0);
    expect(ticketsNeeded({ fee: Rational.of(1n), ev, existingBalance: -1n }).numTickets).toBe(2);
  });
});
