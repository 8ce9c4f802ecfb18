// USD → wei conversion, the USD video cap and USD per-capability prices: exact values, no floats.
import { describe, expect, it } from 'vitest';
import { entryPrice, jobMaxPrice, parseCapabilityPrices, resolveCapabilityPrices } from './capabilityPrices.js';
import { FiatPriceError, formatUsdPerEth, parseUsdAmount, quoteAgeSeconds, usdToWei, type EthUsdQuote } from './fiatPrice.js';
import { effectiveCap, formatMaxPriceSetting, parseMaxPriceSetting, resolveVideoCap, sameCap } from './videoCap.js';
import { Rational } from '../protocol/rational.js';

const ETH_3000 = { answer: 3000n * 10n ** 8n, decimals: 8 };
const quote = (answer: bigint, decimals = 8): EthUsdQuote => ({ answer, decimals, feed: '0x0000000000000000000000000000000000000001', roundId: 1n, updatedAt: 1_700_000_000, readAt: 1_700_000_060_000 });

describe('usdToWei', () => {
  it('converts exactly at Chainlink-style rates', () => {
    // 0.02 USD at 3000 USD/ETH = 0.02 / 3000 ETH = 2e16 / 3000 wei = 20000000000000/3 wei.
    expect(usdToWei(parseUsdAmount('0.02'), ETH_3000).eq(Rational.of(20_000_000_000_000n, 3n))).toBe(true);
    // 1 USD at 2500.12345678 USD/ETH keeps every digit: 10^26 / 250012345678 (floor checked with Python big ints).
    const odd = usdToWei(Rational.ONE, { answer: 250_012_345_678n, decimals: 8 });
    expect(odd.eq(Rational.of(10n ** 26n, 250_012_345_678n))).toBe(true);
    expect(odd.floor()).toBe(399_980_247_890_612n);
    // Same rate with 18 decimals gives the same wei.
    expect(usdToWei(parseUsdAmount('0.02'), { answer: 3000n * 10n ** 18n, decimals: 18 }).toString()).toBe('20000000000000/3');
    // 3 USD at 3000 USD/ETH is exactly 1 mETH.
    expect(usdToWei(parseUsdAmount('3'), ETH_3000).eq(10n ** 15n)).toBe(true);
  });

  it('rejects answers ≤ 0 and bad amounts', () => {
    expect(() => usdToWei(Rational.ONE, { answer: 0n, decimals: 8 })).toThrow(FiatPriceError);
    expect(() => usdToWei(Rational.ONE, { answer: -5n, decimals: 8 })).toThrow(/positive/);
    expect(() => usdToWei(Rational.ONE, { answer: 1n, decimals: 99 })).toThrow(/decimals/);
    for (const bad of ['0', '0.00', '-1', '1e3', 'abc', '']) expect(() => parseUsdAmount(bad), bad).toThrow(FiatPriceError);
  });

  it('formats the rate and its age', () => {
    expect(formatUsdPerEth(ETH_3000)).toBe('3000.00');
    expect(formatUsdPerEth({ answer: 250_012_345_678n, decimals: 8 }, 4)).toBe('2500.1235');
    expect(quoteAgeSeconds(quote(1n), 1_700_000_090_500)).toBe(90);
    expect(quoteAgeSeconds(quote(1n), 1_600_000_000_000)).toBe(0);
  });
});

describe('the video cap in wei or USD', () => {
  it('parses go-livepeer style values', () => {
    expect(parseMaxPriceSetting('1200')).toEqual({ currency: 'wei', wei: 1200n });
    const usd = parseMaxPriceSetting('0.02USD');
    expect(usd.currency === 'USD' && usd.usd.eq(Rational.of(1n, 50n))).toBe(true);
    expect(formatMaxPriceSetting(parseMaxPriceSetting(' 0.50 usd '))).toBe('0.50USD');
    expect(() => parseMaxPriceSetting('0USD')).toThrow(/greater than 0/);
    for (const bad of ['1.5', '12ETH', '0.02EUR', 'USD', '-1USD']) expect(() => parseMaxPriceSetting(bad), bad).toThrow(/whole number of wei or a USD amount/);
  });

  it('resolves to wei per pixel; a USD cap without a rate is 0, never "any price"', () => {
    expect(effectiveCap(resolveVideoCap(parseMaxPriceSetting('0'), 1n, null))).toBeNull();
    expect(effectiveCap(resolveVideoCap(parseMaxPriceSetting('1200'), 7n, null))!.eq(Rational.of(1200n, 7n))).toBe(true);
    const known = resolveVideoCap(parseMaxPriceSetting('0.02USD'), 1_000_000n, quote(ETH_3000.answer));
    expect(known.kind).toBe('usd');
    // 20000000000000/3 wei per 1e6 pixels = 20000000/3 wei per pixel.
    expect(effectiveCap(known)!.toString()).toBe('20000000/3');
    const unknown = resolveVideoCap(parseMaxPriceSetting('0.02USD'), 1_000_000n, null, 'feed down');
    expect(unknown).toMatchObject({ kind: 'unknown', reason: 'feed down' });
    expect(effectiveCap(unknown)!.isZero()).toBe(true);
    // A higher ETH price lowers the wei cap: 5000 USD/ETH → 4,000,000 wei per pixel.
    expect(effectiveCap(resolveVideoCap(parseMaxPriceSetting('0.02USD'), 1_000_000n, quote(5000n * 10n ** 8n)))!.eq(4_000_000n)).toBe(true);
    expect(sameCap(null, null) && sameCap(Rational.of(2n, 4n), Rational.of(1n, 2n)) && !sameCap(null, Rational.ZERO)).toBe(true);
  });
});

describe('per-capability prices in USD (go-livepeer "currency":"USD")', () => {
  const entries = parseCapabilityPrices('{"capabilities_prices":[{"pipeline":"llm","model_id":"default","price_per_unit":0.003,"pixels_per_unit":1000,"currency":"USD"},{"pipeline":"upscale","price_per_unit":5,"currency":"wei"}]}');
  const noGlobal = { maxPricePerUnit: 0n, pixelsPerUnit: 1n };

  it('parses USD and converts with the rate', () => {
    expect(entries[0]!.currency).toBe('USD');
    // 0.003 USD at 3000 USD/ETH = 1e12 wei per 1000 units = 1e9 wei per unit.
    expect(entryPrice(entries[0]!, noGlobal, ETH_3000)!.eq(1_000_000_000n)).toBe(true);
    expect(jobMaxPrice(resolveCapabilityPrices(entries, noGlobal, ETH_3000), [{ pipeline: 'llm', modelId: 'x' }], noGlobal)!.eq(1_000_000_000n)).toBe(true);
  });

  it('without a rate the price is unknown: 0 for the job, even when the global cap accepts any price', () => {
    expect(entryPrice(entries[0]!, noGlobal)!.isZero()).toBe(true);
    const table = resolveCapabilityPrices(entries, noGlobal, null);
    expect(jobMaxPrice(table, [{ pipeline: 'llm', modelId: 'x' }], noGlobal)!.isZero()).toBe(true);
    // A job mixing a known and an unknown price is unknown as a whole.
    expect(jobMaxPrice(table, [{ pipeline: 'upscale', modelId: 'u' }, { pipeline: 'llm', modelId: 'x' }], noGlobal)!.isZero()).toBe(true);
    // Wei entries are unaffected.
    expect(jobMaxPrice(table, [{ pipeline: 'upscale', modelId: 'u' }], noGlobal)!.eq(5n)).toBe(true);
  });

  it('a USD video cap without a rate makes the fallback 0 too', () => {
    const unknownGlobal = { maxPricePerUnit: 0n, pixelsPerUnit: 1n, unknown: 'no rate' };
    const zero = parseCapabilityPrices('{"capabilities_prices":[{"pipeline":"llm","price_per_unit":0}]}');
    expect(entryPrice(zero[0]!, unknownGlobal)!.isZero()).toBe(true);
    expect(jobMaxPrice(resolveCapabilityPrices([], unknownGlobal), [{ pipeline: 'image-to-text', modelId: 'm' }], unknownGlobal)!.isZero()).toBe(true);
  });
});
