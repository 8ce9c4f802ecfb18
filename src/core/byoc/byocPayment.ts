// Paying for a BYOC job (go-livepeer byoc/payment.go createPayment, ai-live-signer.md §8.4): the gateway adopts the
// balance O reports in its token; with at least 120 s of price in it no tickets are sent, otherwise tickets worth
// price × timeout_seconds (at most 600), numbered after the token's LastNonce, from the token's ticket params.
import { create } from '@bufbuild/protobuf';
import { bytesToBigint } from '../../lib/protocol/encoding.js';
import { OrchestratorInfoSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { ticketParamsEV } from '../../lib/protocol/payment.js';
import { Rational } from '../../lib/protocol/rational.js';
import type { SignedPayment, TicketSender } from '../../lib/payments/ticketSender.js';
import { type JobToken, tokenPrice } from './jobToken.js';

/** Seconds of price the balance must hold to skip tickets (O itself requires 60). */
export const BYOC_MIN_BALANCE_SECONDS = 120n;
/** Most tickets in one BYOC payment (pm maxSenderNonces). */
export const BYOC_MAX_TICKETS = 600;

/** go-livepeer ticketCountForCost: ⌈cost / ev⌉ capped at 600; an EV of 0 pays one ticket per second of timeout. */
export function byocTicketCount(cost: Rational, ev: Rational, timeoutSeconds: number): number {
  if (ev.sign() === 0) return timeoutSeconds;
  const n = cost.div(ev).ceil();
  if (n > BigInt(BYOC_MAX_TICKETS)) return BYOC_MAX_TICKETS;
  return Number(n < 0n ? 0n : n);
}

/** What one job's payment needs. */
export interface ByocPaymentPlan {
  /** Wei per second. */
  readonly price: Rational;
  /** price × timeout_seconds. */
  readonly cost: Rational;
  /** Tickets to send; 0 = no Livepeer-Payment header (the balance covers it, or O is free). */
  readonly numTickets: number;
  /** EV of one ticket. */
  readonly ev: Rational;
}

/** Sizes the payment of a job from O's token (pure). */
export function planByocPayment(token: JobToken, timeoutSeconds: number): ByocPaymentPlan {
  const price = tokenPrice(token);
  const cost = price.mul(BigInt(timeoutSeconds));
  const ev = token.ticketParams ? ticketParamsEV(token.ticketParams) : Rational.ZERO;
  if (price.sign() <= 0) return { price, cost, numTickets: 0, ev };
  const covered = Rational.of(token.balance).gte(price.mul(BYOC_MIN_BALANCE_SECONDS));
  return { price, cost, numTickets: covered ? 0 : byocTicketCount(cost, ev, timeoutSeconds), ev };
}

/**
 * Signs `numTickets` tickets from the token's params. Nonces continue after the token's LastNonce (and after any
 * this gateway already used for the same params), so O never sees one twice.
 */
export async function buildByocPayment(sender: TicketSender, token: JobToken, numTickets: number): Promise<SignedPayment> {
  const params = token.ticketParams;
  if (!params) throw new Error('no ticket params available, cannot create payment');
  const info = create(OrchestratorInfoSchema, {
    transcoder: token.serviceAddr,
    address: params.recipient,
    ticketParams: params,
    ...(token.price ? { priceInfo: token.price } : {}),
  });
  const session = sender.session(info);
  const pm = session.pmSessionId;
  if (pm && token.lastNonce > 0) sender.markUsed(pm, token.lastNonce, bytesToBigint(params.expirationBlock));
  return session.createPayment(numTickets);
}

/** The gateway's own view of its BYOC credit per (recipient, capability), kept in step with O's reports. */
export class ByocBalances {
  private readonly balances = new Map<string, Rational>();

  private key(recipient: string, capability: string): string {
    return `${recipient.toLowerCase()}/${capability}`;
  }

  /** Adopts O's reported balance. */
  sync(recipient: string, capability: string, balance: bigint): void {
    this.balances.set(this.key(recipient, capability), Rational.of(balance));
  }

  credit(recipient: string, capability: string, amount: Rational): void {
    const k = this.key(recipient, capability);
    this.balances.set(k, (this.balances.get(k) ?? Rational.ZERO).add(amount));
  }

  /** After a job: price × ⌈seconds⌉. */
  debitSeconds(recipient: string, capability: string, price: Rational, seconds: number): Rational {
    const k = this.key(recipient, capability);
    const next = (this.balances.get(k) ?? Rational.ZERO).sub(price.mul(BigInt(Math.max(0, Math.ceil(seconds)))));
    this.balances.set(k, next);
    return next;
  }

  get(recipient: string, capability: string): Rational {
    return this.balances.get(this.key(recipient, capability)) ?? Rational.ZERO;
  }
}
