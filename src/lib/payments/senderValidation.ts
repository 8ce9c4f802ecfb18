// Gateway-side checks before paying an orchestrator (go-livepeer pm/sender.go validateTicketParams and
// validateSender, server/segment_rpc.go validatePrice), in go-livepeer's order and with its error texts. Pure.
import type { PriceInfo, TicketParams } from '../protocol/gen/net/lp_rpc_pb.js';
import { bytesToBigint } from '../protocol/encoding.js';
import { Rational } from '../protocol/rational.js';
import { ticketEV } from '../protocol/ticket.js';
import { checkSender, type SenderErrorCode } from '../chain/senderState.js';
import { GwError, type PaymentErrorCode } from '../errors.js';
import type { SenderInfo } from '../chain/ticketBroker.js';

/** The gateway's EV and face-value limits (go-livepeer -maxTicketEV, -maxTotalEV, -depositMultiplier). */
export interface SenderValidationSettings {
  /** Largest acceptable EV of one ticket, wei. */
  maxTicketEV: bigint;
  /** Largest acceptable EV of one batch, wei. */
  maxTotalEV: bigint;
  /** faceValue must be ≤ deposit / depositMultiplier. */
  depositMultiplier: bigint;
}

export const DEFAULT_SENDER_VALIDATION_SETTINGS: Readonly<SenderValidationSettings> = Object.freeze({
  maxTicketEV: 3_000_000_000_000n,
  maxTotalEV: 20_000_000_000_000n,
  depositMultiplier: 1n,
});

/** Params count as expired this many L1 blocks before their expiration block (go-livepeer paramsExpiryBuffer). */
export const PARAMS_EXPIRY_BUFFER = 1n;
/** The gateway stops paying once O's price exceeds this multiple of the session's initial price. */
export const MAX_PRICE_INCREASE = 2n;

export type { PaymentErrorCode };

/** A payment refused before anything was signed. `stopsStream`: no orchestrator can be paid (sender funds). */
export class PaymentValidationError extends GwError {
  declare readonly code: PaymentErrorCode;
  /** Funds missing or unlocking: end the stream, trying another orchestrator will not help. */
  readonly stopsStream: boolean;
  /** Fresh ticket params from the orchestrator (GetOrchestrator) would fix it. */
  readonly needsRefresh: boolean;
  constructor(code: PaymentErrorCode, message: string, flags: { stopsStream?: boolean; needsRefresh?: boolean } = {}) {
    super(code, message);
    this.name = 'PaymentValidationError';
    this.stopsStream = flags.stopsStream ?? false;
    this.needsRefresh = flags.needsRefresh ?? false;
  }
}

/** go-livepeer ErrTicketParamsExpired: refresh the session (GetOrchestrator) and retry. */
export class TicketParamsExpiredError extends PaymentValidationError {
  constructor() {
    super('expired', 'TicketParams expired', { needsRefresh: true });
    this.name = 'TicketParamsExpiredError';
  }
}

/** go-livepeer ErrSenderValidation: the gateway's deposit/reserve cannot pay anyone; stops the stream. */
export class SenderFundsError extends PaymentValidationError {
  constructor(code: SenderErrorCode, message: string) {
    super(code, message, { stopsStream: true });
    this.name = 'SenderFundsError';
  }
}

/** Every nonce of this recipientRandHash has been used; new ticket params are needed. */
export class NoncesExhaustedError extends PaymentValidationError {
  constructor(pmSessionId: string, maxNonce: number) {
    super('nonces_exhausted', `sender nonces exhausted for ${pmSessionId}: all ${maxNonce} used, new ticket params needed`, {
      needsRefresh: true,
    });
    this.name = 'NoncesExhaustedError';
  }
}

/** The orchestrator's price rose above 2× the session's initial price (or is missing/invalid). */
export class PriceGuardError extends PaymentValidationError {
  constructor(code: 'missing_price' | 'invalid_ticket_price' | 'price_increased', message: string) {
    super(code, message);
    this.name = 'PriceGuardError';
  }
}

/** Ticket params as numbers, parsed once per PM session. */
export interface ParsedTicketParams {
  faceValue: bigint;
  winProb: bigint;
  expirationBlock: bigint;
  ev: Rational;
}

/** Parses the numeric fields of O's ticket params (minimal big-endian bytes). */
export function parseTicketParams(params: TicketParams): ParsedTicketParams {
  const faceValue = bytesToBigint(params.faceValue);
  const winProb = bytesToBigint(params.winProb);
  return { faceValue, winProb, expirationBlock: bytesToBigint(params.expirationBlock), ev: ticketEV(faceValue, winProb) };
}

/** The chain facts sender validation needs. */
export interface SenderSnapshot {
  info: SenderInfo;
  lastInitializedRound: bigint;
  /** L1 block number last seen (Arbitrum: the header's l1BlockNumber). */
  lastSeenL1Block: bigint;
}

/**
 * go-livepeer's sender-side validation of ticket params for a batch of `numTickets`, in its order: no params,
 * expiration block 0, expired (≤ 1 block left), EV ≤ 0 accepted, EV ≥ faceValue, EV > max ticket EV, sender
 * funds (stream-stopping), batch EV > max total EV, faceValue > deposit / depositMultiplier. Null when OK.
 */
export function checkTicketParams(
  params: ParsedTicketParams | undefined,
  numTickets: number,
  sender: SenderSnapshot,
  settings: SenderValidationSettings = DEFAULT_SENDER_VALIDATION_SETTINGS,
): PaymentValidationError | null {
  if (!params) return new PaymentValidationError('no_ticket_params', 'ticketParams is nil');
  if (params.expirationBlock === 0n) {
    return new PaymentValidationError('no_expiration_block', 'ticketParams expiration block is 0');
  }
  if (params.expirationBlock - sender.lastSeenL1Block <= PARAMS_EXPIRY_BUFFER) return new TicketParamsExpiredError();
  const ev = params.ev;
  if (ev.sign() <= 0) return null;
  if (ev.gte(params.faceValue)) {
    return new PaymentValidationError('face_value_too_low', `ticket faceValue too low faceValue=${params.faceValue}`);
  }
  if (ev.gt(settings.maxTicketEV)) {
    return new PaymentValidationError(
      'ticket_ev_too_high',
      `ticket EV ${ev.toDecimalString(5)} > max ticket EV ${Rational.of(settings.maxTicketEV).toDecimalString(5)}`,
    );
  }
  const funds = checkSender(sender.info, sender.lastInitializedRound);
  if (funds) return new SenderFundsError(funds.code, funds.message);
  // ev × n > max, compared without normalizing (gcd of 512-bit numbers is the slow part of Rational).
  if (ev.num * BigInt(numTickets) > settings.maxTotalEV * ev.den) {
    const total = ev.mul(BigInt(numTickets));
    return new PaymentValidationError(
      'total_ev_too_high',
      `total ticket EV ${total.toDecimalString(5)} for ${numTickets} tickets > max total ticket EV ${Rational.of(settings.maxTotalEV).toDecimalString(5)}`,
    );
  }
  const maxFaceValue = sender.info.deposit / settings.depositMultiplier;
  if (params.faceValue > maxFaceValue) {
    return new PaymentValidationError('face_value_too_high', `ticket faceValue ${params.faceValue} > max faceValue ${maxFaceValue}`);
  }
  return null;
}

/** Like checkTicketParams, but throws the PaymentValidationError. */
export function validateTicketParams(
  params: ParsedTicketParams | undefined,
  numTickets: number,
  sender: SenderSnapshot,
  settings?: SenderValidationSettings,
): void {
  const err = checkTicketParams(params, numTickets, sender, settings);
  if (err) throw err;
}

/** Checks settings once at the edge: positive limits and multiplier. */
export function resolveValidationSettings(partial: Partial<SenderValidationSettings> = {}): SenderValidationSettings {
  const s = { ...DEFAULT_SENDER_VALIDATION_SETTINGS, ...partial };
  if (s.maxTicketEV < 0n || s.maxTotalEV < 0n) throw new RangeError('max ticket EV limits must not be negative');
  if (s.depositMultiplier <= 0n) throw new RangeError(`depositMultiplier must be positive, got ${s.depositMultiplier}`);
  return s;
}

/** Go's big.Rat.RatString: "a" for integers, else "a/b". */
function ratString(r: Rational): string {
  return r.isInteger() ? r.num.toString() : `${r.num}/${r.den}`;
}

function priceOf(p: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'>): Rational | undefined {
  return p.pixelsPerUnit === 0n ? undefined : Rational.of(p.pricePerUnit, p.pixelsPerUnit);
}

/**
 * go-livepeer validatePrice: O's current price must exist and be ≤ 2 × the session's initial price
 * (an unusable initial price skips the comparison, as in go). Null when OK.
 */
export function checkPriceIncrease(
  current: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'> | undefined,
  initial: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'> | undefined,
): PriceGuardError | null {
  if (!current) return new PriceGuardError('missing_price', 'missing orchestrator price');
  const price = priceOf(current);
  if (!price) return new PriceGuardError('invalid_ticket_price', 'invalid orchestrator price: pixelsPerUnit is 0');
  const init = initial ? priceOf(initial) : undefined;
  if (init && price.gt(init.mul(MAX_PRICE_INCREASE))) {
    return new PriceGuardError(
      'price_increased',
      `Orchestrator price has more than doubled, Orchestrator price: ${ratString(price)}, Orchestrator initial price: ${ratString(init)}`,
    );
  }
  return null;
}
