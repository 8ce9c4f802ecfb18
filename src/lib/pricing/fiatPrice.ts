// USD prices in wei through an ETH/USD rate (go-livepeer's `0.02USD` prices), exact: the rate is the feed's integer
// answer with its decimals, amounts are decimal strings, and the result is a bigint fraction — no float ever
// touches money.
import { Rational } from '../protocol/rational.js';
import { GwError } from '../errors.js';

export const WEI_PER_ETH = 10n ** 18n;

/** USD per ETH as a Chainlink aggregator reports it: answer / 10^decimals. */
export interface EthUsdRate {
  readonly answer: bigint;
  readonly decimals: number;
}

/** A rate read from a feed, with when the feed last updated it. */
export interface EthUsdQuote extends EthUsdRate {
  /** The feed contract the rate came from. */
  readonly feed: string;
  readonly roundId: bigint;
  /** The feed's own update time (unix seconds). */
  readonly updatedAt: number;
  /** When the gateway read it (ms since the epoch). */
  readonly readAt: number;
}

/** Where the daemon gets its current ETH/USD rate (the price feed watcher). */
export interface EthUsdRateSource {
  /** The feed contract's address. */
  readonly feed: string;
  /** The last good quote, null before the first successful read. */
  current(): EthUsdQuote | null;
  /** Why the last read failed (the last good quote, if any, is still used); null when it succeeded. */
  problem(): string | null;
  /** Called whenever the rate (answer or decimals) changes, including the first read. */
  onChange(listener: (quote: EthUsdQuote) => void): () => void;
}

/** A price that cannot be used; the message says why. */
export class FiatPriceError extends GwError {
  declare readonly code: 'invalid_price' | 'bad_price_feed';
  constructor(message: string, code: 'invalid_price' | 'bad_price_feed' = 'invalid_price') {
    super(code, message);
    this.name = 'FiatPriceError';
  }
}

const USD_DECIMAL = /^\d+(\.\d+)?$/;

/** Parses a positive USD decimal ("0.02", "12.5") exactly; throws FiatPriceError on anything else. */
export function parseUsdAmount(text: string): Rational {
  const t = text.trim();
  if (!USD_DECIMAL.test(t)) throw new FiatPriceError(`a USD amount must be a decimal number like 0.02, got "${text}"`);
  const usd = Rational.fromDecimalString(t);
  if (usd.sign() <= 0) throw new FiatPriceError('a USD amount must be greater than 0');
  return usd;
}

/** Checks a rate is usable (answer > 0, sane decimals); throws FiatPriceError otherwise. */
export function checkRate(rate: EthUsdRate): void {
  if (rate.answer <= 0n) throw new FiatPriceError(`ETH/USD answer must be positive, got ${rate.answer}`, 'bad_price_feed');
  if (!Number.isInteger(rate.decimals) || rate.decimals < 0 || rate.decimals > 36) {
    throw new FiatPriceError(`ETH/USD decimals must be an integer in 0..36, got ${rate.decimals}`, 'bad_price_feed');
  }
}

/** USD → wei: usd × 10^18 × 10^decimals / answer (exact). */
export function usdToWei(usd: Rational, rate: EthUsdRate): Rational {
  checkRate(rate);
  return usd.mul(WEI_PER_ETH * 10n ** BigInt(rate.decimals)).div(rate.answer);
}

/** USD per ETH as a decimal text with `digits` fraction digits, e.g. "3000.00". */
export function formatUsdPerEth(rate: EthUsdRate, digits = 2): string {
  return Rational.of(rate.answer, 10n ** BigInt(rate.decimals)).toDecimalString(digits);
}

/** Whole seconds since the feed updated the quote (never negative). */
export function quoteAgeSeconds(quote: EthUsdQuote, nowMs: number = Date.now()): number {
  return Math.max(0, Math.floor(nowMs / 1000) - quote.updatedAt);
}
