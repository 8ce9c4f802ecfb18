// The gateway's ticket sender (go-livepeer pm/sender.go + server/segment_rpc.go genPayment): per orchestrator
// session it tracks the PM session (recipientRandHash → nonces 1, 2, …, never reused, ≤ 600), guards against
// price rises, validates the params and builds the signed Livepeer-Payment header.
import { create, toBinary } from '@bufbuild/protobuf';
import { type Address, addressToBytes, toChecksumAddress } from '../protocol/address.js';
import { base64Encode, writeUint256 } from '../protocol/encoding.js';
import {
  type OrchestratorInfo,
  type Payment,
  PaymentSchema,
  type PriceInfo,
  type TicketParams,
} from '../protocol/gen/net/lp_rpc_pb.js';
import { MAX_SENDER_NONCE, effectiveExpirationParams } from '../protocol/payment.js';
import { Rational } from '../protocol/rational.js';
import type { LocalSigner, Signer } from '../protocol/signer.js';
import { auxData, pmSessionId as toPmSessionId } from '../protocol/ticket.js';
import type { BatchSigner } from './fastSigner.js';
import { keccak256Into } from '../protocol/keccak.js';
import type { SenderChainState, SenderStateSource } from './senderMonitor.js';
import {
  NoncesExhaustedError,
  type ParsedTicketParams,
  PaymentValidationError,
  type SenderValidationSettings,
  checkPriceIncrease,
  checkTicketParams,
  parseTicketParams,
  resolveValidationSettings,
} from './senderValidation.js';

/** What one batch paid, for events and metrics. */
export interface TicketBatchSummary {
  recipient: Address;
  pmSessionId: string;
  count: number;
  faceValue: bigint;
  winProb: bigint;
  /** EV of one ticket (the batch's EV is count × ev). */
  ev: Rational;
  firstNonce: number;
}

/** A built payment: the header value to send, the message, and the batch (absent with zero tickets). */
export interface SignedPayment {
  /** Livepeer-Payment header value (standard base64 of the Payment protobuf). */
  header: string;
  payment: Payment;
  batch?: TicketBatchSummary;
}

export interface TicketSenderOptions {
  /** The paying account; a BatchSigner (fastLocalSigner) is fastest, any Signer works. */
  signer: Signer;
  /** Chain facts: sender funds, last L1 block, last initialized round (watcher-fed, or fixed in tests). */
  chain: SenderStateSource;
  settings?: Partial<SenderValidationSettings>;
  /** Highest nonce per recipientRandHash (orchestrators accept 600). */
  maxNonce?: number;
}

/** Nonce counters per PM session, shared by every orchestrator session of this sender. */
interface NonceEntry {
  last: number;
  expirationBlock: bigint;
}

const NONCE_PURGE_THRESHOLD = 1024;

/** Options for one orchestrator session. */
export interface OrchestratorSessionOptions {
  /** The session's initial price (default: the first info's price_info); the 2× guard compares to it. */
  initialPrice?: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'>;
  /** Nonces already used in a PM session (e.g. restored from a remote-signer state); never reused. */
  usedNonces?: { pmSessionId: string; last: number };
}

/** Signs payments for many orchestrator sessions from one account. */
export class TicketSender {
  readonly address: Address;
  readonly senderBytes: Uint8Array;
  readonly settings: SenderValidationSettings;
  readonly maxNonce: number;
  private readonly signer: Signer;
  private readonly chain: SenderStateSource;
  private readonly nonces = new Map<string, NonceEntry>();

  constructor(options: TicketSenderOptions) {
    this.signer = options.signer;
    this.chain = options.chain;
    this.address = toChecksumAddress(options.signer.address);
    this.senderBytes = addressToBytes(this.address);
    this.settings = resolveValidationSettings(options.settings);
    this.maxNonce = options.maxNonce ?? MAX_SENDER_NONCE;
  }

  /** The cached chain state; throws a non-fatal PaymentValidationError before the first read. */
  chainState(): SenderChainState {
    const s = this.chain.current();
    if (!s) throw new PaymentValidationError('chain_unavailable', 'sender chain state is not available yet');
    return s;
  }

  /** The cached chain state, or undefined before the first read. */
  currentChainState(): SenderChainState | undefined {
    return this.chain.current();
  }

  /** go-livepeer ValidateTicketParams (one ticket): run at discovery and before each request. Null when OK. */
  checkParams(params: TicketParams | undefined, numTickets = 1): PaymentValidationError | null {
    const s = this.chain.current();
    if (!s) return new PaymentValidationError('chain_unavailable', 'sender chain state is not available yet');
    return checkTicketParams(params ? parseTicketParams(params) : undefined, numTickets, s, this.settings);
  }

  /** Payment state for one orchestrator session, starting from its first OrchestratorInfo. */
  session(info: OrchestratorInfo, options: OrchestratorSessionOptions = {}): OrchestratorPaymentSession {
    return new OrchestratorPaymentSession(this, info, options);
  }

  /** Highest nonce used so far in a PM session (0 if none). */
  lastNonce(pmSessionId: string): number {
    return this.nonces.get(pmSessionId)?.last ?? 0;
  }

  /** Records nonces used elsewhere (restored state) so they are never reissued. */
  markUsed(pmSessionId: string, last: number, expirationBlock: bigint): void {
    const e = this.nonces.get(pmSessionId);
    if (!e) this.nonces.set(pmSessionId, { last, expirationBlock });
    else if (last > e.last) e.last = last;
  }

  /** Reserves `count` consecutive nonces of a PM session; returns the first. */
  reserveNonces(pmSessionId: string, count: number, expirationBlock: bigint): number {
    let e = this.nonces.get(pmSessionId);
    if (!e) {
      if (this.nonces.size >= NONCE_PURGE_THRESHOLD) this.purgeNonces();
      e = { last: 0, expirationBlock };
      this.nonces.set(pmSessionId, e);
    }
    if (e.last + count > this.maxNonce) throw new NoncesExhaustedError(pmSessionId, this.maxNonce);
    const first = e.last + 1;
    e.last += count;
    return first;
  }

  /** Drops counters of params that have expired (orchestrators reject them anyway). */
  private purgeNonces(): void {
    const block = this.chain.current()?.lastSeenL1Block;
    if (block === undefined) return;
    for (const [id, e] of this.nonces) if (e.expirationBlock !== 0n && e.expirationBlock <= block) this.nonces.delete(id);
  }

  /** Signs ticket hashes with the fastest path the signer offers. */
  async signHashes(hashes: Uint8Array[]): Promise<Uint8Array[]> {
    const s = this.signer as Partial<BatchSigner> & Partial<LocalSigner> & Signer;
    if (s.signHashesSync) return s.signHashesSync(hashes);
    if (s.signHashSync) return hashes.map((h) => (s.signHashSync as (h: Uint8Array) => Uint8Array)(h));
    const out: Uint8Array[] = [];
    for (const h of hashes) out.push(await s.signHash(h));
    return out;
  }
}

/** The ticket preimage of a PM session with a slot for the nonce (abi.encodePacked layout of the ticket hash). */
interface PmSession {
  id: string;
  params: TicketParams;
  parsed: ParsedTicketParams;
  recipient: Address;
  preimage: Uint8Array;
  expiration: { creationRound: bigint; creationRoundBlockHash: Uint8Array };
}

function fixed(b: Uint8Array, size: number): Uint8Array {
  if (b.length === size) return b;
  const out = new Uint8Array(size);
  if (b.length > size) out.set(b.subarray(b.length - size));
  else out.set(b, size - b.length);
  return out;
}

/** Payment state for one orchestrator session (one BroadcastSession in go-livepeer terms). */
export class OrchestratorPaymentSession {
  /** The price the session started at (2× guard). */
  readonly initialPrice: Pick<PriceInfo, 'pricePerUnit' | 'pixelsPerUnit'> | undefined;
  private latest: OrchestratorInfo;
  private pm: PmSession | undefined;
  private pmKeyRound: bigint | undefined;

  constructor(
    private readonly sender: TicketSender,
    info: OrchestratorInfo,
    options: OrchestratorSessionOptions = {},
  ) {
    this.latest = info;
    this.initialPrice = options.initialPrice ?? info.priceInfo;
    const params = info.ticketParams;
    if (options.usedNonces && params) {
      const id = toPmSessionId(fixed(params.recipientRandHash, 32));
      if (id === options.usedNonces.pmSessionId) {
        sender.markUsed(id, options.usedNonces.last, parseTicketParams(params).expirationBlock);
      }
    }
  }

  /** The latest OrchestratorInfo (its params and price are echoed). */
  get info(): OrchestratorInfo {
    return this.latest;
  }

  /** PM session id of the current params ("0x" + recipientRandHash), if O sent params. */
  get pmSessionId(): string | undefined {
    const p = this.latest.ticketParams;
    return p ? toPmSessionId(fixed(p.recipientRandHash, 32)) : undefined;
  }

  /** EV of one ticket under the current params (0 without params). */
  get ev(): Rational {
    return this.pmSession()?.parsed.ev ?? Rational.ZERO;
  }

  /** Replaces the OrchestratorInfo (segment reply, PaymentResult, refresh); new recipientRandHash → new PM session. */
  update(info: OrchestratorInfo): void {
    this.latest = info;
  }

  /** The 2× price guard against the session's initial price. Null when OK. */
  checkPrice(): PaymentValidationError | null {
    return checkPriceIncrease(this.latest.priceInfo, this.initialPrice);
  }

  /** Everything createPayment would refuse, without signing: price guard, params validation, nonce capacity. */
  check(numTickets: number): PaymentValidationError | null {
    const price = this.checkPrice();
    if (price || numTickets <= 0) return price;
    const pm = this.pmSession();
    const invalid = this.sender.checkParams(this.latest.ticketParams, numTickets);
    if (invalid || !pm) return invalid;
    if (this.sender.lastNonce(pm.id) + numTickets > this.sender.maxNonce) {
      return new NoncesExhaustedError(pm.id, this.sender.maxNonce);
    }
    return null;
  }

  private pmSession(): PmSession | undefined {
    const params = this.latest.ticketParams;
    if (!params) return undefined;
    const round = this.sender.currentChainState()?.lastInitializedRound;
    if (this.pm && this.pm.params === params && this.pmKeyRound === round) return this.pm;
    const id = toPmSessionId(fixed(params.recipientRandHash, 32));
    const parsed = parseTicketParams(params);
    const chain = this.sender.currentChainState();
    const fallback = chain
      ? { creationRound: chain.lastInitializedRound, creationRoundBlockHash: chain.lastInitializedBlockHash }
      : undefined;
    const expiration = effectiveExpirationParams(params, fallback);
    const aux = auxData(expiration.creationRound, fixed(expiration.creationRoundBlockHash, 32));
    const preimage = new Uint8Array(168 + aux.length);
    const recipient = fixed(params.recipient, 20);
    preimage.set(recipient, 0);
    preimage.set(this.sender.senderBytes, 20);
    writeUint256(preimage, 40, parsed.faceValue);
    writeUint256(preimage, 72, parsed.winProb);
    preimage.set(fixed(params.recipientRandHash, 32), 136);
    preimage.set(aux, 168);
    this.pm = { id, params, parsed, recipient: toChecksumAddress(recipient), preimage, expiration };
    this.pmKeyRound = round;
    return this.pm;
  }

  /**
   * Builds the payment for `numTickets` tickets (go-livepeer genPayment): price guard, then — with tickets —
   * validation for the batch, consecutive fresh nonces, hash and sign. Zero tickets → sender and price only.
   */
  async createPayment(numTickets: number): Promise<SignedPayment> {
    if (!Number.isInteger(numTickets) || numTickets < 0) throw new RangeError(`invalid ticket count ${numTickets}`);
    const priceErr = this.checkPrice();
    if (priceErr) throw priceErr;
    const info = this.latest;
    if (numTickets === 0) {
      const payment = create(PaymentSchema, { sender: this.sender.senderBytes, expectedPrice: info.priceInfo });
      return { header: base64Encode(toBinary(PaymentSchema, payment)), payment };
    }
    const chain = this.sender.chainState();
    const pm = this.pmSession();
    const err = checkTicketParams(pm?.parsed, numTickets, chain, this.sender.settings);
    if (err) throw err;
    if (!pm) throw new PaymentValidationError('no_ticket_params', 'ticketParams is nil');
    const firstNonce = this.sender.reserveNonces(pm.id, numTickets, pm.parsed.expirationBlock);
    const hashes: Uint8Array[] = new Array<Uint8Array>(numTickets);
    const pre = pm.preimage;
    for (let i = 0; i < numTickets; i++) {
      // uint256 nonce at bytes 104…135; nonces are < 2^32, so only the last 4 bytes vary.
      const nonce = firstNonce + i;
      pre[132] = (nonce >>> 24) & 0xff;
      pre[133] = (nonce >>> 16) & 0xff;
      pre[134] = (nonce >>> 8) & 0xff;
      pre[135] = nonce & 0xff;
      const h = new Uint8Array(32);
      keccak256Into(pre, h, 0);
      hashes[i] = h;
    }
    const sigs = await this.sender.signHashes(hashes);
    const p = pm.params;
    const payment = create(PaymentSchema, {
      ticketParams: {
        recipient: p.recipient,
        faceValue: p.faceValue,
        winProb: p.winProb,
        recipientRandHash: p.recipientRandHash,
        seed: p.seed,
        expirationBlock: p.expirationBlock,
      },
      sender: this.sender.senderBytes,
      expirationParams: pm.expiration,
      ticketSenderParams: sigs.map((sig, i) => ({ senderNonce: firstNonce + i, sig })),
      expectedPrice: info.priceInfo,
    });
    return {
      header: base64Encode(toBinary(PaymentSchema, payment)),
      payment,
      batch: {
        recipient: pm.recipient,
        pmSessionId: pm.id,
        count: numTickets,
        faceValue: pm.parsed.faceValue,
        winProb: pm.parsed.winProb,
        ev: pm.parsed.ev,
        firstNonce,
      },
    };
  }
}
