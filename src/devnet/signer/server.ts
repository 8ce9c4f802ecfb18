// A devnet remote signer speaking go-livepeer's protocol (ai-live-signer.md §9) over plain HTTP on 127.0.0.1:
// /sign-orchestrator-info, /generate-live-payment (real key, TicketSender, signed state) and, when given a list,
// /discover-orchestrators. Test hooks force 480/481/482 answers and count concurrent calls per state.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '../../lib/protocol/address.js';
import { bytesToHex0x } from '../../lib/protocol/encoding.js';
import { orchestratorRequestSig } from '../../lib/protocol/orchestratorRequest.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { Signer } from '../../lib/protocol/signer.js';
import type { SenderStateSource } from '../../lib/payments/senderMonitor.js';
import type { SenderValidationSettings } from '../../lib/payments/senderValidation.js';
import { TicketSender } from '../../lib/payments/ticketSender.js';
import {
  DISCOVER_ORCHESTRATORS_PATH,
  type DiscoveredOrchestrator,
  GENERATE_LIVE_PAYMENT_PATH,
  SIGN_ORCHESTRATOR_INFO_PATH,
  errorBody,
} from '../../lib/payments/remoteSignerWire.js';
import { type SignerReply, generateLivePayment } from './livePayment.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface SignerServerOptions {
  /** The paying key (fastLocalSigner recommended). Never logged. */
  signer: Signer;
  /** Sender funds and L1 block (SenderMonitor on a chain, or fixedSenderState). */
  chain: SenderStateSource;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  settings?: Partial<SenderValidationSettings>;
  /** Ceiling on O's price per unit in wei (481 above it). */
  maxPricePerUnit?: Rational;
  /** Enables GET /discover-orchestrators with this list (empty → 503 "cache empty"). */
  orchestrators?: DiscoveredOrchestrator[];
  now?: () => number;
  /** Test hook: return a status (e.g. 480/481/482) to answer a payment request with instead of paying. */
  respondWith?: (request: unknown) => { status: number; message?: string } | undefined;
}

/** Counters for tests and logs. */
export interface SignerStats {
  requests: number;
  byStatus: Record<number, number>;
  /** Highest number of /generate-live-payment calls seen in flight at once for one state id. */
  maxConcurrentPerState: number;
}

export interface SignerServer {
  url: string;
  port: number;
  address: Address;
  sender: TicketSender;
  /** Answer the next `times` payment calls with `status` (no Livepeer-Orchestrator-URL header: clients fall back). */
  failNext(status: number, times?: number, message?: string): void;
  /** Delay every payment call by `ms` (to make concurrency observable). */
  setDelay(ms: number): void;
  stats(): SignerStats;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: SignerReply): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(reply.headers ?? {}) };
  res.writeHead(reply.status, headers);
  res.end(reply.error !== undefined ? errorBody(reply.error) : JSON.stringify(reply.body));
}

/** Starts the signer; resolves once it listens. */
export async function startSignerServer(options: SignerServerOptions): Promise<SignerServer> {
  const sender = new TicketSender({ signer: options.signer, chain: options.chain, ...(options.settings ? { settings: options.settings } : {}) });
  const now = options.now ?? Date.now;
  const infoSig = bytesToHex0x(await orchestratorRequestSig(options.signer));
  const forced: { status: number; message: string }[] = [];
  let delayMs = 0;
  const stats: SignerStats = { requests: 0, byStatus: {}, maxConcurrentPerState: 0 };
  const inFlight = new Map<string, number>();

  const track = (stateId: string | undefined, delta: number) => {
    if (!stateId) return;
    const n = (inFlight.get(stateId) ?? 0) + delta;
    if (n <= 0) inFlight.delete(stateId);
    else inFlight.set(stateId, n);
    stats.maxConcurrentPerState = Math.max(stats.maxConcurrentPerState, n);
  };

  const payment = async (raw: string): Promise<SignerReply> => {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, error: 'request body is not JSON' };
    }
    const force = forced.shift() ?? options.respondWith?.(body);
    if (force) return { status: force.status, error: force.message ?? `forced ${force.status}` };
    return generateLivePayment(
      { sender, signer: options.signer, now, ...(options.maxPricePerUnit ? { maxPricePerUnit: options.maxPricePerUnit } : {}) },
      body,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://signer');
    let reply: SignerReply;
    if (req.method === 'POST' && url.pathname === SIGN_ORCHESTRATOR_INFO_PATH) {
      await readBody(req);
      reply = { status: 200, body: { address: sender.address, signature: infoSig } };
    } else if (req.method === 'POST' && url.pathname === GENERATE_LIVE_PAYMENT_PATH) {
      const raw = await readBody(req);
      const stateId = stateIdOf(raw);
      track(stateId, +1);
      try {
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        reply = await payment(raw);
      } finally {
        track(stateId, -1);
      }
    } else if (req.method === 'GET' && url.pathname === DISCOVER_ORCHESTRATORS_PATH && options.orchestrators) {
      const caps = url.searchParams.getAll('caps').filter((c) => c !== '');
      const list = options.orchestrators.filter((o) => caps.length === 0 || o.capabilities.some((c) => caps.includes(c)));
      reply = options.orchestrators.length === 0 ? { status: 503, error: 'cache empty' } : { status: 200, body: list };
    } else {
      reply = { status: 404, error: `no route for ${req.method} ${url.pathname}` };
    }
    stats.byStatus[reply.status] = (stats.byStatus[reply.status] ?? 0) + 1;
    send(res, reply);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, error: (err as Error).message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    address: sender.address,
    sender,
    failNext(status, times = 1, message = `forced ${status}`) {
      for (let i = 0; i < times; i++) forced.push({ status, message });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** StateID inside a request's (unverified) state, for concurrency bookkeeping only. */
function stateIdOf(raw: string): string | undefined {
  try {
    const body = JSON.parse(raw) as { state?: { State?: string } };
    const s = body.state?.State;
    if (typeof s !== 'string' || !s) return undefined;
    const parsed = JSON.parse(Buffer.from(s, 'base64').toString('utf8')) as { StateID?: unknown };
    return typeof parsed.StateID === 'string' ? parsed.StateID : undefined;
  } catch {
    return undefined;
  }
}
