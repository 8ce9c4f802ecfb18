// The devnet orchestrator: one TLS port serving gRPC (net.Orchestrator) and HTTP (/segment, /stream, /devnet/*),
// like go-livepeer's StartTranscodeServer, for tests and demos that need a real orchestrator on the wire.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Hex } from 'viem';
import type { Address } from '../../lib/protocol/address.js';
import { resolveFfmpeg } from '../../lib/media/ffmpeg.js';
import { createDevnetLive, type DevnetLive, type DevnetLiveOptions, type DevnetLiveStats, liveCatalog } from './live/liveRoutes.js';
import { servePayment } from './live/livePayment.js';
import { localSigner, privateKeyToAddress } from '../../lib/protocol/signer.js';
import { generateSelfSignedCert } from './cert.js';
import { type ChainConfig, type ChainView, realChain, simulatedChain } from './chainView.js';
import { type Clock, systemClock } from './clock.js';
import { type FaultConfig, type FaultController, FaultInjector, applyFaultPatch } from './faults.js';
import { isGrpcRequest, serveUnary } from './grpcServer.js';
import { type DevnetLogger, OrchestratorNode, silentLogger } from './orchestratorNode.js';
import { Recipient } from './recipient.js';
import { httpError, serveSegment } from './segment.js';
import { AuthTokens, Balances, Sessions } from './sessions.js';
import { AiCatalog } from './ai/catalog.js';
import { type DevnetAiOptions, type DevnetByocOptions, isAiPipeline } from './ai/config.js';
import { type AiContext, serveAi } from './ai/handler.js';
import { ResultStore } from './ai/results.js';
import { ByocRegistry } from './byoc/registry.js';
import { type ByocContext, routeByoc } from './byoc/routes.js';

export type { ChainConfig } from './chainView.js';
export type { Clock } from './clock.js';
export type { DevnetLogger } from './orchestratorNode.js';
export type { FaultConfig, FaultController, FaultState, Latency } from './faults.js';
export type { AiModelConfig, AiPipelineConfig, DevnetAiOptions, DevnetByocOptions, UnitPrice } from './ai/config.js';
export type { DevnetLiveOptions, DevnetLiveStats } from './live/liveRoutes.js';
export type { LiveStreamStats } from './live/liveStreams.js';
export { defaultDevnetAi } from './ai/config.js';

export interface DevnetOrchestratorOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Transcoding price: pricePerUnit wei per pixelsPerUnit pixels. */
  pricePerUnit: bigint;
  pixelsPerUnit: bigint;
  /** Node account key (hex): ticket recipient, Ping and TranscodeData signer, redeemer. Random when omitted. */
  ethKey?: Hex;
  /** go-livepeer off-chain mode: no price, no ticket params, no signature checks, payments ignored. */
  offchain?: boolean;
  /** Concurrent transcoding sessions (go-livepeer -maxSessions); default 10. */
  capacity?: number;
  /** Expected value per ticket (go-livepeer -ticketEV); default 8e9 wei. */
  ticketEV?: bigint;
  /** Face value cap (go-livepeer -maxFaceValue); set it to ticketEV to make every ticket win. 0 = none. */
  maxFaceValue?: bigint;
  /** Gas to redeem one ticket, for the face value (default 1,200,000 as on Arbitrum). */
  redeemGas?: bigint;
  /** Real chain: rounds, blocks, sender funds, activity and redemption; without it a clock-driven simulation. */
  chain?: ChainConfig;
  /** ffmpeg binary (default: resolveFfmpeg()). */
  ffmpeg?: string;
  /** Copy the input to every rendition instead of transcoding (benchmarks). */
  passthrough?: boolean;
  faults?: FaultConfig;
  /** Bearer token for /devnet/*; random when omitted (see the result). */
  controlToken?: string;
  logger?: DevnetLogger;
  /** Time source for auth tokens, simulated L1 blocks and idle timeouts. */
  clock?: Clock;
  /** Auth token lifetime (default 30 min). */
  authTokenTtlMs?: number;
  /** Idle time after which a session slot and its renditions are dropped (default 70 s). */
  sessionIdleMs?: number;
  /** Chain head polling interval (default 1 s). */
  chainPollMs?: number;
  /** What dieAfter does; default: close the server abruptly. The process entry passes process.exit. */
  onDie?: () => void;
  /** AI pipelines served by devnet runners (POST /<pipeline>); see defaultDevnetAi(). */
  ai?: DevnetAiOptions;
  /**
   * Live video-to-video (capability 35: noop, devnet/negate, devnet/hue) with a trickle server at /ai/trickle/,
   * paid starts, balance debits per input segment and POST /payment top-ups.
   */
  live?: DevnetLiveOptions;
  /** BYOC capabilities served by built-in devnet handlers; more can be registered at run time. */
  byoc?: DevnetByocOptions[];
}

/** Counters and balances, JSON-ready. */
export interface DevnetOrchestratorStats {
  /** Transcoding sessions holding a slot. */
  sessions: number;
  capacity: number;
  getOrchestrator: number;
  /** Segments answered 200. */
  segments: number;
  /** Segments answered with a 4xx/5xx. */
  segmentsRejected: number;
  /** Tickets credited. */
  ticketsReceived: number;
  winningTickets: number;
  redeemed: number;
  redeemFailed: number;
  redeemPending: number;
  lastRedeemError?: string;
  /** "<sender>/<auth session id>" → balance in wei, 3 decimals. */
  balanceBySession: Record<string, string>;
  pricePerUnit: string;
  pixelsPerUnit: string;
  /** AI requests answered 200 / rejected. */
  aiRequests: number;
  aiRejected: number;
  /** "<pipeline>/<model>" → requests in progress. */
  aiInUse: Record<string, number>;
  /** BYOC jobs answered 200 / rejected. */
  byocRequests: number;
  byocRejected: number;
  /** POST /payment answered 200 / rejected. */
  payments: number;
  paymentsRejected: number;
  /** Live streams and their accounting (with the live option). */
  live?: DevnetLiveStats;
}

export interface DevnetOrchestrator {
  /** https://<host>:<port> — the transcoder URI it advertises. */
  serviceUri: string;
  /** Node account (ticket recipient); the zero address off-chain. */
  address: Address;
  host: string;
  port: number;
  /** The self-signed certificate of this run (PEM), for clients that verify. */
  certPem: string;
  /** Bearer token for /devnet/faults and /devnet/stats. */
  controlToken: string;
  faults: FaultController;
  stats(): DevnetOrchestratorStats;
  /** Resolves once all queued ticket redemptions have finished. */
  redemptionsSettled(): Promise<void>;
  close(): Promise<void>;
}

const MAX_CONTROL_BODY = 64 * 1024;
const BALANCE_IDLE_MS = 10 * 60 * 1000;

function formatHost(host: string): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return h.includes(':') ? `[${h}]` : h;
}

function authorized(req: Http2ServerRequest, token: string): boolean {
  const got = Buffer.from(String(req.headers.authorization ?? ''));
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

function sendJson(res: Http2ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: Http2ServerRequest): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_CONTROL_BODY) throw new Error('body too large');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : JSON.parse(text);
}

/** Starts a devnet orchestrator and resolves once it listens. */
export async function startDevnetOrchestrator(opts: DevnetOrchestratorOptions): Promise<DevnetOrchestrator> {
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const offchain = opts.offchain === true;
  if (opts.pixelsPerUnit <= 0n) throw new RangeError('pixelsPerUnit must be positive');
  if (opts.pricePerUnit < 0n) throw new RangeError('pricePerUnit must not be negative');
  const capacity = opts.capacity ?? 10;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');

  const ethKey = opts.ethKey ?? (`0x${randomBytes(32).toString('hex')}` as Hex);
  const signer = offchain ? undefined : localSigner(ethKey);
  let chain: ChainView = simulatedChain(clock);
  if (opts.chain && !offchain) {
    chain = await realChain(opts.chain, ethKey, { ...(opts.chainPollMs !== undefined ? { pollMs: opts.chainPollMs } : {}), log: (m) => logger.info(m) });
  }
  const recipient = signer
    ? new Recipient(
        {
          address: privateKeyToAddress(ethKey),
          ticketEV: opts.ticketEV ?? 8_000_000_000n,
          redeemGas: opts.redeemGas ?? 1_200_000n,
          maxFaceValue: opts.maxFaceValue ?? 0n,
          paramsExpirationBlocks: 40n,
        },
        chain,
      )
    : undefined;

  const sessions = new Sessions(clock, capacity);
  const balances = new Balances(clock);
  const ai = opts.ai ? new AiCatalog(opts.ai) : undefined;
  const byoc = new ByocRegistry(opts.byoc ?? []);
  const results = new ResultStore(clock);
  // Faults and node refer to each other: the node exists once the port (and so the service URI) is known.
  const ref: { node?: OrchestratorNode } = {};
  const faults = new FaultInjector(opts.faults ?? {}, {
    setPrice: (ppu, px) => ref.node?.setBasePrice(ppu, px),
    price: () => ({ pricePerUnit: ref.node?.basePrice().num ?? opts.pricePerUnit, pixelsPerUnit: ref.node?.basePrice().den ?? opts.pixelsPerUnit }),
  });
  const controlToken = opts.controlToken ?? randomBytes(24).toString('base64url');
  const cert = generateSelfSignedCert(host === '0.0.0.0' || host === '::' ? ['127.0.0.1', 'localhost'] : [host, 'localhost']);

  const server = createSecureServer({
    key: cert.keyPem,
    cert: cert.certPem,
    allowHTTP1: true,
    // Like a Go server: room for many segments in flight (Node's 10 MB / 64 KB defaults refuse them under load).
    maxSessionMemory: 512,
    // Go's net/http accepts up to 1 MB of headers; oversized-but-legal headers must reach the handler.
    settings: { maxHeaderListSize: 1024 * 1024, initialWindowSize: 1 << 20 },
  });
  server.setTimeout(10 * 60 * 1000);
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('session', (s) => {
    s.on('error', () => {});
    try {
      s.setLocalWindowSize(16 << 20);
    } catch {
      // window tuning is an optimisation only
    }
  });
  server.on('stream', (s) => s.on('error', () => {}));

  let ffmpegPath: Promise<string> | undefined;
  const ffmpeg = () => (ffmpegPath ??= opts.ffmpeg ? Promise.resolve(opts.ffmpeg) : resolveFfmpeg().then((r) => r.path));

  let dead = false;
  let closing: Promise<void> | undefined;
  // Idle expiry runs on a timer and before each request, so an injected clock takes effect at once.
  const sweep = (): void => {
    for (const id of sessions.sweep(opts.sessionIdleMs ?? 70_000)) logger.info(`session ${id} idle: ended`);
    balances.sweep(BALANCE_IDLE_MS);
    recipient?.sweep();
    results.sweep();
  };
  const timer = setInterval(sweep, 5000).unref();

  const shutdown = async (abrupt: boolean): Promise<void> => {
    clearInterval(timer);
    await live?.close();
    const closed = new Promise<void>((r) => server.close(() => r()));
    if (abrupt) for (const s of sockets) s.destroy();
    else for (const s of sockets) s.end();
    // Idle HTTP/2 sessions would keep close() waiting: give them a moment, then cut them.
    const force = setTimeout(() => sockets.forEach((s) => s.destroy()), abrupt ? 0 : 500).unref();
    await closed;
    clearTimeout(force);
    await chain.close();
  };
  const die = (): void => {
    if (dead) return;
    dead = true;
    if (opts.onDie) opts.onDie();
    else closing ??= shutdown(true);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const serviceUri = `https://${formatHost(host)}:${port}`;
  // The catalog advertises the streams in use; they live in `live`, created once the node exists.
  const liveRef: { live?: DevnetLive } = {};
  const catalog = opts.live ? liveCatalog(opts.live, (p) => liveRef.live?.inUse(p) ?? 0) : undefined;
  const tokens = new AuthTokens(clock, opts.authTokenTtlMs ?? 30 * 60 * 1000);
  const n = new OrchestratorNode(
    { serviceUri, offchain, signer, chain, recipient, clock, tokens, sessions, balances, faults, logger, ...(ai ? { ai } : {}), byoc, ...(catalog ? { live: catalog } : {}) },
    { pricePerUnit: opts.pricePerUnit, pixelsPerUnit: opts.pixelsPerUnit },
  );
  ref.node = n;
  const live = opts.live && catalog ? createDevnetLive(opts.live, { serviceUri, node: n, catalog, faults, clock, ffmpeg, onDie: die, log: (m) => logger.info(m) }) : undefined;
  liveRef.live = live;
  const methods = {
    GetOrchestrator: (b: Uint8Array) => n.getOrchestrator(b),
    EndTranscodingSession: (b: Uint8Array) => n.endTranscodingSession(b),
    Ping: (b: Uint8Array) => n.ping(b),
  };
  const segmentCtx = { node: n, sessions, faults, serviceUri, passthrough: opts.passthrough === true, ffmpeg, onDie: die };
  const aiCtx: AiContext | undefined = ai ? { node: n, catalog: ai, results, faults, serviceUri, ffmpeg, onDie: die } : undefined;
  const byocCtx: ByocContext = { node: n, registry: byoc, faults, serviceUri, controlToken, onDie: die };

  const stats = (): DevnetOrchestratorStats => {
    const r = chain.redemptionStats();
    return {
      sessions: sessions.count,
      capacity: sessions.capacity,
      getOrchestrator: n.counters.getOrchestrator,
      segments: n.counters.segments,
      segmentsRejected: n.counters.segmentsRejected,
      ticketsReceived: n.counters.ticketsReceived,
      winningTickets: n.counters.winningTickets,
      redeemed: r.redeemed,
      redeemFailed: r.redeemFailed,
      redeemPending: r.pending,
      ...(r.lastError !== undefined ? { lastRedeemError: r.lastError } : {}),
      balanceBySession: balances.snapshot(),
      pricePerUnit: n.basePrice().num.toString(),
      pixelsPerUnit: n.basePrice().den.toString(),
      aiRequests: n.counters.aiRequests,
      aiRejected: n.counters.aiRejected,
      aiInUse: Object.fromEntries((ai?.entries() ?? []).map((m) => [`${m.pipeline}/${m.modelId}`, m.inUse])),
      byocRequests: n.counters.byocRequests,
      byocRejected: n.counters.byocRejected,
      payments: n.counters.payments,
      paymentsRejected: n.counters.paymentsRejected,
      ...(live ? { live: live.stats() } : {}),
    };
  };

  const route = async (req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> => {
    sweep();
    if (isGrpcRequest(req)) return serveUnary(req, res, 'net.Orchestrator', methods);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/segment') return serveSegment(segmentCtx, req, res);
    if (path === '/payment') return servePayment(n, req, res);
    if (live && (await live.route(req, res, path))) return;
    const pipeline = path.slice(1);
    if (aiCtx && isAiPipeline(pipeline)) return serveAi(aiCtx, req, res, pipeline);
    if (await routeByoc(byocCtx, req, res, path)) return;
    if (path.startsWith('/stream/') && (req.method === 'GET' || req.method === 'HEAD')) {
      const r = /^\/stream\/([^/]+)\/([^/]+)$/.exec(path);
      const result = r ? results.get(r[1] as string, decodeURIComponent(r[2] as string)) : undefined;
      if (result) {
        res.writeHead(200, { 'content-type': result.contentType, 'content-length': result.data.length });
        if (req.method === 'HEAD') res.end();
        else res.end(result.data);
        return;
      }
      const m = /^\/stream\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
      const data = m ? sessions.get(m[1] as string, `${decodeURIComponent(m[2] as string)}/${m[3]}`) : undefined;
      if (!data) return httpError(res, 404, '404 page not found');
      res.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': data.length });
      if (req.method === 'HEAD') res.end();
      else res.end(data);
      return;
    }
    if (path === '/devnet/faults' || path === '/devnet/stats') {
      if (!authorized(req, controlToken)) return httpError(res, 401, 'Unauthorized');
      if (path === '/devnet/stats') return req.method === 'GET' ? sendJson(res, 200, stats()) : httpError(res, 405, 'Method Not Allowed');
      if (req.method === 'GET') return sendJson(res, 200, faults.state());
      if (req.method !== 'POST') return httpError(res, 405, 'Method Not Allowed');
      try {
        applyFaultPatch(faults, await readJson(req));
      } catch (err) {
        return httpError(res, 400, (err as Error).message);
      }
      logger.info(`faults updated: ${JSON.stringify(faults.state())}`);
      return sendJson(res, 200, faults.state());
    }
    return httpError(res, 404, '404 page not found');
  };

  server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    route(req, res).catch((err: unknown) => {
      logger.error(`request ${req.method} ${req.url} failed: ${(err as Error).message}`);
      if (!res.headersSent) httpError(res, 500, 'Internal Server Error');
      else res.stream?.destroy();
    });
  });
  logger.info(`devnet orchestrator listening on ${serviceUri} (${offchain ? 'off-chain' : chain.kind === 'chain' ? 'on-chain' : 'simulated chain'}, address ${n.address})`);

  return {
    serviceUri,
    address: n.address,
    host,
    port,
    certPem: cert.certPem,
    controlToken,
    faults,
    stats,
    redemptionsSettled: async () => {
      while (chain.redemptionStats().pending > 0) await new Promise((r) => setTimeout(r, 20));
    },
    close: () => (closing ??= shutdown(false)),
  };
}
