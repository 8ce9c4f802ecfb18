import { describe, expect, it } from 'vitest';
import {
  AmountParseError,
  formatEth,
  formatGwei,
  formatUnitsExact,
  parseAmount,
  parseEth,
  parseGwei,
} from './units.js';

describe('parseEth', () => {
  it.each([
    ['0.36', 360000000000000000n],
    ['1', 10n ** 18n],
    ['  2.5 ', 2500000000000000000n],
    ['.5', 500000000000000000n],
    ['1.', 10n ** 18n],
    ['0', 0n],
    ['0.000000000000000001', 1n],
    ['123456789.123456789123456789', 123456789123456789123456789n],
    ['007.10', 7100000000000000000n],
  ])('%j → %s wei', (text, wei) => {
    expect(parseEth(text)).toBe(wei);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['-1', /must not be negative/],
    ['-0.5', /must not be negative/],
    ['0.0000000000000000001', /too many decimal places.*at most 18/],
    ['1e18', /scientific notation/],
    ['1.5E3', /scientific notation/],
    ['1,000', /decimal point/],
    ['0,36', /decimal point/],
    ['abc', /not a number/],
    ['0x10', /not a number/],
    ['1.2.3', /not a number/],
    ['.', /not a number/],
    ['+1', /not a number/],
    ['NaN', /not a number/],
    ['Infinity', /not a number/],
    [`${2n ** 256n}`, /too large/],
  ])('rejects %j', (text, message) => {
    expect(() => parseEth(text)).toThrow(AmountParseError);
    expect(() => parseEth(text)).toThrow(message);
  });
});

describe('parseGwei and parseAmount', () => {
  it('gwei has 9 decimals', () => {
    expect(parseGwei('3')).toBe(3_000_000_000n);
    expect(parseGwei('0.000000001')).toBe(1n);
    expect(() => parseGwei('0.0000000001')).toThrow(/at most 9/);
  });
  it('reads an optional unit suffix', () => {
    expect(parseAmount('0.36')).toBe(360000000000000000n);
    expect(parseAmount('0.36 ETH')).toBe(360000000000000000n);
    expect(parseAmount('0.36eth')).toBe(360000000000000000n);
    expect(parseAmount('3 gwei')).toBe(3_000_000_000n);
    expect(parseAmount('100 wei')).toBe(100n);
    expect(parseAmount('100', 'wei')).toBe(100n);
    expect(() => parseAmount('1.5 wei')).toThrow(/whole numbers/);
    expect(() => parseAmount('1 btc')).toThrow(/unknown unit "btc"/);
    expect(() => parseAmount('-1 ETH')).toThrow(/negative/);
  });
});

describe('formatting', () => {
  it('formats wei exactly', () => {
    expect(formatEth(360000000000000000n)).toBe('0.36 ETH');
    expect(formatEth(0n)).toBe('0 ETH');
    expect(formatEth(10n ** 18n)).toBe('1 ETH');
    expect(formatEth(1n)).toBe('0.000000000000000001 ETH');
    expect(formatEth(123456789123456789123456789n)).toBe('123456789.123456789123456789 ETH');
    expect(formatEth(-500000000000000000n)).toBe('-0.5 ETH');
    expect(formatGwei(3_000_000_000n)).toBe('3 gwei');
    expect(formatGwei(1_500_000_001n)).toBe('1.500000001 gwei');
    expect(formatUnitsExact(12345n, 0)).toBe('12345');
  });
  it('maxDecimals truncates and marks approximations', () => {
    expect(formatEth(123456789012345678n, { maxDecimals: 4 })).toBe('~0.1234 ETH');
    expect(formatEth(120000000000000000n, { maxDecimals: 4 })).toBe('0.12 ETH');
    expect(formatEth(1n, { maxDecimals: 6 })).toBe('~0 ETH');
    expect(formatGwei(3_140_000_000n, { maxDecimals: 1 })).toBe('~3.1 gwei');
  });
  it('round-trips', () => {
    for (const s of ['0.36', '1', '0.000000000000000001', '98765.4321']) {
      expect(formatEth(parseEth(s))).toBe(`${s} ETH`);
    }
  });
});
