// The orchestrator's side of probabilistic micropayments (go-livepeer pm/recipient.go, pm/validator.go): minting
// ticket parameters bound to a secret recipientRand, and validating received tickets in go-livepeer's order.
import { createHmac, randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { type Address, addressToBytes, toChecksumAddress } from '../../lib/protocol/address.js';
import { bigintToBytes, bytesEqual, bytesToBigint } from '../../lib/protocol/encoding.js';
import { type TicketParams, TicketParamsSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { verifySig } from '../../lib/protocol/signer.js';
import { auxData, isWinningTicket, recipientRandHash, type Ticket, ticketEV, ticketHash, winProbForEV } from '../../lib/protocol/ticket.js';
import type { ChainView, WinningTicket } from './chainView.js';

/** go-livepeer's error texts (pm package). */
export const PM_ERRORS = {
  paramsExpired: 'TicketParams expired',
  insufficientReserve: 'insufficient sender reserve',
  recipient: 'invalid ticket recipient',
  sender: 'invalid ticket sender',
  recipientRand: 'invalid recipientRand for ticket recipientRandHash',
  signature: 'invalid ticket signature',
} as const;

/** Nonces accepted per recipientRand (go-livepeer maxSenderNonces). */
export const MAX_SENDER_NONCES = 600;
/** go-livepeer txCostMultiplier / evMultiplier. */
const TX_COST_MULTIPLIER = 100n;
/** go-livepeer's hard-coded average gas price (3 gwei) for the face value floor. */
const AVG_GAS_PRICE = 3_000_000_000n;

export interface RecipientConfig {
  /** Ticket recipient (the node account). */
  address: Address;
  /** Target expected value per ticket, wei. */
  ticketEV: bigint;
  /** Gas to redeem one ticket (tx cost = redeemGas × gas price). */
  redeemGas: bigint;
  /** Upper bound on face value (go-livepeer -maxFaceValue); 0 = none. */
  maxFaceValue: bigint;
  /** Params validity in L1 blocks after the last seen block. */
  paramsExpirationBlocks: bigint;
  /** Nonces accepted per recipientRand (default MAX_SENDER_NONCES). */
  maxSenderNonces?: number;
}

/** An error from ReceiveTicket; fatal ones abort the whole payment at once. */
export class ReceiveError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
  ) {
    super(message);
  }
}

/** Result of receiving one ticket. */
export interface ReceiveResult {
  won: boolean;
  /** Validation passed (signature, recipientRand, nonce); a winner is then redeemable even if params expired. */
  redeemable: boolean;
  error?: ReceiveError;
}

export class Recipient {
  private readonly secret = randomBytes(32);
  private readonly recipientBytes: Uint8Array;
  private readonly nonces = new Map<string, { seen: Set<number>; expirationBlock: bigint }>();

  constructor(
    readonly cfg: RecipientConfig,
    private readonly chain: ChainView,
  ) {
    this.recipientBytes = addressToBytes(cfg.address);
  }

  /** Face value for a sender: tx cost × 100 (at least EV × 100), capped by max float and maxFaceValue. */
  async faceValue(sender: Address): Promise<bigint> {
    const txCost = this.cfg.redeemGas * this.chain.gasPrice();
    let fv = txCost * TX_COST_MULTIPLIER;
    if (fv < this.cfg.ticketEV) fv = this.cfg.ticketEV * TX_COST_MULTIPLIER;
    const maxFloat = await this.chain.maxFloat(sender, this.cfg.address);
    if (maxFloat !== undefined && fv > maxFloat) fv = maxFloat;
    if (this.cfg.maxFaceValue > 0n && fv > this.cfg.maxFaceValue) fv = this.cfg.maxFaceValue;
    if (fv < this.cfg.ticketEV) throw new Error(PM_ERRORS.insufficientReserve);
    if (fv < txCost && fv < this.cfg.redeemGas * AVG_GAS_PRICE) throw new Error(PM_ERRORS.insufficientReserve);
    return fv;
  }

  /** HMAC-SHA256(secret, seed ‖ sender ‖ faceValue ‖ winProb ‖ expirationBlock ‖ price num ‖ den ‖ auxData), big-endian minimal. */
  rand(seed: bigint, sender: Uint8Array, faceValue: bigint, winProb: bigint, expirationBlock: bigint, price: Rational, aux: Uint8Array): bigint {
    const abs = (n: bigint) => bigintToBytes(n < 0n ? -n : n);
    const h = createHmac('sha256', this.secret);
    for (const part of [bigintToBytes(seed), sender, bigintToBytes(faceValue), bigintToBytes(winProb), bigintToBytes(expirationBlock), abs(price.num), abs(price.den), aux]) {
      h.update(part);
    }
    return bytesToBigint(h.digest());
  }

  /** Fresh ticket params for (sender, price); throws `insufficient sender reserve` when the sender cannot back them. */
  async ticketParams(sender: Uint8Array, price: Rational): Promise<TicketParams> {
    const seed = bytesToBigint(randomBytes(32));
    const faceValue = price.num > 0n ? await this.faceValue(toChecksumAddress(sender)) : 0n;
    const winProb = faceValue === 0n ? 0n : winProbForEV(this.cfg.ticketEV, faceValue);
    const expirationBlock = this.chain.l1Block() + this.cfg.paramsExpirationBlocks;
    const exp = this.chain.expirationParams();
    const rand = this.rand(seed, sender, faceValue, winProb, expirationBlock, price, auxData(exp.creationRound, exp.creationRoundBlockHash));
    return create(TicketParamsSchema, {
      recipient: this.recipientBytes,
      faceValue: bigintToBytes(faceValue),
      winProb: bigintToBytes(winProb),
      recipientRandHash: recipientRandHash(rand),
      seed: bigintToBytes(seed),
      expirationBlock: bigintToBytes(expirationBlock),
      expirationParams: { creationRound: exp.creationRound, creationRoundBlockHash: exp.creationRoundBlockHash },
    });
  }

  /** The orchestrator's EV requirement per ticket. */
  ev(): bigint {
    return this.cfg.ticketEV;
  }

  /**
   * go-livepeer ReceiveTicket: sender validation (fatal), recipient / sender / recipientRand (fatal) and signature,
   * win check, nonce (fresh, ≤ 600 per recipientRand), then params expiry.
   */
  async receiveTicket(ticket: Ticket, sig: Uint8Array, seed: bigint, expirationBlock: bigint, price: Rational): Promise<ReceiveResult & { recipientRand: bigint }> {
    const aux = auxData(ticket.creationRound, ticket.creationRoundBlockHash);
    const recipientRand = this.rand(seed, ticket.sender, ticket.faceValue, ticket.winProb, expirationBlock, price, aux);
    const fail = (message: string, fatal: boolean, won = false, redeemable = false) => ({ won, redeemable, recipientRand, error: new ReceiveError(message, fatal) });
    const senderErr = await this.chain.validateSender(toChecksumAddress(ticket.sender));
    if (senderErr !== null) return fail(senderErr, true);
    if (!bytesEqual(ticket.recipient, this.recipientBytes)) return fail(PM_ERRORS.recipient, true);
    if (ticket.sender.every((b) => b === 0)) return fail(PM_ERRORS.sender, true);
    if (!bytesEqual(recipientRandHash(recipientRand), ticket.recipientRandHash)) return fail(PM_ERRORS.recipientRand, true);
    if (!verifySig(ticket.sender, ticketHash(ticket), sig).ok) return fail(PM_ERRORS.signature, false);
    const won = isWinningTicket(sig, recipientRand, ticket.winProb);
    const nonceErr = this.updateNonce(recipientRand, ticket, expirationBlock);
    if (nonceErr) return fail(nonceErr, false, won);
    if (expirationBlock <= this.chain.l1Block()) return fail(PM_ERRORS.paramsExpired, false, won, true);
    return { won, redeemable: true, recipientRand };
  }

  private updateNonce(rand: bigint, ticket: Ticket, expirationBlock: bigint): string | undefined {
    const key = rand.toString();
    const nonce = Number(ticket.senderNonce);
    let entry = this.nonces.get(key);
    const who = toChecksumAddress(ticket.sender);
    if (entry?.seen.has(nonce)) return `invalid ticket senderNonce: already seen sender=${who} nonce=${nonce}`;
    if (!entry) {
      entry = { seen: new Set(), expirationBlock };
      this.nonces.set(key, entry);
    }
    if (entry.seen.size >= (this.cfg.maxSenderNonces ?? MAX_SENDER_NONCES)) return `invalid ticket senderNonce: too many values sender=${who} nonce=${nonce}`;
    entry.seen.add(nonce);
    return undefined;
  }

  /** Forgets nonce sets whose params have expired (go-livepeer senderNoncesCleanupLoop). */
  sweep(): void {
    const l1 = this.chain.l1Block();
    for (const [k, v] of this.nonces) if (v.expirationBlock <= l1) this.nonces.delete(k);
  }

  /** The redemption request for a winning ticket. */
  winning(ticket: Ticket, sig: Uint8Array, recipientRand: bigint): WinningTicket {
    return {
      recipient: toChecksumAddress(ticket.recipient),
      sender: toChecksumAddress(ticket.sender),
      faceValue: ticket.faceValue,
      winProb: ticket.winProb,
      senderNonce: BigInt(ticket.senderNonce),
      recipientRandHash: ticket.recipientRandHash,
      auxData: auxData(ticket.creationRound, ticket.creationRoundBlockHash),
      sig,
      recipientRand,
    };
  }

  /** EV of one ticket under its own face value and win probability. */
  static ticketValue(ticket: Ticket): Rational {
    return ticketEV(ticket.faceValue, ticket.winProb);
  }
}
