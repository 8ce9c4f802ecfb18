// Pricing and fee math (go-livepeer server/segment_rpc.go estimateFee, core/accounting.go): exact rationals only.
import type { PriceInfo, VideoProfile } from './gen/net/lp_rpc_pb.js';
import { Rational, type RationalLike } from './rational.js';

/** 1.02 exactly as float64 (Go big.Rat.SetFloat64(1.02)). */
export const FEE_FACTOR: Rational = Rational.of(2296835809958953n, 2251799813685248n);
/** Frame rate assumed for pass-through (fps 0) profiles. */
export const PASSTHROUGH_FPS = 60;

/** Price per pixel (or per AI unit) = pricePerUnit / pixelsPerUnit; undefined without a price, error on 0 units. */
export function pricePerPixel(price: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'> | undefined): Rational | undefined {
  if (!price) return undefined;
  if (price.pixelsPerUnit === 0n) throw new Error('invalid price: pixelsPerUnit is 0');
  return Rational.of(price.pricePerUnit, price.pixelsPerUnit);
}

/** Estimated output pixels: Σ w × h × ⌈fps⌉ × ⌈duration s⌉ (fps 0 → 60, fpsDen 0 → 1; float ceil like Go). */
export function segmentPixels(
  profiles: readonly Pick<VideoProfile, 'width' | 'height' | 'fps' | 'fpsDen'>[],
  durationSeconds: number,
): bigint {
  if (!(durationSeconds >= 0) || !Number.isFinite(durationSeconds)) throw new Error(`invalid segment duration ${durationSeconds}`);
  const durCeil = BigInt(Math.ceil(durationSeconds));
  let total = 0n;
  for (const p of profiles) {
    const num = p.fps === 0 ? PASSTHROUGH_FPS : p.fps;
    const den = p.fpsDen === 0 ? 1 : p.fpsDen;
    const fpsCeil = BigInt(Math.ceil(num / den));
    total += BigInt(p.width) * BigInt(p.height) * fpsCeil * durCeil;
  }
  return total;
}

/** Transcoding fee estimate in wei: pixels × 1.02 × price per pixel; undefined when there is no price. */
export function estimateFee(
  profiles: readonly Pick<VideoProfile, 'width' | 'height' | 'fps' | 'fpsDen'>[],
  durationSeconds: number,
  price: Rational | undefined,
): Rational | undefined {
  if (!price) return undefined;
  return FEE_FACTOR.mul(segmentPixels(profiles, durationSeconds)).mul(price);
}

/** AI fee: units × price per unit (no 1.02 factor); undefined when there is no price. */
export function aiFee(units: bigint, price: Rational | undefined): Rational | undefined {
  return price ? price.mul(units) : undefined;
}

/** Debit for a completed segment: Σ O-reported pixels × the session price as sent. */
export function transcodeDebit(pixels: readonly bigint[], price: Rational | undefined): Rational {
  if (!price) return Rational.ZERO;
  return price.mul(pixels.reduce((a, b) => a + b, 0n));
}

/** Tickets to send for one request (go-livepeer newBalanceUpdate / Balance.StageUpdate). */
export interface TicketsNeeded {
  numTickets: number;
  /** max(fee, ev): what the balance must reach. */
  minCredit: Rational;
  /** numTickets × ev. */
  newCredit: Rational;
  /** The reserved existing balance this was computed from. */
  existingCredit: Rational;
}

/**
 * n = ⌈(max(fee, ev) − existing) / ev⌉ when existing < max(fee, ev), else 0; no fee (no price) or ev 0 → 0.
 * `existingBalance` is the balance the caller has just reserved (read and zeroed).
 */
export function ticketsNeeded(args: { fee: Rational | undefined; ev: RationalLike; existingBalance: RationalLike }): TicketsNeeded {
  const ev = typeof args.ev === 'bigint' ? Rational.of(args.ev) : args.ev;
  const existing = typeof args.existingBalance === 'bigint' ? Rational.of(args.existingBalance) : args.existingBalance;
  if (!args.fee) return { numTickets: 0, minCredit: Rational.ZERO, newCredit: Rational.ZERO, existingCredit: existing };
  const minCredit = args.fee.lt(ev) ? ev : args.fee;
  if (existing.gte(minCredit) || ev.sign() <= 0) {
    return { numTickets: 0, minCredit, newCredit: Rational.ZERO, existingCredit: existing };
  }
  const n = minCredit.sub(existing).div(ev).ceil();
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`ticket count too large: ${n}`);
  return { numTickets: Number(n), minCredit, newCredit: ev.mul(n), existingCredit: existing };
}
