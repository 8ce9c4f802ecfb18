// Where orchestrator candidates come from (go-livepeer cmd/livepeer/starter, discovery/*): a static `-orchAddr`
// list, a discovery webhook, a remote signer's /discover-orchestrators, or the on-chain transcoder pool.
// A pool only yields `{uri, score}` candidates; querying them (GetOrchestrator) is discover.ts.
import { getAddress, zeroAddress, type Address, type PublicClient } from 'viem';
import { bondingManagerAbi, serviceRegistryAbi } from '../../lib/chain/abi.js';
import { normalizeOrchestratorUri } from '../../lib/protocol/orchestratorUri.js';
import { GwError } from '../../lib/errors.js';

/** Score of a trusted orchestrator (static list; webhook scores ≥ 1). */
export const TRUSTED_SCORE = 1;
/** Score of an untrusted orchestrator (on-chain pool; webhook score 0). */
export const UNTRUSTED_SCORE = 0;
/** How long a webhook answer is reused (go-livepeer whRefreshInterval). */
export const WEBHOOK_REFRESH_MS = 60_000;
/** Webhook request deadline. */
export const WEBHOOK_TIMEOUT_MS = 3000;
/** On-chain pool re-walk interval (the gateway's 25 min poll cadence). */
export const ONCHAIN_REFRESH_MS = 25 * 60_000;
/** Text go-livepeer logs when no source is configured. */
export const NO_ORCHESTRATOR_MESSAGE = 'No orchestrator specified; transcoding will not happen';

/** One orchestrator a pool offers. */
export interface Candidate {
  /** Service URI (GetOrchestrator target). */
  readonly uri: string;
  /** ≥ 1 trusted, 0 untrusted; anything between is neither for transcoding. */
  readonly score: number;
  /** ETH address when the source knows it (on-chain pool). */
  readonly address?: Address;
  /** Total stake in wei (on-chain pool). */
  readonly stake?: bigint;
  /** Capability keys reported by a remote signer (`pipeline/model`, runner apps). */
  readonly capabilities?: readonly string[];
}

export type PoolKind = 'static' | 'webhook' | 'remote-signer' | 'on-chain';

/** A source of candidates; `candidates()` may cache and must be cheap to call per stream. */
export interface CandidatePool {
  readonly kind: PoolKind;
  candidates(): Promise<readonly Candidate[]>;
}

/** Trusted pool predicate (score ≥ 1). */
export function isTrustedScore(score: number): boolean {
  return score >= TRUSTED_SCORE;
}

/** Untrusted pool predicate (score exactly 0). */
export function isUntrustedScore(score: number): boolean {
  return score === UNTRUSTED_SCORE;
}

/** Fixed `-orchAddr` list: normalised URIs, score 1.0, duplicates dropped. */
export class StaticPool implements CandidatePool {
  readonly kind = 'static' as const;
  private readonly list: readonly Candidate[];

  constructor(entries: readonly string[]) {
    const seen = new Set<string>();
    const list: Candidate[] = [];
    for (const e of entries) {
      if (e.trim() === '') continue;
      const uri = normalizeOrchestratorUri(e);
      if (seen.has(uri)) continue;
      seen.add(uri);
      list.push({ uri, score: TRUSTED_SCORE });
    }
    this.list = Object.freeze(list);
  }

  candidates(): Promise<readonly Candidate[]> {
    return Promise.resolve(this.list);
  }
}

/** A JSON answer that is not the expected list. */
export class PoolSourceError extends GwError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('discovery_failed', message, options);
    this.name = 'PoolSourceError';
  }
}

/**
 * Parses a webhook / signer discovery body: `[{"address": "<absolute O URL>", "score"?: number, "capabilities"?: [..]}]`.
 * Entries without a usable http(s) URL are skipped (like go-livepeer); a missing score is 0; first duplicate wins.
 */
export function parseDiscoveryBody(text: string): { candidates: Candidate[]; skipped: number } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new PoolSourceError(`discovery answer is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(body)) throw new PoolSourceError('discovery answer is not a JSON array');
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  let skipped = 0;
  for (const item of body as unknown[]) {
    const rec = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : undefined;
    const address = rec?.['address'];
    if (typeof address !== 'string' || !isHttpUrl(address)) {
      skipped++;
      continue;
    }
    const uri = address.trim();
    if (seen.has(uri)) continue;
    seen.add(uri);
    const rawScore = rec?.['score'];
    const score = typeof rawScore === 'number' && Number.isFinite(rawScore) ? rawScore : 0;
    const caps = rec?.['capabilities'];
    const capabilities = Array.isArray(caps) ? caps.filter((c): c is string => typeof c === 'string') : undefined;
    candidates.push(capabilities ? { uri, score, capabilities } : { uri, score });
  }
  return { candidates, skipped };
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export interface WebhookPoolOptions {
  url: string;
  /** Extra request headers (signer headers for a remote signer; never logged). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  refreshIntervalMs?: number;
  kind?: 'webhook' | 'remote-signer';
  now?: () => number;
}

/**
 * `GET <url>` → candidates, re-read at most once per interval. An identical body keeps the same list object;
 * a failed read keeps the last good list (and is retried after the interval); with no good list yet it throws.
 */
export class WebhookPool implements CandidatePool {
  readonly kind: 'webhook' | 'remote-signer';
  private readonly opts: Required<Omit<WebhookPoolOptions, 'headers' | 'kind'>> & { headers: Record<string, string> };
  private list: readonly Candidate[] | undefined;
  private body: string | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<readonly Candidate[]> | undefined;
  /** Number of HTTP requests made (for tests and metrics). */
  fetches = 0;
  /** Last read failure, cleared by a good read. */
  lastError: Error | undefined;
  /** Entries dropped from the last good body. */
  skipped = 0;

  constructor(opts: WebhookPoolOptions) {
    if (!isHttpUrl(opts.url)) throw new PoolSourceError(`discovery URL ${JSON.stringify(opts.url)} is not an http(s) URL`);
    this.kind = opts.kind ?? 'webhook';
    this.opts = {
      url: opts.url,
      headers: opts.headers ?? {},
      timeoutMs: opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
      refreshIntervalMs: opts.refreshIntervalMs ?? WEBHOOK_REFRESH_MS,
      now: opts.now ?? Date.now,
    };
  }

  candidates(): Promise<readonly Candidate[]> {
    if (this.list && this.opts.now() - this.lastAttempt < this.opts.refreshIntervalMs) return Promise.resolve(this.list);
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async read(): Promise<readonly Candidate[]> {
    this.lastAttempt = this.opts.now();
    this.fetches++;
    try {
      const text = await this.fetchBody();
      if (this.list && text === this.body) {
        this.lastError = undefined;
        return this.list;
      }
      const { candidates, skipped } = parseDiscoveryBody(text);
      this.list = Object.freeze(candidates);
      this.body = text;
      this.skipped = skipped;
      this.lastError = undefined;
      return this.list;
    } catch (err) {
      this.lastError = err instanceof Error ? err : new Error(String(err));
      if (this.list) return this.list;
      // Nothing to fall back on: let the next call try again at once.
      this.lastAttempt = Number.NEGATIVE_INFINITY;
      throw this.lastError;
    }
  }

  private async fetchBody(): Promise<string> {
    const where = this.kind === 'remote-signer' ? 'remote signer discovery' : 'orchestrator webhook';
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'GET',
        headers: { accept: 'application/json', ...this.opts.headers },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        redirect: 'follow',
      });
    } catch (err) {
      const e = err as Error;
      const why = e.name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : e.message;
      throw new PoolSourceError(`${where} ${redactUrl(this.opts.url)}: ${why}`, { cause: err });
    }
    const text = await res.text();
    if (res.status !== 200) {
      throw new PoolSourceError(`${where} ${redactUrl(this.opts.url)} answered HTTP ${res.status}: ${text.slice(0, 200).trim()}`);
    }
    return text;
  }
}

/** URL without credentials or query (they may carry tokens). */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/** `<signer>/discover-orchestrators[?caps=a&caps=b]` (https assumed when the signer URL has no scheme). */
export function signerDiscoveryUrl(signerUrl: string, caps: readonly string[] = []): string {
  const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(signerUrl.trim()) ? signerUrl.trim() : `https://${signerUrl.trim()}`;
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/discover-orchestrators`;
  u.search = '';
  for (const c of caps) u.searchParams.append('caps', c);
  return u.toString();
}

/** A remote signer's orchestrator list as a webhook pool (signer headers go along; §9.5). */
export function signerDiscoveryPool(opts: {
  signerUrl: string;
  headers?: Record<string, string>;
  caps?: readonly string[];
  timeoutMs?: number;
  refreshIntervalMs?: number;
  now?: () => number;
}): WebhookPool {
  return new WebhookPool({
    url: signerDiscoveryUrl(opts.signerUrl, opts.caps),
    headers: opts.headers,
    timeoutMs: opts.timeoutMs,
    refreshIntervalMs: opts.refreshIntervalMs,
    now: opts.now,
    kind: 'remote-signer',
  });
}

export interface OnChainPoolOptions {
  client: PublicClient;
  bondingManager: Address;
  serviceRegistry: Address;
  refreshIntervalMs?: number;
  /** Guard against a corrupt linked list. */
  maxOrchestrators?: number;
  now?: () => number;
}

/** One pool row read from chain. */
export interface OnChainOrchestrator {
  address: Address;
  uri: string;
  stake: bigint;
}

/** Walks BondingManager getFirst/getNextTranscoderInPool until the zero address (bounded by `max`). */
export async function walkTranscoderPool(client: PublicClient, bondingManager: Address, max = 1000): Promise<Address[]> {
  const out: Address[] = [];
  const seen = new Set<string>();
  let cur = await client.readContract({ address: bondingManager, abi: bondingManagerAbi, functionName: 'getFirstTranscoderInPool' });
  while (cur !== zeroAddress) {
    const key = cur.toLowerCase();
    if (seen.has(key)) throw new PoolSourceError(`transcoder pool loops at ${cur}`);
    if (out.length >= max) throw new PoolSourceError(`transcoder pool longer than ${max} entries`);
    seen.add(key);
    out.push(getAddress(cur));
    cur = await client.readContract({ address: bondingManager, abi: bondingManagerAbi, functionName: 'getNextTranscoderInPool', args: [cur] });
  }
  return out;
}

/**
 * The on-chain transcoder pool with service URIs (ServiceRegistry) and total stake, score 0 (untrusted).
 * Rows without a valid URI are skipped. Cached for `refreshIntervalMs`; a failed re-read keeps the last list.
 */
export class OnChainPool implements CandidatePool {
  readonly kind = 'on-chain' as const;
  private rows: readonly OnChainOrchestrator[] | undefined;
  private list: readonly Candidate[] | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<readonly Candidate[]> | undefined;
  lastError: Error | undefined;

  constructor(private readonly opts: OnChainPoolOptions) {}

  candidates(): Promise<readonly Candidate[]> {
    const now = (this.opts.now ?? Date.now)();
    if (this.list && now - this.readAt < (this.opts.refreshIntervalMs ?? ONCHAIN_REFRESH_MS)) return Promise.resolve(this.list);
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Re-reads the pool now. */
  async refresh(): Promise<readonly Candidate[]> {
    try {
      const rows = await this.readRows();
      this.rows = Object.freeze(rows);
      this.list = Object.freeze(rows.map((r) => ({ uri: r.uri, score: UNTRUSTED_SCORE, address: r.address, stake: r.stake })));
      this.readAt = (this.opts.now ?? Date.now)();
      this.lastError = undefined;
      return this.list;
    } catch (err) {
      this.lastError = err instanceof Error ? err : new Error(String(err));
      if (this.list) return this.list;
      throw new PoolSourceError(`on-chain orchestrator pool: ${this.lastError.message}`, { cause: err });
    }
  }

  /** Stakes by lower-case address from the last read (0 when unknown), for the selection algorithm. */
  stakes(): Map<string, bigint> {
    return new Map((this.rows ?? []).map((r) => [r.address.toLowerCase(), r.stake]));
  }

  private async readRows(): Promise<OnChainOrchestrator[]> {
    const { client, bondingManager, serviceRegistry } = this.opts;
    const addresses = await walkTranscoderPool(client, bondingManager, this.opts.maxOrchestrators);
    const rows = await Promise.all(
      addresses.map(async (address) => {
        const [uri, stake] = await Promise.all([
          client.readContract({ address: serviceRegistry, abi: serviceRegistryAbi, functionName: 'getServiceURI', args: [address] }),
          client.readContract({ address: bondingManager, abi: bondingManagerAbi, functionName: 'transcoderTotalStake', args: [address] }),
        ]);
        return { address, uri: uri.trim(), stake };
      }),
    );
    return rows.filter((r) => isHttpUrl(r.uri));
  }
}

/** Where candidates come from, as configured. */
export interface PoolSourceConfig {
  orchWebhookUrl?: string;
  orchWebhookHeaders?: Record<string, string>;
  orchAddr?: readonly string[];
  remoteSignerUrl?: string;
  remoteSignerHeaders?: Record<string, string>;
  /** Signer discovery `caps` filter (AI; empty for transcoding). */
  remoteSignerCaps?: readonly string[];
  /** Set when running on-chain: the pool contracts and a client to read them. */
  onChain?: { client: PublicClient; bondingManager: Address; serviceRegistry: Address; refreshIntervalMs?: number };
}

/**
 * Picks the candidate source, first match wins (§10.1): webhook, static list, then on-chain pool when on-chain
 * (it replaces the signer), else the remote signer's discovery. Throws NO_ORCHESTRATOR_MESSAGE when none applies.
 */
export function choosePool(cfg: PoolSourceConfig): CandidatePool {
  if (cfg.orchWebhookUrl) return new WebhookPool({ url: cfg.orchWebhookUrl, headers: cfg.orchWebhookHeaders });
  const addrs = (cfg.orchAddr ?? []).filter((a) => a.trim() !== '');
  if (addrs.length > 0) return new StaticPool(addrs);
  if (cfg.onChain) return new OnChainPool(cfg.onChain);
  if (cfg.remoteSignerUrl) {
    return signerDiscoveryPool({ signerUrl: cfg.remoteSignerUrl, headers: cfg.remoteSignerHeaders, caps: cfg.remoteSignerCaps });
  }
  throw new PoolSourceError(NO_ORCHESTRATOR_MESSAGE);
}
