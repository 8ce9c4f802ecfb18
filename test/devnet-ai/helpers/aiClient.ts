// Test-only AI/BYOC client for the devnet orchestrator over real TLS + HTTP/2, built from the protocol modules: AI
// discovery with job caps, the empty-segment SegData ("<capId>_<modelId>") and a paid Livepeer-Payment.
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { create } from '@bufbuild/protobuf';
import {
  aiJobCapabilities,
  base64Encode,
  buildOrchestratorRequest,
  buildPayment,
  buildSegData,
  bytesToHex,
  encodePaymentHeader,
  encodeSegDataHeader,
  keccak256,
  localSigner,
  type LocalSigner,
  type OrchestratorInfo,
  OrchestratorInfoSchema,
  orchestratorRequestSig,
  pipelineToCapability,
  type Payment,
  Rational,
  type SegData,
  signMessage,
  signSegData,
  ticketParamsEV,
  utf8,
} from '../../../src/lib/protocol/index.js';
import { OrchClient } from '../../devnet/helpers/orchClient.js';

/** Hardhat #0 (public dev key, never real funds). */
export const GATEWAY_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
/** Hardhat #2, for "signed by someone else". */
export const OTHER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
export const ORCH_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** A timed view of a streamed response: each DATA chunk with its arrival time (ms since the request started). */
export interface StreamReply extends Reply {
  chunks: Array<{ at: number; data: string }>;
}

export interface PayOptions {
  /** Tickets to send (default: enough for `units` at the quoted price, at least one). */
  numTickets?: number;
  units?: bigint;
  /** Change the SegData after signing. */
  mutateSeg?: (seg: SegData) => void;
  signer?: LocalSigner;
}

export class AiTestClient {
  readonly signer: LocalSigner;
  readonly http: OrchClient;
  private readonly session: ClientHttp2Session;
  private sig?: Uint8Array;

  constructor(readonly uri: string, key: string = GATEWAY_KEY) {
    this.signer = localSigner(key);
    this.http = new OrchClient(uri);
    this.session = connect(uri, { rejectUnauthorized: false });
    this.session.on('error', () => {});
  }

  close(): void {
    this.http.close();
    this.session.close();
  }

  /** GetOrchestrator with AI job caps for (pipeline, model); without them the request carries no caps. */
  async discover(pipeline?: string, modelId?: string): Promise<OrchestratorInfo> {
    this.sig ??= await orchestratorRequestSig(this.signer);
    const capabilities = pipeline && modelId ? aiJobCapabilities({ capability: pipelineToCapability(pipeline)!, modelId, version: '0.9.1' }) : undefined;
    const r = await this.http.getOrchestrator(buildOrchestratorRequest({ signer: this.signer, sig: this.sig, ...(capabilities ? { capabilities } : {}) }));
    if (r.status !== 0 || !r.info) throw new Error(`GetOrchestrator: ${r.status} ${r.message}`);
    return r.info;
  }

  /** Livepeer-Segment (empty segment, manifest "<capId>_<modelId>") and Livepeer-Payment for one AI request. */
  async aiHeaders(info: OrchestratorInfo, pipeline: string, modelId: string, opts: PayOptions = {}): Promise<{ seg: string; pay: string; tickets: number }> {
    const signer = opts.signer ?? this.signer;
    const cap = pipelineToCapability(pipeline)!;
    const seg = buildSegData({
      manifestId: `${cap}_${modelId}`,
      seq: 0,
      hash: keccak256(new Uint8Array(0)),
      durationMs: 0,
      profiles: [],
      capabilities: aiJobCapabilities({ capability: cap, modelId, version: '0.9.1' }),
      ...(info.authToken ? { authToken: info.authToken } : {}),
    });
    await signSegData(signer, seg);
    opts.mutateSeg?.(seg);
    let tickets = 0;
    let payment: Payment | undefined;
    if (info.ticketParams && info.priceInfo) {
      tickets = opts.numTickets ?? ticketsFor(info, opts.units ?? 0n);
      payment = await buildPayment({ info, signer, numTickets: tickets, firstNonce: 1 });
    }
    return { seg: encodeSegDataHeader(seg), pay: encodePaymentHeader(payment), tickets };
  }

  /** Raw request on the AI connection; onData sees each DATA chunk as it arrives. */
  request(headers: Record<string, string>, body?: Buffer | string, onData?: (data: string, at: number) => void): Promise<StreamReply> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const req = this.session.request(headers);
      let status = 0;
      let resHeaders: IncomingHttpHeaders = {};
      const chunks: Array<{ at: number; data: string }> = [];
      const raw: Buffer[] = [];
      req.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        resHeaders = h;
      });
      req.on('data', (c: Buffer) => {
        raw.push(c);
        const chunk = { at: performance.now() - start, data: c.toString('utf8') };
        chunks.push(chunk);
        onData?.(chunk.data, chunk.at);
      });
      req.on('end', () => {
        const b = Buffer.concat(raw);
        resolve({ status, headers: resHeaders, body: b, text: b.toString('utf8'), chunks });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** POST /<pipeline> with a JSON or multipart body and the AI headers. */
  post(
    pipeline: string,
    body: { json: unknown } | { form: { body: Buffer; contentType: string } },
    h: { seg: string; pay: string },
    aiAuth = true,
    onData?: (data: string, at: number) => void,
  ): Promise<StreamReply> {
    const isJson = 'json' in body;
    return this.request(
      {
        ':method': 'POST',
        ':path': `/${pipeline}`,
        'content-type': isJson ? 'application/json' : body.form.contentType,
        'livepeer-segment': h.seg,
        'livepeer-payment': h.pay,
        ...(aiAuth ? { authorization: 'Livepeer-AI-Worker-1.0' } : {}),
      },
      isJson ? JSON.stringify(body.json) : body.form.body,
      onData,
    );
  }

  /** Discover, pay for `units` and post: the whole gateway round trip for one request. */
  async call(pipeline: string, modelId: string, body: { json: unknown } | { form: { body: Buffer; contentType: string } }, units: bigint, opts: PayOptions & { aiAuth?: boolean } = {}): Promise<StreamReply & { info: OrchestratorInfo; tickets: number }> {
    const info = await this.discover(pipeline, modelId);
    const h = await this.aiHeaders(info, pipeline, modelId, { ...opts, units });
    const r = await this.post(pipeline, body, h, opts.aiAuth ?? true);
    return { ...r, info, tickets: h.tickets };
  }

  /** GET a path or absolute URL on the orchestrator. */
  get(url: string, headers: Record<string, string> = {}): Promise<StreamReply> {
    const path = url.startsWith('http') ? new URL(url).pathname : url;
    return this.request({ ':method': 'GET', ':path': path, ...headers });
  }

  /** Livepeer-Eth-Address value: base64 JSON {addr, sig} with sig over the address string. */
  async ethAddressHeader(signer: LocalSigner = this.signer, addr = signer.address.toLowerCase()): Promise<string> {
    const sig = await signMessage(signer, utf8(addr));
    return base64Encode(utf8(JSON.stringify({ addr, sig: `0x${bytesToHex(sig)}` })));
  }

  /** The signed `Livepeer` job header for a BYOC request. */
  async jobHeader(job: { request: string; parameters?: string; capability: string; timeout_seconds?: number }, signer: LocalSigner = this.signer): Promise<string> {
    const parameters = job.parameters ?? '{}';
    const sig = await signMessage(signer, utf8(job.request + parameters));
    const full = { id: 'job-1', request: job.request, parameters, capability: job.capability, sender: this.signer.address, sig: `0x${bytesToHex(sig)}`, timeout_seconds: job.timeout_seconds ?? 30 };
    return base64Encode(utf8(JSON.stringify(full)));
  }
}

/** Tickets for `units` at the quoted price with an empty balance: ⌈max(fee, ev) / ev⌉. */
export function ticketsFor(info: OrchestratorInfo, units: bigint): number {
  const ev = ticketParamsEV(info.ticketParams!);
  const p = info.priceInfo!;
  const fee = Rational.of(units * p.pricePerUnit, p.pixelsPerUnit);
  const need = fee.lt(ev) ? ev : fee;
  return Number(need.div(ev).ceil());
}

/** An OrchestratorInfo carrying a BYOC JobToken's ticket params and price, for buildPayment. */
export function infoFromJobToken(token: JobTokenJson): OrchestratorInfo {
  const b = (s?: string) => (s ? new Uint8Array(Buffer.from(s, 'base64')) : new Uint8Array(0));
  const tp = token.ticket_params!;
  return create(OrchestratorInfoSchema, {
    ticketParams: {
      recipient: b(tp.recipient),
      faceValue: b(tp.face_value),
      winProb: b(tp.win_prob),
      recipientRandHash: b(tp.recipient_rand_hash),
      seed: b(tp.seed),
      expirationBlock: b(tp.expiration_block),
      expirationParams: { creationRound: BigInt(tp.expiration_params?.creation_round ?? 0), creationRoundBlockHash: b(tp.expiration_params?.creation_round_block_hash) },
    },
    priceInfo: { pricePerUnit: BigInt(token.price?.pricePerUnit ?? 0), pixelsPerUnit: BigInt(token.price?.pixelsPerUnit ?? 1) },
  });
}

/** go-livepeer JobToken as JSON. */
export interface JobTokenJson {
  sender_address?: { addr: string; sig: string };
  ticket_params?: {
    recipient?: string;
    face_value?: string;
    win_prob?: string;
    recipient_rand_hash?: string;
    seed?: string;
    expiration_block?: string;
    expiration_params?: { creation_round?: number; creation_round_block_hash?: string };
  };
  balance?: number;
  price?: { pricePerUnit?: number; pixelsPerUnit?: number };
  service_addr?: string;
  available_capacity?: number;
  LastNonce: number;
}
