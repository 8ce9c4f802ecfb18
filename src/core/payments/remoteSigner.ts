// Client of go-livepeer's remote signer (ai-live-signer.md §9): the orchestrator-info signature (cached for the
// process), live payments with the opaque state round-tripped and one call in flight per session, 480 → refresh
// and retry, 481 too expensive, 482 skip, and signer discovery. Typed errors, per-request timeouts.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Address } from '../../lib/protocol/address.js';
import { base64Decode, base64Encode } from '../../lib/protocol/encoding.js';
import {
  type Capabilities,
  CapabilitiesSchema,
  type OrchestratorInfo,
  OrchestratorInfoSchema,
  SegDataSchema,
} from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { LivePaymentType } from '../../lib/payments/liveBilling.js';
import {
  DISCOVER_ORCHESTRATORS_PATH,
  type DiscoveredOrchestrator,
  GENERATE_LIVE_PAYMENT_PATH,
  ORCHESTRATOR_URL_HEADER,
  type RemotePaymentRequestJson,
  type RemoteSignerState,
  SIGN_ORCHESTRATOR_INFO_PATH,
  STATUS_NO_TICKETS,
  STATUS_PRICE_EXCEEDED,
  STATUS_REFRESH_SESSION,
  WireFormatError,
  errorMessageOf,
  parseDiscoveryResponse,
  parseOrchestratorInfoSig,
  parsePaymentResponse,
} from '../../lib/payments/remoteSignerWire.js';
import { GwError, type RemoteSignerErrorCode } from '../../lib/errors.js';

export type { RemoteSignerErrorCode };

/** A failed signer call; `retryable` says whether the same call may succeed later. */
export class RemoteSignerError extends GwError {
  declare readonly code: RemoteSignerErrorCode;
  readonly status: number | undefined;
  /** For 480: the orchestrator to refresh (Livepeer-Orchestrator-URL). */
  readonly orchestratorUrl: string | undefined;
  readonly retryable: boolean;
  constructor(code: RemoteSignerErrorCode, message: string, extra: { status?: number; orchestratorUrl?: string; cause?: unknown } = {}) {
    super(code, message, { cause: extra.cause });
    this.name = 'RemoteSignerError';
    this.status = extra.status;
    this.orchestratorUrl = extra.orchestratorUrl;
    this.retryable = code === 'server' || code === 'timeout' || code === 'network' || code === 'refresh';
  }
}

export interface RemoteSignerClientOptions {
  /** Signer base URL; https is assumed without a scheme (as go-livepeer's -remoteSignerUrl). */
  url: string;
  /** Sent on every call (e.g. Authorization for an authenticating proxy). */
  headers?: Record<string, string>;
  /** Per-call timeout (default 10 s; the info signature 30 s). */
  timeoutMs?: number;
}

/** What to pay for. */
export interface LivePaymentRequest {
  /** The latest OrchestratorInfo (GetOrchestrator reply or PaymentResult.info) with price and ticket params. */
  orchestrator: OrchestratorInfo;
  /** State from the previous reply; omit on the first call. */
  state?: RemoteSignerState;
  /** O's accounting id; required with `state`. */
  manifestId?: string;
  type?: LivePaymentType;
  /** Units to pay for when `type` is ''. */
  inPixels?: bigint;
  capabilities?: Capabilities;
  app?: string;
}

/** A payment produced by the signer. */
export interface LivePaymentResponse {
  /** Livepeer-Payment header value. */
  payment: string;
  /** Livepeer-Segment header value, if the signer sent one. */
  segCreds: string | undefined;
  /** Keep verbatim for the next call. */
  state: RemoteSignerState;
}

/** Normalizes the signer URL: https:// when no scheme, no trailing slash. */
export function normalizeSignerUrl(url: string): string {
  const trimmed = url.trim();
  if (!trimmed) throw new Error('remote signer URL is empty');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  const u = new URL(withScheme);
  return u.toString().replace(/\/+$/, '');
}

/** HTTP client for one remote signer. */
export class RemoteSignerClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private infoSig: Promise<{ address: Address; signature: Uint8Array }> | undefined;

  constructor(options: RemoteSignerClientOptions) {
    this.baseUrl = normalizeSignerUrl(options.url);
    this.headers = { ...(options.headers ?? {}) };
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: unknown; headers: Headers }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: combined,
      });
    } catch (err) {
      if (timeout.aborted) throw new RemoteSignerError('timeout', `remote signer ${path} timed out after ${timeoutMs} ms`);
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      throw new RemoteSignerError('network', `cannot reach remote signer at ${this.baseUrl}: ${(err as Error).message}`, { cause: err });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (timeout.aborted) throw new RemoteSignerError('timeout', `remote signer ${path} timed out after ${timeoutMs} ms`);
      throw new RemoteSignerError('network', `remote signer ${path}: reading the reply failed`, { cause: err });
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status !== 200) throw statusError(path, res.status, json, text, res.headers);
    if (json === undefined) throw new RemoteSignerError('protocol', `remote signer ${path} answered 200 without JSON`, { status: 200 });
    return { status: res.status, json, headers: res.headers };
  }

  /** POST /sign-orchestrator-info once per process; the result is cached (failures are not). */
  signOrchestratorInfo(): Promise<{ address: Address; signature: Uint8Array }> {
    if (!this.infoSig) {
      this.infoSig = this.call('POST', SIGN_ORCHESTRATOR_INFO_PATH, {}, Math.max(this.timeoutMs, 30_000))
        .then(({ json }) => wire(() => parseOrchestratorInfoSig(json), SIGN_ORCHESTRATOR_INFO_PATH))
        .catch((err: unknown) => {
          this.infoSig = undefined;
          throw err;
        });
    }
    return this.infoSig;
  }

  /** POST /generate-live-payment; non-200 answers throw RemoteSignerError (480/481/482 included). */
  async generateLivePayment(req: LivePaymentRequest, options: { signal?: AbortSignal } = {}): Promise<LivePaymentResponse> {
    const body: RemotePaymentRequestJson = { orchestrator: base64Encode(toBinary(OrchestratorInfoSchema, req.orchestrator)) };
    if (req.state) body.state = req.state;
    if (req.manifestId) body.manifestId = req.manifestId;
    if (req.type !== undefined) body.type = req.type;
    if (req.inPixels !== undefined) {
      if (req.inPixels < 0n || req.inPixels > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`inPixels out of range: ${req.inPixels}`);
      body.inPixels = Number(req.inPixels);
    }
    if (req.capabilities) body.capabilities = base64Encode(toBinary(CapabilitiesSchema, req.capabilities));
    if (req.app) body.app = req.app;
    const { json } = await this.call('POST', GENERATE_LIVE_PAYMENT_PATH, body, this.timeoutMs, options.signal);
    const parsed = wire(() => parsePaymentResponse(json), GENERATE_LIVE_PAYMENT_PATH);
    return { payment: parsed.payment, segCreds: parsed.segCreds, state: parsed.state };
  }

  /** GET /discover-orchestrators[?caps=…] (caps are exact keys, OR semantics). */
  async discoverOrchestrators(caps: readonly string[] = [], options: { signal?: AbortSignal } = {}): Promise<DiscoveredOrchestrator[]> {
    const q = caps.filter((c) => c !== '').map((c) => `caps=${encodeURIComponent(c).replace(/%2F/gi, '/')}`).join('&');
    const path = DISCOVER_ORCHESTRATORS_PATH + (q ? `?${q}` : '');
    const { json } = await this.call('GET', path, undefined, this.timeoutMs, options.signal);
    return wire(() => parseDiscoveryResponse(json), DISCOVER_ORCHESTRATORS_PATH);
  }
}

function wire<T>(parse: () => T, path: string): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof WireFormatError) throw new RemoteSignerError('protocol', `remote signer ${path}: ${err.message}`, { status: 200 });
    throw err;
  }
}

function statusError(path: string, status: number, json: unknown, text: string, headers: Headers): RemoteSignerError {
  const detail = errorMessageOf(json) ?? text.trim().slice(0, 200);
  const msg = `remote signer ${path} answered ${status}${detail ? `: ${detail}` : ''}`;
  if (status === STATUS_REFRESH_SESSION) {
    const url = headers.get(ORCHESTRATOR_URL_HEADER) ?? undefined;
    return new RemoteSignerError('refresh', msg, { status, ...(url ? { orchestratorUrl: url } : {}) });
  }
  if (status === STATUS_PRICE_EXCEEDED) return new RemoteSignerError('price_exceeded', msg, { status });
  if (status === STATUS_NO_TICKETS) return new RemoteSignerError('no_tickets', msg, { status });
  if (status === 400) return new RemoteSignerError('signer_bad_request', msg, { status });
  if (status >= 500) return new RemoteSignerError('server', msg, { status });
  return new RemoteSignerError('status', msg, { status });
}

/** The manifest id a signer put into the segment credentials (it invents one on a first call without one). */
export function manifestIdOfSegCreds(segCreds: string | undefined): string | undefined {
  if (!segCreds) return undefined;
  try {
    const seg = fromBinary(SegDataSchema, base64Decode(segCreds));
    return seg.manifestId.length > 0 ? new TextDecoder().decode(seg.manifestId) : undefined;
  } catch {
    return undefined;
  }
}

/** Default consecutive 480 → refresh → retry rounds (go-livepeer: 3). */
export const MAX_CONSECUTIVE_REFRESHES = 3;

export interface RemotePaymentSessionOptions {
  /** The session's OrchestratorInfo (replace it with update()). */
  info: OrchestratorInfo;
  type: LivePaymentType;
  /** O's manifest id; when omitted, learned from the first reply's segment credentials. */
  manifestId?: string;
  capabilities?: Capabilities;
  app?: string;
  /** Called on 480: re-run GetOrchestrator (same caps) for that orchestrator and return the new info. */
  refresh: (orchestratorUrl: string, current: OrchestratorInfo) => Promise<OrchestratorInfo>;
  maxRefreshes?: number;
}

/** Outcome of one signer payment round. */
export type RemotePaymentOutcome =
  | { status: 'paid'; payment: string; segCreds: string | undefined; refreshes: number }
  | { status: 'skipped'; refreshes: number };

/** One orchestrator session paid through the signer: serialized calls, latest state, 480 handling. */
export class RemotePaymentSession {
  private latest: OrchestratorInfo;
  private signerState: RemoteSignerState | undefined;
  private manifest: string | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly maxRefreshes: number;

  constructor(
    private readonly client: RemoteSignerClient,
    private readonly options: RemotePaymentSessionOptions,
  ) {
    this.latest = options.info;
    this.manifest = options.manifestId;
    this.maxRefreshes = options.maxRefreshes ?? MAX_CONSECUTIVE_REFRESHES;
  }

  get info(): OrchestratorInfo {
    return this.latest;
  }

  get manifestId(): string | undefined {
    return this.manifest;
  }

  /** The latest signer state (undefined before the first payment). */
  get state(): RemoteSignerState | undefined {
    return this.signerState;
  }

  /** Replaces the OrchestratorInfo (PaymentResult.info or a refresh). */
  update(info: OrchestratorInfo): void {
    this.latest = info;
  }

  /** Names O's manifest (live: the start reply's manifest_id) for every later call: a wrong one credits another balance. */
  setManifestId(id: string): void {
    this.manifest = id;
  }

  /** Requests a payment; calls on one session run one at a time, each with the state the previous one left. */
  pay(options: { inPixels?: bigint; signal?: AbortSignal } = {}): Promise<RemotePaymentOutcome> {
    const run = this.tail.then(() => this.payNow(options));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async payNow(options: { inPixels?: bigint; signal?: AbortSignal }): Promise<RemotePaymentOutcome> {
    for (let refreshes = 0; ; refreshes++) {
      try {
        const res = await this.client.generateLivePayment(
          {
            orchestrator: this.latest,
            type: this.options.type,
            ...(this.signerState ? { state: this.signerState } : {}),
            ...(this.manifest ? { manifestId: this.manifest } : {}),
            ...(options.inPixels !== undefined ? { inPixels: options.inPixels } : {}),
            ...(this.options.capabilities ? { capabilities: this.options.capabilities } : {}),
            ...(this.options.app ? { app: this.options.app } : {}),
          },
          options.signal ? { signal: options.signal } : {},
        );
        this.signerState = res.state;
        this.manifest ??= manifestIdOfSegCreds(res.segCreds);
        return { status: 'paid', payment: res.payment, segCreds: res.segCreds, refreshes };
      } catch (err) {
        if (err instanceof RemoteSignerError && err.code === 'no_tickets') return { status: 'skipped', refreshes };
        if (!(err instanceof RemoteSignerError) || err.code !== 'refresh' || refreshes >= this.maxRefreshes) throw err;
        this.latest = await this.options.refresh(err.orchestratorUrl ?? this.latest.transcoder, this.latest);
      }
    }
  }
}
