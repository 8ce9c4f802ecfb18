// Units a time-billed live payment covers (go-livepeer remote signer /generate-live-payment, ai-live-signer.md
// §9.3): lv2v = 1280 × 720 × 30 pixels per second since the last payment (first call 60 s), live = whole
// seconds rounded up (first call 10 s), fixed = 1 unit, empty type = the caller's inPixels. Pure.
import type { PriceInfo } from '../protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../protocol/rational.js';

/** Job types the remote-signer protocol knows; '' pays for explicit `inPixels`. */
export type LivePaymentType = 'lv2v' | 'live' | 'fixed' | '';

export const LIVE_PAYMENT_TYPES: readonly LivePaymentType[] = ['lv2v', 'live', 'fixed', ''];

/** 1280 × 720 × 30: pixels per second of live video-to-video. */
export const LV2V_PIXELS_PER_SECOND = 1280n * 720n * 30n;
/** Time a first lv2v payment covers. */
export const LV2V_FIRST_PAYMENT_MS = 60_000;
/** Time a first `live` payment covers. */
export const LIVE_FIRST_PAYMENT_MS = 10_000;

/** True for a type the protocol accepts. */
export function isLivePaymentType(value: string): value is LivePaymentType {
  return (LIVE_PAYMENT_TYPES as readonly string[]).includes(value);
}

/**
 * Units to pay for now, given when the previous payment was made (undefined: first payment).
 * Elapsed time is in whole milliseconds; a clock that went backwards counts as zero.
 */
export function liveUnits(type: LivePaymentType, lastPaymentMs: number | undefined, nowMs: number, inPixels = 0n): bigint {
  switch (type) {
    case 'lv2v': {
      const elapsed = lastPaymentMs === undefined ? LV2V_FIRST_PAYMENT_MS : Math.max(0, Math.floor(nowMs - lastPaymentMs));
      // 27,648,000 px/s = 27,648 px/ms: exact in integers.
      return (LV2V_PIXELS_PER_SECOND * BigInt(elapsed)) / 1000n;
    }
    case 'live': {
      const elapsed = lastPaymentMs === undefined ? LIVE_FIRST_PAYMENT_MS : Math.max(0, nowMs - lastPaymentMs);
      return BigInt(Math.ceil(elapsed / 1000));
    }
    case 'fixed':
      return 1n;
    case '':
      return inPixels;
  }
}

/** fee = units × pricePerUnit / pixelsPerUnit (no 1.02 factor); throws on a zero pixelsPerUnit. */
export function unitsFee(units: bigint, price: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'>): Rational {
  if (price.pixelsPerUnit === 0n) throw new Error('invalid price: pixelsPerUnit is 0');
  return Rational.of(units * price.pricePerUnit, price.pixelsPerUnit);
}
