// One interface for paying orchestrators, whether tickets are signed here (TicketSender + Balances) or by a remote
// signer: the gateway's session code asks a PaymentSession for headers and reports the outcome back.
import type { Address } from '../../lib/protocol/address.js';
import type { Capabilities, OrchestratorInfo, Payment } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { toChecksumAddress } from '../../lib/protocol/address.js';
import { bytesToBigint } from '../../lib/protocol/encoding.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { pmSessionId, ticketEV } from '../../lib/protocol/ticket.js';
import type { BalanceOutcome } from '../../lib/payments/balances.js';
import type { LivePaymentType } from '../../lib/payments/liveBilling.js';
import type { PaymentValidationError } from '../../lib/payments/senderValidation.js';
import type { TicketBatchSummary } from '../../lib/payments/ticketSender.js';

/** What a payment must cover. */
export type PaymentRequest =
  /** A fee the caller computed at O's current price (transcoding: estimateFee; AI: aiFee). Local signing only. */
  | { kind: 'fee'; fee: Rational | undefined }
  /** `units` at the price (local: O's current price; remote: the signer's `inPixels` at the session's initial price). */
  | { kind: 'units'; units: bigint }
  /** Time-billed live payment: lv2v 1280×720×30 px/s, live whole seconds, fixed 1 unit since the last one. */
  | { kind: 'live'; type: Exclude<LivePaymentType, ''> };

/** Headers for one request, and how to settle the accounting afterwards. */
export interface PreparedPayment {
  /** Nothing to pay this cycle (remote 482, or a live payment the balance already covers): send nothing. */
  skipped: boolean;
  /** Livepeer-Payment header value ('' when skipped). */
  paymentHeader: string;
  /** Livepeer-Segment header value for live payments ('' for other requests: the caller signs its SegData). */
  segCredsHeader: string;
  numTickets: number;
  batch: TicketBatchSummary | undefined;
  /** The fee this payment was sized for (undefined when unknown here, e.g. the remote signer bills itself). */
  fee: Rational | undefined;
  /** Report what happened to the request (local balances; a no-op for the remote signer, which settles up front). */
  settle(outcome: BalanceOutcome): void;
}

/** Payment state for one orchestrator session. */
export interface PaymentSession {
  /** The latest OrchestratorInfo. */
  readonly info: OrchestratorInfo;
  /** Replace the OrchestratorInfo (segment reply, PaymentResult.info, GetOrchestrator refresh). */
  update(info: OrchestratorInfo): void;
  /** The orchestrator's accounting id once it is known (live: the start reply's manifest_id); later payments credit it. */
  setManifestId(id: string): void;
  /** Checks this side can make (price guard, params, sender funds) without signing; null when OK or unknown here. */
  check(): PaymentValidationError | null;
  /** Builds the payment for a request. Throws PaymentValidationError (local) or RemoteSignerError (remote). */
  pay(request: PaymentRequest, options?: { signal?: AbortSignal }): Promise<PreparedPayment>;
}

export interface OpenSessionOptions {
  /** O's accounting id (live: O's manifest_id); local live payments invent one when absent. */
  manifestId?: string;
  /** Job capabilities (embedded in live segment credentials; picks the signer's per-capability max price). */
  capabilities?: Capabilities;
  /** GetOrchestrator again for a 480 from the remote signer. */
  refresh?: (orchestratorUrl: string, current: OrchestratorInfo) => Promise<OrchestratorInfo>;
}

/** Where payments come from: a local key or a remote signer. */
export interface PaymentSource {
  readonly kind: 'local' | 'remote';
  /** The paying address and its OrchestratorRequest signature (computed or fetched once). */
  identity(): Promise<{ address: Address; sig: Uint8Array }>;
  openSession(info: OrchestratorInfo, options?: OpenSessionOptions): PaymentSession;
}

/** Batch summary read back from a Payment message (e.g. one a remote signer built). */
export function summarizePayment(payment: Payment): TicketBatchSummary | undefined {
  const p = payment.ticketParams;
  const first = payment.ticketSenderParams[0];
  if (!p || !first) return undefined;
  const faceValue = bytesToBigint(p.faceValue);
  const winProb = bytesToBigint(p.winProb);
  const recipient = p.recipient.length === 20 ? toChecksumAddress(p.recipient) : toChecksumAddress(new Uint8Array(20));
  const rrh = new Uint8Array(32);
  rrh.set(p.recipientRandHash.subarray(Math.max(0, p.recipientRandHash.length - 32)), Math.max(0, 32 - p.recipientRandHash.length));
  return {
    recipient,
    pmSessionId: pmSessionId(rrh),
    count: payment.ticketSenderParams.length,
    faceValue,
    winProb,
    ev: ticketEV(faceValue, winProb),
    firstNonce: first.senderNonce,
  };
}
