import { request as httpRequest, type IncomingMessage } from 'node:http';
import type {
  AccountView,
  AiPoolInfo,
  ConfigResponse,
  ConfigUpdateRequest,
  ErrorBody,
  FailoverView,
  FundingAction,
  FundingTxResponse,
  LiveStartRequestBody,
  LiveStreamView,
  MarketplaceListing,
  NetworkCapabilitiesResponse,
  NetworkOffersResponse,
  OrchestratorsResponse,
  PricesResponse,
  PriceUpdateRequest,
  SessionDetail,
  SessionView,
  StatusResponse,
  TicketView,
  TxStatusView,
} from './contract.js';
import { checkDaemon, readToken } from './daemonState.js';
import { DaemonNotRunningError, GwClientError, UnauthorizedError } from './errors.js';
import { parseEvent, type GwEvent } from './events.js';
import type { GwPaths } from '../lib/settings/paths.js';
import { SseParser } from './sse.js';
import { isErrorCode } from '../lib/errors.js';

export interface ControlClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly dataDir: string;
  /** Per-request timeout in ms (not applied to event streams). */
  readonly timeoutMs?: number;
}

/**
 * Typed client of the daemon's control API. Uses node:http directly: the control API is always plain HTTP
 * on loopback, and skipping fetch keeps `gw status` start-up fast.
 */
export class ControlClient {
  constructor(private readonly opts: ControlClientOptions) {}

  /** Builds a client for the daemon of a data dir, or throws DaemonNotRunningError. */
  static forPaths(paths: GwPaths, timeoutMs?: number): ControlClient {
    const live = checkDaemon(paths);
    if (live.state !== 'running') throw new DaemonNotRunningError(paths.dataDir, live.state === 'stale' ? `stale state from pid ${live.daemon.pid}` : undefined);
    const token = readToken(paths);
    if (!token) throw new DaemonNotRunningError(paths.dataDir, 'no control token');
    return new ControlClient({ baseUrl: live.daemon.controlUrl, token, dataDir: paths.dataDir, timeoutMs });
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /** GET /v1/status */
  status(): Promise<StatusResponse> {
    return this.request('GET', '/v1/status');
  }

  /** GET /v1/config */
  config(): Promise<ConfigResponse> {
    return this.request('GET', '/v1/config');
  }

  /** POST /v1/config: validates, applies and persists in the daemon. */
  updateConfig(update: ConfigUpdateRequest): Promise<ConfigResponse> {
    return this.request('POST', '/v1/config', update);
  }

  /** GET /v1/orchestrators: known and rejected orchestrators. */
  orchestrators(): Promise<OrchestratorsResponse> {
    return this.request('GET', '/v1/orchestrators');
  }

  /** GET /v1/sessions: streams and AI jobs, newest first. */
  sessions(): Promise<{ sessions: SessionView[] }> {
    return this.request('GET', '/v1/sessions');
  }

  /** GET /v1/sessions/{id}: one session with its segment timeline, failovers and tickets. */
  session(id: string): Promise<SessionDetail> {
    return this.request('GET', `/v1/sessions/${encodeURIComponent(id)}`);
  }

  /** GET /v1/tickets: recent tickets, newest first. */
  tickets(limit = 100): Promise<{ tickets: TicketView[] }> {
    return this.request('GET', `/v1/tickets?limit=${limit}`);
  }

  /** GET /v1/failovers: recent failovers, newest first. */
  failovers(limit = 100): Promise<{ failovers: FailoverView[] }> {
    return this.request('GET', `/v1/failovers?limit=${limit}`);
  }

  /** POST /v1/shutdown: stop intake, drain, exit. */
  shutdown(): Promise<{ draining: boolean; drainTimeoutMs: number }> {
    return this.request('POST', '/v1/shutdown', {});
  }

  /** GET /healthz: answers without the token; true when the daemon is up. */
  async healthy(): Promise<boolean> {
    return (await this.request<{ ok: boolean }>('GET', '/healthz')).ok;
  }

  /** GET /metrics: the Prometheus text exposition. */
  async metrics(): Promise<string> {
    return this.requestText('GET', '/metrics');
  }

  /** GET /v1/prices: the video cap, per-capability caps and customer prices, and the ETH/USD rate. */
  prices(): Promise<PricesResponse> {
    return this.request('GET', '/v1/prices');
  }

  /** POST /v1/prices: sets or removes one per-capability price (validated, persisted, applied live). */
  setPrice(update: PriceUpdateRequest): Promise<PricesResponse> {
    return this.request('POST', '/v1/prices', update);
  }

  /** GET /v1/ai/network: each orchestrator's AI offers, optionally for one pipeline/model; refresh re-polls now. */
  aiNetwork(filter: { pipeline?: string; model?: string; refresh?: boolean } = {}): Promise<NetworkOffersResponse> {
    const q = new URLSearchParams();
    if (filter.pipeline) q.set('pipeline', filter.pipeline);
    if (filter.model) q.set('model', filter.model);
    if (filter.refresh) q.set('refresh', '1');
    const qs = q.toString();
    return this.request('GET', `/v1/ai/network${qs ? `?${qs}` : ''}`);
  }

  /** GET /v1/ai/pools: the AI session pools per (pipeline, model). */
  async aiPools(): Promise<Record<string, AiPoolInfo>> {
    return (await this.request<{ pools: Record<string, AiPoolInfo> }>('GET', '/v1/ai/pools')).pools;
  }

  /** GET /v1/ai/capabilities: what this gateway can serve, with prices. */
  aiCapabilities(): Promise<MarketplaceListing> {
    return this.request('GET', '/v1/ai/capabilities');
  }

  /** GET /v1/ai/jobs: AI and BYOC jobs as sessions, newest first. */
  async aiJobs(): Promise<SessionView[]> {
    return (await this.request<{ sessions: SessionView[] }>('GET', '/v1/ai/jobs')).sessions;
  }

  /** GET /v1/ai/jobs/{id}: one AI job. */
  aiJob(id: string): Promise<SessionDetail> {
    return this.request('GET', `/v1/ai/jobs/${encodeURIComponent(id)}`);
  }

  /** GET /v1/live: live AI streams, running then recently ended. */
  async liveStreams(): Promise<LiveStreamView[]> {
    return (await this.request<{ streams: LiveStreamView[] }>('GET', '/v1/live')).streams;
  }

  /** POST /v1/live: starts a live AI stream that pulls an RTMP source; answers once an orchestrator has it. */
  liveStart(req: LiveStartRequestBody): Promise<LiveStreamView> {
    return this.request('POST', '/v1/live', req);
  }

  /** GET /v1/live/{stream}: one live AI stream. */
  liveStream(stream: string): Promise<LiveStreamView> {
    return this.request('GET', `/v1/live/${encodeURIComponent(stream)}`);
  }

  /** POST /v1/live/{stream}/update: new params for a running stream. */
  liveUpdate(stream: string, params: Record<string, unknown>): Promise<LiveStreamView> {
    return this.request('POST', `/v1/live/${encodeURIComponent(stream)}/update`, params);
  }

  /** POST /v1/live/{stream}/stop: stops a live AI stream. */
  liveStop(stream: string): Promise<LiveStreamView> {
    return this.request('POST', `/v1/live/${encodeURIComponent(stream)}/stop`, {});
  }

  /** GET /getNetworkCapabilities: go-livepeer's view of every orchestrator's capabilities. */
  networkCapabilities(refresh = false): Promise<NetworkCapabilitiesResponse> {
    return this.request('GET', `/getNetworkCapabilities${refresh ? '?refresh=1' : ''}`);
  }

  /** GET /getAISessionPoolsInfo: go-livepeer's shape of the AI session pools. */
  aiSessionPoolsInfo(): Promise<Record<string, AiPoolInfo>> {
    return this.request('GET', '/getAISessionPoolsInfo');
  }

  /** GET /v1/account: deposit, reserve, runway and funding guidance (on-chain daemons; 409 offchain otherwise). */
  account(opts: { poolSize?: number } = {}): Promise<AccountView> {
    return this.request('GET', `/v1/account${opts.poolSize !== undefined ? `?poolSize=${opts.poolSize}` : ''}`);
  }

  /** POST /v1/funding/{action}: sends one TicketBroker transaction; answers once it is broadcast (202). */
  fund(action: FundingAction, amounts: { amountWei?: bigint; depositWei?: bigint; reserveWei?: bigint } = {}): Promise<FundingTxResponse> {
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(amounts)) if (v !== undefined) body[k] = v.toString();
    return this.request('POST', `/v1/funding/${action}`, body);
  }

  /** GET /v1/tx/{hash}: a funding transaction's status (pending, success, reverted) with block and fee. */
  tx(hash: string): Promise<TxStatusView> {
    return this.request('GET', `/v1/tx/${encodeURIComponent(hash)}`);
  }

  /**
   * Sends one request and parses the JSON answer; non-2xx answers become GwClientError with the daemon's code.
   * Untyped: commands use the typed methods above; this stays public for tests that send malformed input on purpose.
   */
  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return JSON.parse(await this.requestText(method, path, body)) as T;
  }

  private async requestText(method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> {
    const res = await this.send(method, path, body, this.opts.timeoutMs ?? 10_000);
    const text = await readBody(res);
    if (res.statusCode === 401) throw new UnauthorizedError(this.opts.dataDir);
    if (!res.statusCode || res.statusCode >= 300) {
      let parsed: ErrorBody | undefined;
      try {
        parsed = JSON.parse(text) as ErrorBody;
      } catch {
        // not JSON
      }
      const code = parsed?.error?.code;
      throw new GwClientError(parsed?.error?.message ?? `HTTP ${res.statusCode}: ${text.slice(0, 200)}`, isErrorCode(code) ? code : 'http_error', res.statusCode);
    }
    return text;
  }

  /** Follows GET /v1/events until the signal aborts or the daemon closes the stream. */
  async *events(opts: { signal?: AbortSignal; lastEventId?: number } = {}): AsyncGenerator<GwEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (opts.lastEventId !== undefined) headers['last-event-id'] = String(opts.lastEventId);
    const res = await this.send('GET', '/v1/events', undefined, 0, headers, opts.signal);
    if (res.statusCode === 401) throw new UnauthorizedError(this.opts.dataDir);
    if (res.statusCode !== 200) throw new GwClientError(`event stream refused: HTTP ${res.statusCode}`, 'http_error', res.statusCode);
    const parser = new SseParser();
    try {
      for await (const chunk of res) {
        for (const msg of parser.push(chunk as Buffer)) {
          const ev = parseEvent(msg.data);
          if (ev) yield ev;
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw new DaemonNotRunningError(this.opts.dataDir, `event stream broke: ${(err as Error).message}`);
    } finally {
      res.destroy();
    }
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    extraHeaders: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = new URL(path, this.opts.baseUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method,
          signal,
          headers: {
            authorization: `Bearer ${this.opts.token}`,
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...extraHeaders,
          },
        },
        resolve,
      );
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') reject(new DaemonNotRunningError(this.opts.dataDir, `nothing answers at ${this.opts.baseUrl}`));
        else if (err.name === 'AbortError') reject(err);
        else reject(new GwClientError(`control API request failed: ${err.message}`, 'network_error'));
      });
      req.end(payload);
    });
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
