// The devnet orchestrator's protocol state and behaviour, transport-free: OrchestratorInfo minting, GetOrchestrator,
// EndTranscodingSession, Ping and payment processing (go-livepeer server/rpc.go, core/orchestrator.go).
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { type Address, ZERO_ADDRESS, addressToBytes, toChecksumAddress } from '../../lib/protocol/address.js';
import { buildCapabilities, Capability, DEFAULT_CAPABILITIES } from '../../lib/protocol/capabilities.js';
import { bytesToBigint } from '../../lib/protocol/encoding.js';
import {
  type Capabilities,
  EndTranscodingSessionRequestSchema,
  EndTranscodingSessionResponseSchema,
  type OrchestratorInfo,
  OrchestratorInfoSchema,
  OrchestratorRequestSchema,
  type Payment,
  PingPongSchema,
  type PriceInfo,
} from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { verifyOrchestratorRequest } from '../../lib/protocol/orchestratorRequest.js';
import { ticketsFromPayment } from '../../lib/protocol/payment.js';
import { Rational } from '../../lib/protocol/rational.js';
import { type LocalSigner, signMessage } from '../../lib/protocol/signer.js';
import type { AiCatalog } from './ai/catalog.js';
import type { ByocRegistry } from './byoc/registry.js';
import type { ChainView } from './chainView.js';
import type { Clock } from './clock.js';
import type { FaultInjector } from './faults.js';
import { GrpcError } from './grpcServer.js';
import type { LiveCatalog } from './live/liveCatalog.js';
import { Recipient } from './recipient.js';
import type { AuthTokens, Balances, Sessions } from './sessions.js';

/** Version the devnet orchestrator advertises in its capabilities. */
export const DEVNET_VERSION = '0.9.1-devnet';

/** Minimal logger interface (pino loggers fit). */
export interface DevnetLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** A logger that drops everything. */
export const silentLogger: DevnetLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** Counters behind stats(). */
export interface Counters {
  segments: number;
  segmentsRejected: number;
  ticketsReceived: number;
  winningTickets: number;
  getOrchestrator: number;
  /** AI requests answered 200 / rejected (any 4xx/5xx). */
  aiRequests: number;
  aiRejected: number;
  /** BYOC jobs answered 200 / rejected. */
  byocRequests: number;
  byocRejected: number;
  /** POST /payment answered 200 / rejected. */
  payments: number;
  paymentsRejected: number;
}

export interface NodeConfig {
  serviceUri: string;
  offchain: boolean;
  signer: LocalSigner | undefined;
  chain: ChainView;
  recipient: Recipient | undefined;
  clock: Clock;
  tokens: AuthTokens;
  sessions: Sessions;
  balances: Balances;
  faults: FaultInjector;
  logger: DevnetLogger;
  /** AI models served by the devnet runners, if any. */
  ai?: AiCatalog;
  /** BYOC capabilities, if any. */
  byoc?: ByocRegistry;
  /** Live-video-to-video models and price, if live is served. */
  live?: LiveCatalog;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Go's ethcommon.BytesToAddress: last 20 bytes, left-padded. */
export function toAddressBytes(b: Uint8Array): Uint8Array {
  if (b.length === 20) return b;
  const out = new Uint8Array(20);
  if (b.length > 20) out.set(b.subarray(b.length - 20));
  else out.set(b, 20 - b.length);
  return out;
}

/** A net.PriceInfo for a reduced price (capability and constraint only in capabilities_prices). */
function priceInfo(price: Rational, capability = 0, constraint = ''): PriceInfo {
  return { $typeName: 'net.PriceInfo', pricePerUnit: price.num, pixelsPerUnit: price.den, capability, constraint };
}

export class OrchestratorNode {
  readonly counters: Counters = {
    segments: 0,
    segmentsRejected: 0,
    ticketsReceived: 0,
    winningTickets: 0,
    getOrchestrator: 0,
    aiRequests: 0,
    aiRejected: 0,
    byocRequests: 0,
    byocRejected: 0,
    payments: 0,
    paymentsRejected: 0,
  };
  readonly address: Address;
  private price: Rational;

  constructor(
    readonly cfg: NodeConfig,
    price: { pricePerUnit: bigint; pixelsPerUnit: bigint },
  ) {
    this.price = Rational.of(price.pricePerUnit, price.pixelsPerUnit);
    this.address = cfg.signer?.address ?? ZERO_ADDRESS;
  }

  /** Advertised capabilities: the default set plus served AI and live capabilities with their models and in-use counts. */
  get capabilities(): Capabilities {
    const { ai, live } = this.cfg;
    const capacities = new Map(DEFAULT_CAPABILITIES.map((id) => [id, 1]));
    for (const [id, n] of ai?.capacities() ?? []) capacities.set(id, n);
    for (const [id, n] of live?.capacities() ?? []) capacities.set(id, n);
    const perCapability = new Map([...(ai?.perCapability() ?? []), ...(live?.perCapability() ?? [])]);
    return buildCapabilities({
      ids: [...capacities.keys()],
      mandatories: [Capability.AuthToken],
      capacities,
      version: DEVNET_VERSION,
      ...(perCapability.size > 0 ? { perCapability } : {}),
    });
  }

  /** Base price for new sessions (reduced, as go-livepeer sends a big.Rat). */
  basePrice(): Rational {
    return this.price;
  }

  setBasePrice(pricePerUnit: bigint, pixelsPerUnit: bigint): void {
    this.price = Rational.of(pricePerUnit, pixelsPerUnit);
  }

  /** The price a (sender, session) pays: pinned by its first payment, else the base price. */
  sessionPrice(sender: Address, sessionId: string | undefined): Rational {
    return (sessionId !== undefined ? this.cfg.balances.pinnedPrice(sender, sessionId) : undefined) ?? this.price;
  }

  /**
   * A fresh OrchestratorInfo for `sender` with a new auth token (callers may swap the token). With job caps
   * (GetOrchestrator, POST /payment) the price is the AI + live quote for them when positive; without caps the reply
   * lists capabilities_prices (go-livepeer priceInfo / GetCapabilitiesPrices).
   */
  async orchestratorInfo(sender: Uint8Array, sessionId?: string, jobCaps?: Capabilities | null): Promise<OrchestratorInfo> {
    const info = create(OrchestratorInfoSchema, {
      transcoder: this.cfg.serviceUri,
      address: addressToBytes(this.address),
      capabilities: this.capabilities,
      authToken: this.cfg.tokens.mint(),
    });
    if (!this.cfg.offchain && this.cfg.recipient) {
      let price = this.sessionPrice(toChecksumAddress(sender), sessionId);
      if (jobCaps) {
        const quote = (this.cfg.ai?.quote(jobCaps) ?? Rational.ZERO).add(this.cfg.live?.quote(jobCaps) ?? Rational.ZERO);
        if (quote.sign() > 0) price = quote;
      }
      info.priceInfo = priceInfo(price);
      info.ticketParams = await this.cfg.recipient.ticketParams(sender, price);
      if (jobCaps === null) {
        const all = [...(this.cfg.ai?.prices() ?? []), ...(this.cfg.live?.prices() ?? []), ...(this.cfg.byoc?.prices() ?? [])];
        info.capabilitiesPrices = all.map((p) => priceInfo(p.price, p.capability, p.constraint));
      }
    }
    return info;
  }

  /** net.Orchestrator/GetOrchestrator. */
  async getOrchestrator(body: Uint8Array): Promise<Uint8Array> {
    let req;
    try {
      req = fromBinary(OrchestratorRequestSchema, body);
    } catch (err) {
      throw new GrpcError(13, `grpc: error unmarshalling request: ${(err as Error).message}`);
    }
    if (!this.cfg.offchain && !verifyOrchestratorRequest(req).ok) {
      throw new Error('Invalid orchestrator request: orchestrator req sig check failed');
    }
    if (!req.ignoreCapacityCheck && !this.cfg.sessions.hasRoomFor('')) throw new Error('Invalid orchestrator request: OrchestratorCapped');
    const delay = this.cfg.faults.latencyMs();
    if (delay > 0) await sleep(delay);
    this.counters.getOrchestrator++;
    const info = await this.orchestratorInfo(toAddressBytes(req.address), undefined, req.capabilities ?? null);
    return toBinary(OrchestratorInfoSchema, info);
  }

  /** net.Orchestrator/EndTranscodingSession: frees the slot when the token is ours. */
  async endTranscodingSession(body: Uint8Array): Promise<Uint8Array> {
    let req;
    try {
      req = fromBinary(EndTranscodingSessionRequestSchema, body);
    } catch (err) {
      throw new GrpcError(13, `grpc: error unmarshalling request: ${(err as Error).message}`);
    }
    if (!req.authToken || !this.cfg.tokens.authentic(req.authToken)) throw new Error('Invalid auth token');
    if (this.cfg.sessions.end(req.authToken.sessionId)) this.cfg.logger.info(`session ${req.authToken.sessionId} ended by the gateway`);
    return toBinary(EndTranscodingSessionResponseSchema, create(EndTranscodingSessionResponseSchema));
  }

  /** net.Orchestrator/Ping: signs the value with the node account (empty off-chain). */
  async ping(body: Uint8Array): Promise<Uint8Array> {
    const req = fromBinary(PingPongSchema, body);
    const value = this.cfg.signer && !this.cfg.offchain ? await signMessage(this.cfg.signer, req.value) : new Uint8Array(0);
    return toBinary(PingPongSchema, create(PingPongSchema, { value }));
  }

  /**
   * go-livepeer ProcessPayment: returns an error text (HTTP 400) or null. Credits each valid ticket's EV until the
   * first error and queues winners for redemption. The first payment pins the session price.
   */
  async processPayment(payment: Payment, sender: Address, sessionId: string): Promise<string | null> {
    const recipient = this.cfg.recipient;
    if (this.cfg.offchain || !recipient) return null;
    if (!payment.ticketParams) return null;
    if (payment.sender.length === 0) return 'Could not find Sender for payment';
    const recipientAddr = toChecksumAddress(toAddressBytes(payment.ticketParams.recipient));
    if (!(await this.cfg.chain.isActive(recipientAddr))) {
      return `orchestrator ${recipientAddr} is inactive in round ${this.cfg.chain.lastInitializedRound()}, cannot process payments`;
    }
    const ep = payment.expectedPrice;
    if (!ep) return 'invalid expected price sent with payment err="expected price is nil"';
    if (ep.pixelsPerUnit === 0n) return 'invalid expected price sent with payment err="pixels per unit is 0"';
    const price = Rational.of(ep.pricePerUnit, ep.pixelsPerUnit);
    this.cfg.balances.pin(sender, sessionId, price);

    const seed = bytesToBigint(payment.ticketParams.seed);
    const expirationBlock = bytesToBigint(payment.ticketParams.expirationBlock);
    let receiveErr: string | null = null;
    for (const { ticket, sig } of ticketsFromPayment(payment)) {
      const r = await recipient.receiveTicket(ticket, sig, seed, expirationBlock, price);
      if (r.error) {
        this.cfg.logger.warn(`error receiving ticket session=${sessionId} sender=${sender} nonce=${ticket.senderNonce}: ${r.error.message}`);
        if (r.error.fatal) return r.error.message;
        receiveErr ??= r.error.message;
      }
      if (receiveErr === null) {
        this.cfg.balances.credit(sender, sessionId, Recipient.ticketValue(ticket));
        this.counters.ticketsReceived++;
      }
      if (r.won && r.redeemable) {
        this.counters.winningTickets++;
        this.cfg.logger.info(`received winning ticket session=${sessionId} sender=${sender} nonce=${ticket.senderNonce}`);
        void this.cfg.chain.redeem(recipient.winning(ticket, sig, r.recipientRand));
      }
    }
    return receiveErr;
  }

  /** Whether the balance covers one ticket EV (go-livepeer SufficientBalance). */
  sufficientBalance(sender: Address, sessionId: string): boolean {
    const ev = this.cfg.recipient?.ev();
    if (ev === undefined) return true;
    return this.cfg.balances.balance(sender, sessionId).gte(ev);
  }
}
