// Payment (the Livepeer-Payment header): building a batch of signed tickets from the orchestrator's latest
// ticket params (go-livepeer genPayment, pm/sender.go CreateTicketBatch), and the receiving side's rebuild.
import { create } from '@bufbuild/protobuf';
import { addressToBytes } from './address.js';
import { bytesToBigint } from './encoding.js';
import {
  type OrchestratorInfo,
  type Payment,
  PaymentSchema,
  type TicketExpirationParams,
  type TicketParams,
} from './gen/net/lp_rpc_pb.js';
import { ZERO_HASH } from './hash.js';
import type { Signer } from './signer.js';
import type { Rational } from './rational.js';
import { type Ticket, ticketEV, ticketHash } from './ticket.js';

/** Highest nonce an orchestrator accepts per recipient_rand_hash. */
export const MAX_SENDER_NONCE = 600;

function isZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/** Expected value of one ticket under these params (faceValue × winProb / (2^256 − 1)). */
export function ticketParamsEV(params: Pick<TicketParams, 'faceValue' | 'winProb'>): Rational {
  return ticketEV(bytesToBigint(params.faceValue), bytesToBigint(params.winProb));
}

/** O's expiration params if usable, else the fallback (B's own last round and its L1 block hash). */
export function effectiveExpirationParams(
  params: TicketParams,
  fallback?: { creationRound: bigint; creationRoundBlockHash: Uint8Array },
): { creationRound: bigint; creationRoundBlockHash: Uint8Array } {
  const ep = params.expirationParams;
  const usable = ep && ep.creationRound !== 0n && ep.creationRoundBlockHash.length === 32 && !isZero(ep.creationRoundBlockHash);
  if (usable) return { creationRound: ep.creationRound, creationRoundBlockHash: ep.creationRoundBlockHash };
  if (fallback) return fallback;
  return { creationRound: ep?.creationRound ?? 0n, creationRoundBlockHash: ep?.creationRoundBlockHash.length === 32 ? ep.creationRoundBlockHash : ZERO_HASH };
}

/** Go's BytesToAddress/BytesToHash: keep the last `size` bytes, left-pad shorter input. */
function fixedBytes(b: Uint8Array, size: number): Uint8Array {
  if (b.length === size) return b;
  if (b.length > size) return b.subarray(b.length - size);
  const out = new Uint8Array(size);
  out.set(b, size - b.length);
  return out;
}

/** The ticket a given nonce produces under these params. */
export function ticketFromParams(
  params: TicketParams,
  sender: Uint8Array,
  expiration: { creationRound: bigint; creationRoundBlockHash: Uint8Array },
  senderNonce: number,
): Ticket {
  return {
    recipient: fixedBytes(params.recipient, 20),
    sender: fixedBytes(sender, 20),
    faceValue: bytesToBigint(params.faceValue),
    winProb: bytesToBigint(params.winProb),
    senderNonce,
    recipientRandHash: fixedBytes(params.recipientRandHash, 32),
    creationRound: expiration.creationRound,
    creationRoundBlockHash: fixedBytes(expiration.creationRoundBlockHash, 32),
  };
}

/** Inputs for one payment. */
export interface BuildPaymentInput {
  /** The latest OrchestratorInfo (reply, payment reply or refresh): params and price are echoed verbatim. */
  info: OrchestratorInfo;
  signer: Signer;
  numTickets: number;
  /** Nonce of the first ticket (1 for a fresh PM session); tickets use firstNonce … firstNonce + n − 1. */
  firstNonce: number;
  /** Used when O's expiration params are missing, round 0 or a zero hash. */
  fallbackExpiration?: { creationRound: bigint; creationRoundBlockHash: Uint8Array };
}

/** Builds a signed Payment. With no ticket params (off-chain O) use an empty Livepeer-Payment header instead. */
export async function buildPayment(input: BuildPaymentInput): Promise<Payment> {
  const params = input.info.ticketParams;
  if (!params) throw new Error('orchestrator sent no ticket params');
  if (!input.info.priceInfo) throw new Error('missing orchestrator price');
  if (!Number.isInteger(input.numTickets) || input.numTickets < 0) throw new Error(`invalid ticket count ${input.numTickets}`);
  if (!Number.isInteger(input.firstNonce) || input.firstNonce < 0) throw new Error(`invalid nonce ${input.firstNonce}`);
  if (input.numTickets > 0 && input.firstNonce + input.numTickets - 1 > 0xffffffff) throw new Error('sender nonce overflow');
  const sender = addressToBytes(input.signer.address);
  const expiration = effectiveExpirationParams(params, input.fallbackExpiration);
  const senderParams: { senderNonce: number; sig: Uint8Array }[] = [];
  for (let i = 0; i < input.numTickets; i++) {
    const nonce = input.firstNonce + i;
    const hash = ticketHash(ticketFromParams(params, sender, expiration, nonce));
    senderParams.push({ senderNonce: nonce, sig: await input.signer.signHash(hash) });
  }
  return create(PaymentSchema, {
    ticketParams: {
      recipient: params.recipient,
      faceValue: params.faceValue,
      winProb: params.winProb,
      recipientRandHash: params.recipientRandHash,
      seed: params.seed,
      expirationBlock: params.expirationBlock,
    },
    sender,
    expirationParams: expiration,
    ticketSenderParams: senderParams,
    expectedPrice: input.info.priceInfo,
  });
}

/** Receiver side: the tickets and signatures a Payment carries (in order). */
export function ticketsFromPayment(payment: Payment): { ticket: Ticket; sig: Uint8Array }[] {
  const params = payment.ticketParams;
  if (!params) return [];
  const ep: TicketExpirationParams | undefined = payment.expirationParams;
  const expiration = {
    creationRound: ep?.creationRound ?? 0n,
    creationRoundBlockHash: ep && ep.creationRoundBlockHash.length > 0 ? ep.creationRoundBlockHash : ZERO_HASH,
  };
  return payment.ticketSenderParams.map((sp) => ({
    ticket: ticketFromParams(params, payment.sender, expiration, sp.senderNonce),
    sig: sp.sig,
  }));
}
