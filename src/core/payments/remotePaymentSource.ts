// PaymentSource over a remote signer: the signer holds the key, bills live sessions itself and returns the
// Livepeer-Payment and Livepeer-Segment headers; this side only keeps the opaque state per orchestrator session.
import type { Address } from '../../lib/protocol/address.js';
import type { OrchestratorInfo } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { decodePaymentHeader } from '../../lib/protocol/headers.js';
import type { OpenSessionOptions, PaymentRequest, PaymentSession, PaymentSource, PreparedPayment } from './paymentSource.js';
import { summarizePayment } from './paymentSource.js';
import { type RemoteSignerClient, RemoteSignerError, RemotePaymentSession } from './remoteSigner.js';
import type { PaymentValidationError } from '../../lib/payments/senderValidation.js';

/** Pays through a go-livepeer-compatible remote signer. */
export class RemotePaymentSource implements PaymentSource {
  readonly kind = 'remote' as const;

  constructor(readonly client: RemoteSignerClient) {}

  async identity(): Promise<{ address: Address; sig: Uint8Array }> {
    const { address, signature } = await this.client.signOrchestratorInfo();
    return { address, sig: signature };
  }

  openSession(info: OrchestratorInfo, options: OpenSessionOptions = {}): PaymentSession {
    return new RemoteSourceSession(this.client, info, options);
  }
}

class RemoteSourceSession implements PaymentSession {
  private readonly sessions = new Map<string, RemotePaymentSession>();
  private latest: OrchestratorInfo;

  constructor(
    private readonly client: RemoteSignerClient,
    info: OrchestratorInfo,
    private options: OpenSessionOptions,
  ) {
    this.latest = info;
  }

  get info(): OrchestratorInfo {
    return this.latest;
  }

  update(info: OrchestratorInfo): void {
    this.latest = info;
    for (const s of this.sessions.values()) s.update(info);
  }

  setManifestId(id: string): void {
    this.options = { ...this.options, manifestId: id };
    for (const s of this.sessions.values()) s.setManifestId(id);
  }

  /** The signer validates; nothing to check on this side. */
  check(): PaymentValidationError | null {
    return null;
  }

  /** One signer session (state) per billing type: the signer refuses a state whose type differs. */
  private session(type: string): RemotePaymentSession {
    let s = this.sessions.get(type);
    if (!s) {
      const refresh = this.options.refresh;
      s = new RemotePaymentSession(this.client, {
        info: this.latest,
        type: type as '' | 'lv2v' | 'live' | 'fixed',
        ...(this.options.manifestId ? { manifestId: this.options.manifestId } : {}),
        ...(this.options.capabilities ? { capabilities: this.options.capabilities } : {}),
        refresh: async (url, current) => {
          if (!refresh) throw new RemoteSignerError('refresh', `remote signer asks to refresh ${url}, but no refresh is configured`);
          const next = await refresh(url, current);
          this.update(next);
          return next;
        },
      });
      this.sessions.set(type, s);
    }
    return s;
  }

  async pay(request: PaymentRequest, options: { signal?: AbortSignal } = {}): Promise<PreparedPayment> {
    if (request.kind === 'fee') {
      throw new Error('a remote signer bills units or time, not a precomputed fee: use { kind: "units" }');
    }
    const type = request.kind === 'live' ? request.type : '';
    const s = this.session(type);
    const out = await s.pay({
      ...(request.kind === 'units' ? { inPixels: request.units } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (out.status === 'skipped') {
      return { skipped: true, paymentHeader: '', segCredsHeader: '', numTickets: 0, batch: undefined, fee: undefined, settle: () => {} };
    }
    const batch = summarizePayment(decodePaymentHeader(out.payment));
    return {
      skipped: false,
      paymentHeader: out.payment,
      segCredsHeader: out.segCreds ?? '',
      numTickets: batch?.count ?? 0,
      batch,
      fee: undefined,
      settle: () => {},
    };
  }
}
