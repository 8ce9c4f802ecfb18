// Exact ETH/gwei/wei amounts as bigint: parsing user input and formatting for display, never via floats.
import { GwError } from '../errors.js';

export const WEI_PER_ETH = 10n ** 18n;
export const WEI_PER_GWEI = 10n ** 9n;
const MAX_UINT256 = 2n ** 256n - 1n;

/** Units an amount can be written in. */
export type AmountUnit = 'ETH' | 'gwei' | 'wei';

const DECIMALS: Record<AmountUnit, number> = { ETH: 18, gwei: 9, wei: 0 };

/** A user-supplied amount that is not a valid non-negative decimal. */
export class AmountParseError extends GwError {
  constructor(message: string) {
    super('invalid_amount', message);
    this.name = 'AmountParseError';
  }
}

function unitOf(text: string): AmountUnit | undefined {
  switch (text.toLowerCase()) {
    case 'eth':
    case 'ether':
      return 'ETH';
    case 'gwei':
      return 'gwei';
    case 'wei':
      return 'wei';
    default:
      return undefined;
  }
}

/** Parse a plain decimal `text` (no unit) in `unit`, returning wei. */
export function parseUnitAmount(text: string, unit: AmountUnit): bigint {
  const s = text.trim();
  const decimals = DECIMALS[unit];
  const shown = JSON.stringify(text);
  if (s === '') throw new AmountParseError(`amount is empty: expected a number of ${unit}, e.g. 0.36`);
  if (s.startsWith('-')) throw new AmountParseError(`amount must not be negative: ${shown}`);
  if (/^[+]?[\d.]*\d[eE][+-]?\d+$/.test(s)) {
    throw new AmountParseError(`scientific notation is not supported: ${shown}; write the digits out`);
  }
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s) || /^\d+,\d+$/.test(s)) {
    throw new AmountParseError(`use "." as the decimal point and no thousands separators: ${shown}`);
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  const whole = m?.[1] ?? '';
  const frac = m?.[2] ?? '';
  if (!m || (whole === '' && frac === '')) {
    throw new AmountParseError(`not a number: ${shown}; expected a decimal amount like 0.36`);
  }
  if (frac.length > decimals) {
    throw new AmountParseError(
      decimals === 0
        ? `wei amounts must be whole numbers: ${shown}`
        : `too many decimal places in ${shown}: ${unit} has at most ${decimals}`,
    );
  }
  const wei = BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt((frac || '0').padEnd(decimals, '0') || '0');
  if (wei > MAX_UINT256) throw new AmountParseError(`amount is too large: ${shown}`);
  return wei;
}

/** Parse an ETH amount such as "0.36" into wei. */
export function parseEth(text: string): bigint {
  return parseUnitAmount(text, 'ETH');
}

/** Parse a gwei amount such as "3" or "0.5" into wei. */
export function parseGwei(text: string): bigint {
  return parseUnitAmount(text, 'gwei');
}

/** Parse "0.36", "0.36 ETH", "3 gwei" or "100 wei" into wei; a bare number is in `defaultUnit`. */
export function parseAmount(text: string, defaultUnit: AmountUnit = 'ETH'): bigint {
  const m = /^\s*(.*?)\s*([a-zA-Z]+)?\s*$/.exec(text);
  const number = m?.[1] ?? text;
  const unitText = m?.[2];
  if (unitText === undefined) return parseUnitAmount(number, defaultUnit);
  const unit = unitOf(unitText);
  if (!unit) throw new AmountParseError(`unknown unit "${unitText}" in ${JSON.stringify(text)}: use ETH, gwei or wei`);
  return parseUnitAmount(number, unit);
}

/** Exact decimal string of `value` smallest units with `decimals` places, trailing zeros trimmed. */
export function formatUnitsExact(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const frac = decimals === 0 ? '' : (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

export interface FormatOptions {
  /** Keep at most this many decimals (truncated toward zero, shown with a leading "~"). */
  maxDecimals?: number;
}

function formatIn(wei: bigint, unit: AmountUnit, options: FormatOptions): string {
  const decimals = DECIMALS[unit];
  const max = options.maxDecimals;
  if (max === undefined || max >= decimals) return `${formatUnitsExact(wei, decimals)} ${unit}`;
  const step = 10n ** BigInt(decimals - max);
  const truncated = (wei / step) * step; // bigint division truncates toward zero
  const approx = truncated !== wei ? '~' : '';
  return `${approx}${formatUnitsExact(truncated, decimals)} ${unit}`;
}

/** Format wei as ETH, e.g. 360000000000000000n → "0.36 ETH". */
export function formatEth(wei: bigint, options: FormatOptions = {}): string {
  return formatIn(wei, 'ETH', options);
}

/** Format wei as gwei, e.g. 3000000000n → "3 gwei". */
export function formatGwei(wei: bigint, options: FormatOptions = {}): string {
  return formatIn(wei, 'gwei', options);
}
