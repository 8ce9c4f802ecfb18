import type { Rational } from '../protocol/rational.js';

/** Price per pixel rendered in wei with up to 3 decimals ("0.5", "1200", "0.001"). */
export function formatWeiPerPixel(price: Rational): string {
  const text = price.toDecimalString(3);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
