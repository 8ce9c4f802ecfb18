// AI gateway under test: createAiGateway over real devnet orchestrators (in process, real TLS), a real RuntimeConfig
// in a temp data dir, and a plain node:http server on 127.0.0.1 that mounts the gateway routes.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { resolveSettings } from '../../src/lib/settings/resolveSettings.js';
import type { SettingValue } from '../../src/lib/settings/settings.js';
import { type AiGateway, createAiGateway } from '../../src/core/ai/aiGateway.js';
import { byocJobSigner, byocRoute } from '../../src/core/byoc/byocGateway.js';
import { ByocBalances } from '../../src/core/byoc/byocPayment.js';
import { Blocklist } from '../../src/core/discovery/blocklist.js';
import { StaticPool } from '../../src/core/discovery/pools.js';
import { OrchestratorRegistry } from '../../src/core/discovery/registry.js';
import { EventBus } from '../../src/core/eventBus.js';
import { LocalPaymentSource } from '../../src/core/payments/localPaymentSource.js';
import type { PaymentSource } from '../../src/core/payments/paymentSource.js';
import { RemotePaymentSource } from '../../src/core/payments/remotePaymentSource.js';
import { RemoteSignerClient } from '../../src/core/payments/remoteSigner.js';
import { fixedSenderState } from '../../src/lib/payments/senderMonitor.js';
import { TicketSender } from '../../src/lib/payments/ticketSender.js';
import { localSigner } from '../../src/lib/protocol/signer.js';
import { RequestGate } from '../../src/core/drain.js';
import { RuntimeConfig } from '../../src/core/runtimeConfig.js';
import { fundedChain, GATEWAY_KEY } from '../payments/helpers.js';

export interface TestAiGateway {
  readonly ai: AiGateway;
  readonly url: string;
  readonly bus: EventBus;
  readonly config: RuntimeConfig;
  readonly metrics: Registry;
  readonly sender?: TicketSender;
  readonly payments?: LocalPaymentSource;
  /** What pays orchestrators: the local key, the remote signer, or null off-chain. */
  readonly paymentSource: PaymentSource | null;
  close(): Promise<void>;
}

/** Starts the AI gateway over `orchestrators`; `paid` uses a funded local key (simulated chain state). */
export async function startAiGateway(
  orchestrators: string[],
  opts: { paid?: boolean; remoteSignerUrl?: string; settings?: Record<string, SettingValue> } = {},
): Promise<TestAiGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-ai-'));
  const configFile = join(dir, 'config.json');
  const bus = new EventBus();
  const config = new RuntimeConfig(resolveSettings({ flags: { orchAddr: orchestrators, ...opts.settings }, configFile, env: {} }), configFile, bus);
  const signer = opts.paid ? localSigner(GATEWAY_KEY) : undefined;
  const sender = signer ? new TicketSender({ signer, chain: fixedSenderState(fundedChain()) }) : undefined;
  const local = signer && sender ? new LocalPaymentSource({ sender, signer }) : undefined;
  const payments: PaymentSource | null = opts.remoteSignerUrl ? new RemotePaymentSource(new RemoteSignerClient({ url: opts.remoteSignerUrl })) : (local ?? null);
  const metrics = new Registry();
  const pool = new StaticPool(orchestrators);
  const ai = createAiGateway({
    config,
    bus,
    log: pino({ level: 'silent' }),
    discovery: { registry: new OrchestratorRegistry({ bus }), pool: () => pool, blocklist: () => Blocklist.parse(config.get('orchBlocklist')), discoveryTimeoutMs: () => config.get('discoveryTimeout') },
    payments,
    signer,
    onChain: false,
    metricsRegistry: metrics,
  });
  // BYOC beside the AI API, as the daemon's composition root mounts it.
  const byoc = byocRoute({
    pool: () => pool,
    signer: byocJobSigner(signer),
    ...(sender ? { ticketSender: sender } : {}),
    bus,
    log: pino({ level: 'silent' }),
    jobs: ai.jobs,
    metrics: ai.metrics,
    balances: new ByocBalances(),
    intake: new RequestGate('byoc'),
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    void (async () => {
      for (const r of [ai.route, byoc]) if (await r(req, res, url)) return;
      res.writeHead(404).end('not found');
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end('Internal Server Error');
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    ai,
    url: `http://127.0.0.1:${port}`,
    bus,
    config,
    metrics,
    ...(sender ? { sender } : {}),
    ...(local ? { payments: local } : {}),
    paymentSource: payments,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ai.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTP request to the gateway. */
export function call(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** POST a JSON body. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return call(url, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** A streamed response: chunks with arrival times (ms since the request). */
export function callStreaming(url: string, body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; chunks: Array<{ at: number; text: string }> }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Array<{ at: number; text: string }> = [];
      res.on('data', (c: Buffer) => chunks.push({ at: performance.now() - t0, text: c.toString('utf8') }));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
