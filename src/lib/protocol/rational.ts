// Exact rational arithmetic on bigints (the TypeScript counterpart of Go's big.Rat), used for prices per pixel,
// ticket expected values and fee estimates where floats would silently lose wei.

/** A value accepted wherever a Rational is: a Rational or an integer. */
export type RationalLike = Rational | bigint;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

function toRational(v: RationalLike): Rational {
  return typeof v === 'bigint' ? Rational.of(v) : v;
}

const INT_RE = /^[+-]?\d+$/;
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Immutable normalized fraction num/den with den > 0 and gcd(num, den) = 1. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static readonly ZERO: Rational = new Rational(0n, 1n);
  static readonly ONE: Rational = new Rational(1n, 1n);

  /** num/den, normalized; throws on a zero denominator. */
  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError('rational: zero denominator');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    if (n === 0n) return new Rational(0n, 1n);
    const g = gcd(n, d);
    return g === 1n ? new Rational(n, d) : new Rational(n / g, d / g);
  }

  /** Parses "a/b" (integers), an integer, or a decimal such as "0.5", "-1.25e3". */
  static parse(text: string): Rational {
    const s = text.trim();
    const slash = s.indexOf('/');
    if (slash >= 0) {
      const a = s.slice(0, slash).trim();
      const b = s.slice(slash + 1).trim();
      if (!INT_RE.test(a) || !INT_RE.test(b)) throw new Error(`rational: invalid fraction ${JSON.stringify(text)}`);
      if (BigInt(b) === 0n) throw new RangeError(`rational: zero denominator in ${JSON.stringify(text)}`);
      return Rational.of(BigInt(a), BigInt(b));
    }
    return Rational.fromDecimalString(s);
  }

  /** Exact value of a decimal string ("0.5", "12", "-3.25", "1e-3"); no floats involved. */
  static fromDecimalString(text: string): Rational {
    const m = DECIMAL_RE.exec(text.trim());
    const intPart = m?.[2] ?? '';
    const fracPart = m?.[3] ?? '';
    if (!m || (intPart === '' && fracPart === '')) throw new Error(`rational: invalid number ${JSON.stringify(text)}`);
    const sign = m[1] === '-' ? -1n : 1n;
    const exp = m[4] ? Number(m[4]) : 0;
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) throw new Error(`rational: exponent out of range in ${JSON.stringify(text)}`);
    const digits = BigInt((intPart || '0') + fracPart);
    const scale = exp - fracPart.length;
    return scale >= 0 ? Rational.of(sign * digits * 10n ** BigInt(scale)) : Rational.of(sign * digits, 10n ** BigInt(-scale));
  }

  add(o: RationalLike): Rational {
    const r = toRational(o);
    return Rational.of(this.num * r.den + r.num * this.den, this.den * r.den);
  }

  sub(o: RationalLike): Rational {
    const r = toRational(o);
    return Rational.of(this.num * r.den - r.num * this.den, this.den * r.den);
  }

  mul(o: RationalLike): Rational {
    const r = toRational(o);
    return Rational.of(this.num * r.num, this.den * r.den);
  }

  /** Division; throws on division by zero. */
  div(o: RationalLike): Rational {
    const r = toRational(o);
    if (r.num === 0n) throw new RangeError('rational: division by zero');
    return Rational.of(this.num * r.den, this.den * r.num);
  }

  neg(): Rational {
    return new Rational(-this.num, this.den);
  }

  abs(): Rational {
    return this.num < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isInteger(): boolean {
    return this.den === 1n;
  }

  /** -1, 0, 1 as this <, =, > o. */
  cmp(o: RationalLike): -1 | 0 | 1 {
    const r = toRational(o);
    const l = this.num * r.den;
    const rr = r.num * this.den;
    return l < rr ? -1 : l > rr ? 1 : 0;
  }

  eq(o: RationalLike): boolean {
    return this.cmp(o) === 0;
  }
  lt(o: RationalLike): boolean {
    return this.cmp(o) < 0;
  }
  lte(o: RationalLike): boolean {
    return this.cmp(o) <= 0;
  }
  gt(o: RationalLike): boolean {
    return this.cmp(o) > 0;
  }
  gte(o: RationalLike): boolean {
    return this.cmp(o) >= 0;
  }

  /** Largest integer ≤ this. */
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }

  /** Smallest integer ≥ this. */
  ceil(): bigint {
    const q = this.num / this.den;
    return this.num > 0n && q * this.den !== this.num ? q + 1n : q;
  }

  /** Decimal text with exactly `decimals` fraction digits, halves rounded away from zero (Go's FloatString). */
  toDecimalString(decimals: number): string {
    if (!Number.isInteger(decimals) || decimals < 0) throw new RangeError(`rational: invalid decimals ${decimals}`);
    const neg = this.num < 0n;
    const a = neg ? -this.num : this.num;
    if (this.den === 1n) {
      return (neg ? '-' : '') + a.toString() + (decimals > 0 ? '.' + '0'.repeat(decimals) : '');
    }
    const p = 10n ** BigInt(decimals);
    let q = a / this.den;
    const scaled = (a % this.den) * p;
    let frac = scaled / this.den;
    const rem2 = (scaled % this.den) * 2n;
    if (rem2 >= this.den) {
      frac += 1n;
      if (frac >= p) {
        q += 1n;
        frac -= p;
      }
    }
    const sign = neg ? '-' : '';
    return decimals > 0 ? `${sign}${q}.${frac.toString().padStart(decimals, '0')}` : `${sign}${q}`;
  }

  /** "num/den" (like Go's Rat.String). */
  toString(): string {
    return `${this.num}/${this.den}`;
  }

  /** Nearest float64, for display and metrics only. */
  toNumber(): number {
    return Number(this.toDecimalString(20));
  }
}
