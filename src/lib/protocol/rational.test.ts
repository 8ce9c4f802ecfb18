import { describe, expect, it } from 'vitest';
import { Rational } from './rational.js';

describe('Rational', () => {
  it('normalizes sign and gcd', () => {
    const r = Rational.of(6n, -4n);
    expect([r.num, r.den]).toEqual([-3n, 2n]);
    expect(Rational.of(0n, -7n).toString()).toBe('0/1');
    expect(Rational.of(10, 5).toString()).toBe('2/1');
    expect(() => Rational.of(1n, 0n)).toThrow('zero denominator');
  });
  it('arithmetic is exact', () => {
    const a = Rational.of(1n, 3n);
    const b = Rational.of(1n, 6n);
    expect(a.add(b).toString()).toBe('1/2');
    expect(a.sub(b).toString()).toBe('1/6');
    expect(a.mul(b).toString()).toBe('1/18');
    expect(a.div(b).toString()).toBe('2/1');
    expect(a.add(1n).toString()).toBe('4/3');
    expect(() => a.div(0n)).toThrow('division by zero');
    expect(a.neg().abs().eq(a)).toBe(true);
    const big = Rational.of(2n ** 256n - 1n, 3n);
    expect(big.mul(3n).num).toBe(2n ** 256n - 1n);
  });
  it('compares', () => {
    const a = Rational.of(1n, 3n);
    expect(a.cmp(Rational.of(2n, 6n))).toBe(0);
    expect(a.lt(Rational.of(1n, 2n))).toBe(true);
    expect(a.gt(0n)).toBe(true);
    expect(a.lte(a) && a.gte(a)).toBe(true);
    expect(Rational.of(-1n, 2n).sign()).toBe(-1);
    expect(Rational.ZERO.isZero()).toBe(true);
  });
  it('floor and ceil, including negatives', () => {
    expect(Rational.of(7n, 2n).floor()).toBe(3n);
    expect(Rational.of(7n, 2n).ceil()).toBe(4n);
    expect(Rational.of(-7n, 2n).floor()).toBe(-4n);
    expect(Rational.of(-7n, 2n).ceil()).toBe(-3n);
    expect(Rational.of(6n, 2n).floor()).toBe(3n);
    expect(Rational.of(6n, 2n).ceil()).toBe(3n);
  });
  it('toDecimalString rounds half away from zero like Go FloatString', () => {
    expect(Rational.of(1n, 2n).toDecimalString(0)).toBe('1');
    expect(Rational.of(-1n, 2n).toDecimalString(0)).toBe('-1');
    expect(Rational.of(1n, 3n).toDecimalString(3)).toBe('0.333');
    expect(Rational.of(2n, 3n).toDecimalString(3)).toBe('0.667');
    expect(Rational.of(999n, 1000n).toDecimalString(2)).toBe('1.00');
    expect(Rational.of(-1n, 1000n).toDecimalString(2)).toBe('-0.00');
    expect(Rational.of(5n).toDecimalString(2)).toBe('5.00');
    expect(Rational.of(5n).toDecimalString(0)).toBe('5');
    expect(Rational.of(1n, 20n).toDecimalString(1)).toBe('0.1');
    expect(() => Rational.ONE.toDecimalString(-1)).toThrow();
  });
  it('parses decimals and fractions', () => {
    expect(Rational.fromDecimalString('0.5').toString()).toBe('1/2');
    expect(Rational.fromDecimalString('-1.25').toString()).toBe('-5/4');
    expect(Rational.fromDecimalString('12').toString()).toBe('12/1');
    expect(Rational.fromDecimalString('.5').toString()).toBe('1/2');
    expect(Rational.fromDecimalString('1e3').toString()).toBe('1000/1');
    expect(Rational.fromDecimalString('1.5e-3').toString()).toBe('3/2000');
    expect(Rational.parse('1200/1').toString()).toBe('1200/1');
    expect(Rational.parse('6/4').toString()).toBe('3/2');
    expect(Rational.parse(' 0.001 ').toString()).toBe('1/1000');
    for (const bad of ['', '.', 'abc', '1/0', '1.5/2', '1/', '0x10', '1,5']) expect(() => Rational.parse(bad)).toThrow();
  });
  it('toNumber is approximate', () => {
    expect(Rational.of(1n, 4n).toNumber()).toBe(0.25);
  });
});
