// Test-side orchestrator: issues ticket params with an HMAC-derived recipientRand (as go-livepeer's recipient does,
// byte layout of our own) and validates received payments the way an orchestrator would.
import { createHmac, randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { type Address, addressToBytes, toChecksumAddress } from '../../src/lib/protocol/address.js';
import { bigintToBytes, bytesEqual, bytesToBigint, concatBytes, uint256Bytes } from '../../src/lib/protocol/encoding.js';
import { type OrchestratorInfo, OrchestratorInfoSchema, type Payment } from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../src/lib/protocol/hash.js';
import { ticketsFromPayment } from '../../src/lib/protocol/payment.js';
import { verifySig } from '../../src/lib/protocol/signer.js';
import { auxData, isWinningTicket, recipientRandHash, ticketEV, ticketHash, winProbForEV } from '../../src/lib/protocol/ticket.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import type { SenderChainState } from '../../src/lib/payments/senderMonitor.js';

/** Public dev keys (hardhat accounts #0 and #1). */
export const GATEWAY_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const GATEWAY_ADDRESS: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const ORCH_ADDRESS: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

export const ETH = 10n ** 18n;

/** A funded sender at L1 block 1000, round 10. */
export function fundedChain(overrides: Partial<SenderChainState> = {}): SenderChainState {
  return {
    info: { deposit: ETH, withdrawRound: 0n, reserve: { fundsRemaining: ETH, claimedInCurrentRound: 0n } },
    lastInitializedRound: 10n,
    lastSeenL1Block: 1000n,
    lastInitializedBlockHash: keccak256(new TextEncoder().encode('round 10')),
    ...overrides,
  };
}

export interface ParamsSpec {
  faceValue?: bigint;
  ev?: bigint;
  winProb?: bigint;
  expirationBlock?: bigint;
  price?: { pricePerUnit: bigint; pixelsPerUnit: bigint };
  creationRound?: bigint;
  creationRoundBlockHash?: Uint8Array;
  sessionId?: string;
  authExpiration?: bigint;
  transcoder?: string;
}

/** Orchestrator side of the payment protocol, enough to check what a sender produces. */
export class TestOrchestrator {
  readonly address: Address;
  private readonly secret = randomBytes(32);
  private readonly seen = new Map<string, Set<number>>();
  /** EV credited per sender. */
  readonly credited = new Map<string, Rational>();
  winners = 0;

  constructor(address: Address = ORCH_ADDRESS) {
    this.address = address;
  }

  private rand(fields: {
    seed: Uint8Array;
    sender: Uint8Array;
    faceValue: Uint8Array;
    winProb: Uint8Array;
    expirationBlock: Uint8Array;
    pricePerUnit: bigint;
    pixelsPerUnit: bigint;
    aux: Uint8Array;
  }): bigint {
    const mac = createHmac('sha256', this.secret)
      .update(concatBytes(
        fields.seed,
        fields.sender,
        uint256Bytes(bytesToBigint(fields.faceValue)),
        uint256Bytes(bytesToBigint(fields.winProb)),
        uint256Bytes(bytesToBigint(fields.expirationBlock)),
        uint256Bytes(fields.pricePerUnit),
        uint256Bytes(fields.pixelsPerUnit),
        fields.aux,
      ))
      .digest();
    return bytesToBigint(mac);
  }

  /** An OrchestratorInfo with fresh ticket params for `sender`. */
  info(sender: Address, spec: ParamsSpec = {}): OrchestratorInfo {
    const faceValue = spec.faceValue ?? 10n ** 15n;
    const winProb = spec.winProb ?? winProbForEV(spec.ev ?? 8_000_000_000n, faceValue);
    const price = spec.price ?? { pricePerUnit: 1200n, pixelsPerUnit: 1n };
    const creationRound = spec.creationRound ?? 10n;
    const creationRoundBlockHash = spec.creationRoundBlockHash ?? keccak256(new TextEncoder().encode('round 10'));
    const seed = new Uint8Array(randomBytes(32));
    const fields = {
      seed,
      sender: addressToBytes(sender),
      faceValue: bigintToBytes(faceValue),
      winProb: bigintToBytes(winProb),
      expirationBlock: bigintToBytes(spec.expirationBlock ?? 1040n),
      pricePerUnit: price.pricePerUnit,
      pixelsPerUnit: price.pixelsPerUnit,
      aux: auxData(creationRound, creationRoundBlockHash),
    };
    return create(OrchestratorInfoSchema, {
      transcoder: spec.transcoder ?? 'https://127.0.0.1:8935',
      address: addressToBytes(this.address),
      ticketParams: {
        recipient: addressToBytes(this.address),
        faceValue: fields.faceValue,
        winProb: fields.winProb,
        recipientRandHash: recipientRandHash(this.rand(fields)),
        seed,
        expirationBlock: fields.expirationBlock,
        expirationParams: { creationRound, creationRoundBlockHash },
      },
      priceInfo: price,
      authToken: {
        token: new Uint8Array(randomBytes(16)),
        sessionId: spec.sessionId ?? 'o-session-1',
        expiration: spec.authExpiration ?? BigInt(Math.floor(Date.now() / 1000) + 1800),
      },
    });
  }

  /**
   * Validates a payment like go-livepeer's ProcessPayment/ReceiveTicket: recipient, sender, recipientRand,
   * signature, fresh nonce ≤ 600, expiration; credits EV until the first error, which it returns.
   */
  receive(payment: Payment, l1Block: bigint): { credited: Rational; tickets: number; error?: string } {
    const params = payment.ticketParams;
    let credited = Rational.ZERO;
    if (!params) return { credited, tickets: 0 };
    const price = payment.expectedPrice;
    if (!price) return { credited, tickets: 0, error: 'missing expected price' };
    const sender = toChecksumAddress(payment.sender);
    const tickets = ticketsFromPayment(payment);
    for (const [i, { ticket, sig }] of tickets.entries()) {
      if (!bytesEqual(ticket.recipient, addressToBytes(this.address))) return { credited, tickets: i, error: 'invalid ticket recipient' };
      const rand = this.rand({
        seed: params.seed,
        sender: payment.sender,
        faceValue: params.faceValue,
        winProb: params.winProb,
        expirationBlock: params.expirationBlock,
        pricePerUnit: price.pricePerUnit,
        pixelsPerUnit: price.pixelsPerUnit,
        aux: auxData(ticket.creationRound, ticket.creationRoundBlockHash),
      });
      if (!bytesEqual(keccak256(uint256Bytes(rand)), ticket.recipientRandHash)) {
        return { credited, tickets: i, error: 'invalid recipientRand for ticket recipientRandHash' };
      }
      const v = verifySig(sender, ticketHash(ticket), sig);
      if (!v.ok) return { credited, tickets: i, error: `invalid ticket signature: ${v.reason}` };
      const key = `${sender}/${rand}`;
      const seen = this.seen.get(key) ?? new Set<number>();
      const nonce = Number(ticket.senderNonce);
      if (seen.has(nonce)) return { credited, tickets: i, error: 'invalid ticket senderNonce: already seen' };
      if (seen.size >= 600) return { credited, tickets: i, error: 'invalid ticket senderNonce: too many values' };
      seen.add(nonce);
      this.seen.set(key, seen);
      if (bytesToBigint(params.expirationBlock) <= l1Block) return { credited, tickets: i, error: 'TicketParams expired' };
      if (isWinningTicket(sig, rand, ticket.winProb)) this.winners++;
      const ev = ticketEV(ticket.faceValue, ticket.winProb);
      credited = credited.add(ev);
      this.credited.set(sender, (this.credited.get(sender) ?? Rational.ZERO).add(ev));
    }
    return { credited, tickets: tickets.length };
  }
}
