// BYOC on the devnet orchestrator (go-livepeer byoc/job_orchestrator.go): GET /process/token (JobToken), POST
// /process/request/{rest} (signed job, capacity, payment credited to (sender, capability), ≥ 60 s of balance, run,
// debit price × ⌈seconds⌉, Livepeer-Balance), and POST /capability/register|unregister with the orchestrator secret.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { type Address, toChecksumAddress } from '../../../lib/protocol/address.js';
import { base64Encode, hexToBytes, utf8 } from '../../../lib/protocol/encoding.js';
import type { TicketParams } from '../../../lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../../lib/protocol/hash.js';
import { Rational } from '../../../lib/protocol/rational.js';
import { verifySig } from '../../../lib/protocol/signer.js';
import { decodePayment, goBase64, header, httpError, readBody } from '../credentials.js';
import type { FaultInjector } from '../faults.js';
import type { OrchestratorNode } from '../orchestratorNode.js';
import { runByocWorker, WorkerError } from './workers.js';
import type { ByocRegistry } from './registry.js';

export interface ByocContext {
  node: OrchestratorNode;
  registry: ByocRegistry;
  faults: FaultInjector;
  serviceUri: string;
  /** The orchestrator secret for /capability/register|unregister. */
  controlToken: string;
  onDie: () => void;
}

const MAX_JOB_BODY = 100 * 1024 * 1024;
/** go-livepeer requires this many seconds of balance before running a job. */
export const MIN_BALANCE_SECONDS = 60n;

/** The signed job request in the `Livepeer` header. */
export interface JobRequest {
  id?: string;
  request: string;
  parameters: string;
  capability: string;
  sender: string;
  sig: string;
  timeout_seconds: number;
}

/** go-livepeer's signature hex handling: strip a "0x" only from strings longer than 130 characters. */
function sigBytes(sig: string): Uint8Array {
  const hex = sig.length > 130 ? sig.slice(2) : sig;
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new Error('bad signature hex');
  return hexToBytes(hex);
}

/** Go's HexToAddress for well-formed input: 40 hex digits, 0x optional, any case; else undefined. */
function addressBytes(text: string): Uint8Array | undefined {
  return /^(0x)?[0-9a-fA-F]{40}$/.test(text) ? hexToBytes(text) : undefined;
}

/** The node's VerifySig: personal-sign of keccak256(msg) by addr; always true off-chain. */
function verifyText(node: OrchestratorNode, addr: string, msg: string, sig: string): boolean {
  if (node.cfg.offchain) return true;
  try {
    const a = addressBytes(addr);
    return a !== undefined && verifySig(a, keccak256(utf8(msg)), sigBytes(sig)).ok;
  } catch {
    return false;
  }
}

/** JSON with bigints as bare numbers (Go encodes int64 as numbers). */
function goJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `__bigint__${x}` : x)).replace(/"__bigint__(-?\d+)"/g, '$1');
}

/** encoding/json of net.TicketParams (snake_case names, bytes as base64, empty fields omitted). */
function ticketParamsJson(tp: TicketParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const bytes = (k: string, b: Uint8Array) => {
    if (b.length > 0) out[k] = base64Encode(b);
  };
  bytes('recipient', tp.recipient);
  bytes('face_value', tp.faceValue);
  bytes('win_prob', tp.winProb);
  bytes('recipient_rand_hash', tp.recipientRandHash);
  bytes('seed', tp.seed);
  bytes('expiration_block', tp.expirationBlock);
  const ep = tp.expirationParams;
  if (ep) {
    const e: Record<string, unknown> = {};
    if (ep.creationRound !== 0n) e.creation_round = ep.creationRound;
    if (ep.creationRoundBlockHash.length > 0) e.creation_round_block_hash = base64Encode(ep.creationRoundBlockHash);
    out.expiration_params = e;
  }
  return out;
}

function priceJson(p: Rational): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  if (p.num !== 0n) out.pricePerUnit = p.num;
  if (p.den !== 0n) out.pixelsPerUnit = p.den;
  return out;
}

/** The capability's price; 0 off-chain (go-livepeer JobPriceInfo). */
function jobPrice(ctx: ByocContext, capability: string): Rational | undefined {
  if (ctx.node.cfg.offchain || !ctx.node.cfg.recipient) return Rational.ZERO;
  return ctx.registry.get(capability)?.price;
}

async function serveToken(ctx: ByocContext, req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
  if (req.method !== 'GET') return httpError(res, 405, 'Method not allowed');
  const ethHdr = header(req, 'livepeer-eth-address');
  if (ethHdr === '') return httpError(res, 400, 'Must have eth address and signature on address in Livepeer-Eth-Address header');
  let jobSender: { addr: string; sig: string };
  try {
    const v = JSON.parse(Buffer.from(goBase64(ethHdr)).toString('utf8')) as { addr?: unknown; sig?: unknown };
    if (typeof v.addr !== 'string' || typeof v.sig !== 'string') throw new Error('addr and sig must be strings');
    jobSender = { addr: v.addr, sig: v.sig };
  } catch {
    return httpError(res, 400, 'Invalid eth address header ');
  }
  if (!verifyText(ctx.node, jobSender.addr, jobSender.addr, jobSender.sig)) return httpError(res, 400, 'Invalid eth address header ');
  const capability = header(req, 'livepeer-capability');
  if (capability === '') return httpError(res, 400, 'Job capabilities not provided, must provide comma separated capabilities in Livepeer-Capability header');
  const price = jobPrice(ctx, capability);
  if (!price) return httpError(res, 400, `Could not get price err=capability ${capability} is not registered`);
  const senderBytes = addressBytes(jobSender.addr) ?? new Uint8Array(20);
  let ticketParams: TicketParams | undefined;
  try {
    if (!ctx.node.cfg.offchain && ctx.node.cfg.recipient) ticketParams = await ctx.node.cfg.recipient.ticketParams(senderBytes, price);
  } catch (err) {
    const msg = (err as Error).message;
    return httpError(res, msg === 'insufficient sender reserve' ? 503 : 400, `Could not get price err=${msg}`);
  }
  const balance = ctx.node.cfg.balances.balance(toChecksumAddress(senderBytes), capability).floor();
  const token: Record<string, unknown> = { sender_address: jobSender };
  if (ticketParams) token.ticket_params = ticketParamsJson(ticketParams);
  if (balance !== 0n) token.balance = balance;
  token.price = priceJson(price);
  token.service_addr = ctx.serviceUri;
  const available = ctx.registry.available(capability);
  if (available !== 0) token.available_capacity = available;
  token.LastNonce = 0;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`${goJson(token)}\n`);
}

function parseJob(value: string): JobRequest {
  const v = JSON.parse(Buffer.from(goBase64(value)).toString('utf8')) as Partial<JobRequest> | null;
  if (!v || typeof v !== 'object') throw new Error('job request must be a JSON object');
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const timeout = typeof v.timeout_seconds === 'number' && Number.isInteger(v.timeout_seconds) ? v.timeout_seconds : 0;
  return { ...(typeof v.id === 'string' ? { id: v.id } : {}), request: str(v.request), parameters: str(v.parameters), capability: str(v.capability), sender: str(v.sender), sig: str(v.sig), timeout_seconds: timeout };
}

async function serveJob(ctx: ByocContext, req: Http2ServerRequest, res: Http2ServerResponse, rest: string): Promise<void> {
  const { node, registry } = ctx;
  const reject = (status: number, text: string): void => {
    node.counters.byocRejected++;
    httpError(res, status, text);
  };
  if (req.method !== 'POST') return reject(405, 'Method not allowed');
  let job: JobRequest;
  try {
    job = parseJob(header(req, 'livepeer'));
  } catch {
    return reject(400, 'Could not verify job creds');
  }
  if (job.timeout_seconds <= 0) return reject(400, 'no timeout_seconds set with request, timeout_seconds is required');
  if (!verifyText(node, job.sender, job.request + job.parameters, job.sig)) return reject(400, 'Could not verify job creds');
  if (!registry.reserve(job.capability)) return reject(503, 'No capacity available for capability');
  let reserved = true;
  const free = (): void => {
    if (reserved) registry.free(job.capability);
    reserved = false;
  };
  try {
    const price = jobPrice(ctx, job.capability) ?? Rational.ZERO;
    const sender: Address = toChecksumAddress(addressBytes(job.sender) ?? new Uint8Array(20));
    if (price.sign() > 0) {
      if (header(req, 'livepeer-payment') !== '') {
        const pay = decodePayment(req);
        // go-livepeer logs payment errors and goes on: the balance check below decides.
        if (!pay.ok) node.cfg.logger.warn(`byoc job payment invalid: ${pay.text}`);
        else {
          const err = await node.processPayment(pay.payment, pay.sender, job.capability);
          if (err !== null) node.cfg.logger.warn(`byoc job payment error: ${err}`);
        }
      }
      if (node.cfg.balances.balance(sender, job.capability).lt(price.mul(MIN_BALANCE_SECONDS))) return reject(400, 'Insufficient balance for request');
    }
    try {
      JSON.parse(job.request);
    } catch (err) {
      return reject(400, `Unable to unmarshal job request details err=${(err as Error).message}`);
    }
    const body = await readBody(req, MAX_JOB_BODY);
    const fault = ctx.faults.nextSegment();
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.error !== undefined) return reject(500, fault.error);

    const cap = registry.get(job.capability);
    if (!cap) return reject(503, 'No capacity available for capability');
    const start = performance.now();
    const charge = (): string => {
      const seconds = BigInt(Math.max(1, Math.ceil((performance.now() - start) / 1000)));
      if (price.sign() > 0) node.cfg.balances.debit(sender, job.capability, price.mul(seconds));
      return node.cfg.balances.balance(sender, job.capability).toDecimalString(0);
    };
    try {
      const out = await runByocWorker(cap, { job, rest, body, contentType: header(req, 'content-type'), headers: req.headers });
      const balance = charge();
      res.writeHead(out.status, { 'content-type': out.contentType, 'livepeer-balance': balance, ...(out.metadata ? { 'x-metadata': out.metadata } : {}) });
      res.end(out.body);
      if (out.status < 400) node.counters.byocRequests++;
      else node.counters.byocRejected++;
    } catch (err) {
      const balance = charge();
      if (err instanceof WorkerError && err.unreachable) registry.unregister(job.capability);
      res.setHeader('livepeer-balance', balance);
      return reject(500, `job not able to be processed${err instanceof WorkerError && err.unreachable ? ', removing capability' : ''} err=${(err as Error).message}`);
    }
  } finally {
    free();
  }
  if (ctx.faults.segmentAnswered()) res.once('finish', () => ctx.onDie());
}

async function serveRegistration(ctx: ByocContext, req: Http2ServerRequest, res: Http2ServerResponse, action: 'register' | 'unregister'): Promise<void> {
  if (req.method !== 'POST') return httpError(res, 405, 'Method not allowed');
  if (header(req, 'authorization') !== ctx.controlToken) return httpError(res, 400, 'invalid authorization');
  const text = Buffer.from(await readBody(req, 64 * 1024)).toString('utf8');
  if (action === 'register') {
    try {
      const cap = ctx.registry.register(text);
      ctx.node.cfg.logger.info(`registered capability ${cap.name} url=${cap.url} capacity=${cap.capacity} price=${cap.price.num}/${cap.price.den}`);
    } catch (err) {
      return httpError(res, 400, `Error registering capability: ${(err as Error).message}`);
    }
  } else if (!ctx.registry.unregister(text.trim())) {
    return httpError(res, 400, `Error removing capability: capability ${text.trim()} not found`);
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('ok');
}

/** Serves BYOC paths; false when `path` is not one. */
export async function routeByoc(ctx: ByocContext, req: Http2ServerRequest, res: Http2ServerResponse, path: string): Promise<boolean> {
  if (path === '/process/token') await serveToken(ctx, req, res);
  else if (path === '/process/request' || path.startsWith('/process/request/')) await serveJob(ctx, req, res, path.slice('/process/request/'.length));
  else if (path === '/capability/register') await serveRegistration(ctx, req, res, 'register');
  else if (path === '/capability/unregister') await serveRegistration(ctx, req, res, 'unregister');
  else return false;
  return true;
}
