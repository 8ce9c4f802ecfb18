// PaymentSource over a local key: TicketSender for tickets, Balances for credit per (recipient, O session), the
// same live billing rules as the remote signer, and segment credentials signed here.
import { randomBytes } from 'node:crypto';
import type { Address } from '../../lib/protocol/address.js';
import type { Capabilities, OrchestratorInfo } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { toChecksumAddress } from '../../lib/protocol/address.js';
import { pricePerPixel } from '../../lib/protocol/fees.js';
import { orchestratorRequestSig } from '../../lib/protocol/orchestratorRequest.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { Signer } from '../../lib/protocol/signer.js';
import { type BalanceOutcome, type BalanceUpdate, Balances, balanceKey } from '../../lib/payments/balances.js';
import { liveUnits, unitsFee } from '../../lib/payments/liveBilling.js';
import type { OpenSessionOptions, PaymentRequest, PaymentSession, PaymentSource, PreparedPayment } from './paymentSource.js';
import { emptySegmentCredentials } from '../../lib/payments/segCreds.js';
import type { PaymentValidationError } from '../../lib/payments/senderValidation.js';
import type { OrchestratorPaymentSession, TicketSender } from '../../lib/payments/ticketSender.js';

export interface LocalPaymentSourceOptions {
  sender: TicketSender;
  /** The same account as the sender's; signs the OrchestratorRequest and segment credentials. */
  signer: Signer;
  balances?: Balances;
  /** Clock for live billing (ms). */
  now?: () => number;
}

/** Pays from the gateway's own key. */
export class LocalPaymentSource implements PaymentSource {
  readonly kind = 'local' as const;
  readonly balances: Balances;
  private readonly sender: TicketSender;
  private readonly signer: Signer;
  private readonly now: () => number;
  private sig: Promise<Uint8Array> | undefined;

  constructor(options: LocalPaymentSourceOptions) {
    if (toChecksumAddress(options.signer.address) !== options.sender.address) {
      throw new Error(`signer ${options.signer.address} is not the ticket sender ${options.sender.address}`);
    }
    this.sender = options.sender;
    this.signer = options.signer;
    this.balances = options.balances ?? new Balances();
    this.now = options.now ?? Date.now;
  }

  async identity(): Promise<{ address: Address; sig: Uint8Array }> {
    this.sig ??= orchestratorRequestSig(this.signer);
    return { address: this.sender.address, sig: await this.sig };
  }

  openSession(info: OrchestratorInfo, options: OpenSessionOptions = {}): PaymentSession {
    return new LocalPaymentSession(this.sender.session(info), this.balances, this.signer, this.now, options);
  }
}

class LocalPaymentSession implements PaymentSession {
  private lastLivePaymentMs: number | undefined;
  private manifestId: string;
  private readonly capabilities: Capabilities | undefined;

  constructor(
    private readonly pm: OrchestratorPaymentSession,
    private readonly balances: Balances,
    private readonly signer: Signer,
    private readonly now: () => number,
    options: OpenSessionOptions,
  ) {
    this.manifestId = options.manifestId ?? randomBytes(8).toString('hex');
    this.capabilities = options.capabilities;
  }

  get info(): OrchestratorInfo {
    return this.pm.info;
  }

  update(info: OrchestratorInfo): void {
    this.pm.update(info);
  }

  setManifestId(id: string): void {
    this.manifestId = id;
  }

  check(): PaymentValidationError | null {
    return this.pm.check(1);
  }

  private key(): string {
    const info = this.pm.info;
    const recipient = info.ticketParams?.recipient;
    const r = recipient && recipient.length === 20 ? toChecksumAddress(recipient) : '0x';
    return balanceKey(r, info.authToken?.sessionId ?? '');
  }

  private fee(request: PaymentRequest, now: number): Rational | undefined {
    switch (request.kind) {
      case 'fee':
        return request.fee;
      case 'units': {
        const price = pricePerPixel(this.pm.info.priceInfo);
        return price ? price.mul(request.units) : undefined;
      }
      case 'live': {
        // Like the remote signer: time since the last payment, at the session's initial price.
        const initial = this.pm.initialPrice;
        if (!initial) return undefined;
        return unitsFee(liveUnits(request.type, this.lastLivePaymentMs, now), initial);
      }
    }
  }

  async pay(request: PaymentRequest): Promise<PreparedPayment> {
    const now = this.now();
    const fee = this.fee(request, now);
    const update = this.balances.stageUpdate(this.key(), fee, this.pm.ev);
    const live = request.kind === 'live';
    if (live && update.numTickets === 0) {
      this.balances.completeUpdate(update, { status: 'notSent' });
      return skipped(fee);
    }
    let signed;
    let segCredsHeader = '';
    try {
      signed = await this.pm.createPayment(update.numTickets);
      if (live) {
        const info = this.pm.info;
        segCredsHeader = (
          await emptySegmentCredentials(this.signer, {
            manifestId: this.manifestId,
            ...(info.authToken ? { authToken: info.authToken } : {}),
            ...(this.capabilities ? { capabilities: this.capabilities } : {}),
          })
        ).header;
      }
    } catch (err) {
      this.balances.completeUpdate(update, { status: 'notSent' });
      throw err;
    }
    if (live) this.lastLivePaymentMs = now;
    return {
      skipped: false,
      paymentHeader: signed.header,
      segCredsHeader,
      numTickets: update.numTickets,
      batch: signed.batch,
      fee,
      settle: settleOnce(this.balances, update),
    };
  }
}

function skipped(fee: Rational | undefined): PreparedPayment {
  return { skipped: true, paymentHeader: '', segCredsHeader: '', numTickets: 0, batch: undefined, fee, settle: () => {} };
}

function settleOnce(balances: Balances, update: BalanceUpdate): (outcome: BalanceOutcome) => void {
  return (outcome) => {
    if (!update.completed) balances.completeUpdate(update, outcome);
  };
}
