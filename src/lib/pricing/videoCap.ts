// The video price cap (`maxPricePerUnit` per `pixelsPerUnit` pixels) as wei per pixel, for a cap given in wei or in
// USD (go-livepeer's `-maxPricePerUnit 0.02USD`). A USD cap with no ETH/USD rate is *unknown*, and an unknown cap
// pays nothing (wei per pixel 0) rather than falling back to "any price": a missing feed must never open the wallet.
import { Rational } from '../protocol/rational.js';
import { type EthUsdQuote, type EthUsdRateSource, FiatPriceError, parseUsdAmount, usdToWei } from './fiatPrice.js';

/** The `maxPricePerUnit` setting, parsed. */
export type MaxPriceSetting =
  | { readonly currency: 'wei'; readonly wei: bigint }
  | { readonly currency: 'USD'; readonly usd: Rational; readonly amount: string };

const WEI = /^\d+$/;
const USD = /^(\d+(?:\.\d+)?)\s*USD$/i;

/** Parses the setting: whole wei ("1200"; "0" accepts any price) or a positive USD amount ("0.02USD"). */
export function parseMaxPriceSetting(raw: string): MaxPriceSetting {
  const text = raw.trim();
  if (WEI.test(text)) return { currency: 'wei', wei: BigInt(text) };
  const m = USD.exec(text);
  if (!m) throw new FiatPriceError(`max price must be a whole number of wei or a USD amount like 0.02USD, got "${raw}"`);
  const amount = m[1] as string;
  if (Rational.fromDecimalString(amount).sign() <= 0) throw new FiatPriceError('a USD max price must be greater than 0 (0 alone accepts any price)');
  return { currency: 'USD', usd: parseUsdAmount(amount), amount };
}

/** The setting's canonical text: "1200" or "0.02USD". */
export function formatMaxPriceSetting(s: MaxPriceSetting): string {
  return s.currency === 'wei' ? s.wei.toString() : `${s.amount}USD`;
}

/** A resolved video cap. */
export type VideoCap =
  | { readonly kind: 'any' }
  | { readonly kind: 'wei'; readonly perPixel: Rational }
  | { readonly kind: 'usd'; readonly usd: Rational; readonly perUnit: Rational; readonly perPixel: Rational; readonly quote: EthUsdQuote }
  | { readonly kind: 'unknown'; readonly usd: Rational; readonly reason: string };

/** Why a USD price cannot be converted right now. */
export function noRateReason(source: EthUsdRateSource | undefined): string {
  if (!source) return 'no ETH/USD price feed (USD prices need an on-chain gateway: --network and --price-feed-addr)';
  const problem = source.problem();
  return `no ETH/USD rate read yet${problem ? `: ${problem}` : ''}`;
}

/** Resolves the cap with the current ETH/USD quote (null when none is known; `reason` says why). */
export function resolveVideoCap(setting: MaxPriceSetting, pixelsPerUnit: bigint, quote: EthUsdQuote | null, reason = 'no ETH/USD rate'): VideoCap {
  const pixels = pixelsPerUnit > 0n ? pixelsPerUnit : 1n;
  if (setting.currency === 'wei') return setting.wei === 0n ? { kind: 'any' } : { kind: 'wei', perPixel: Rational.of(setting.wei, pixels) };
  if (!quote) return { kind: 'unknown', usd: setting.usd, reason };
  const perUnit = usdToWei(setting.usd, quote);
  return { kind: 'usd', usd: setting.usd, perUnit, perPixel: perUnit.div(pixels), quote };
}

/** The cap discovery applies: null accepts any price; an unknown USD cap is 0 wei per pixel (only free orchestrators). */
export function effectiveCap(cap: VideoCap): Rational | null {
  switch (cap.kind) {
    case 'any':
      return null;
    case 'unknown':
      return Rational.ZERO;
    default:
      return cap.perPixel;
  }
}

/** Two caps apply the same price (so a new rate that changes nothing does not renegotiate streams). */
export function sameCap(a: Rational | null, b: Rational | null): boolean {
  return a === null || b === null ? a === b : a.eq(b);
}

/**
 * The cap from the settings as they are stored (`maxPricePerUnit` text, `pixelsPerUnit`) with the rate source's
 * current quote. A value that does not parse resolves as unknown (pay nothing), never as "any price".
 */
export function videoCapFromSettings(maxPricePerUnit: string | undefined, pixelsPerUnit: number | undefined, source: EthUsdRateSource | undefined): VideoCap {
  let setting: MaxPriceSetting;
  try {
    setting = parseMaxPriceSetting(maxPricePerUnit ?? '0');
  } catch (err) {
    return { kind: 'unknown', usd: Rational.ZERO, reason: (err as Error).message };
  }
  const quote = source?.current() ?? null;
  return resolveVideoCap(setting, BigInt(pixelsPerUnit ?? 1), quote, quote ? undefined : noRateReason(source));
}
