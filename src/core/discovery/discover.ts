// Querying a pool (go-livepeer discovery/discovery.go GetOrchestrators): GetOrchestrator to every candidate at once,
// accept the usable replies, stop on the doubling timer, sort by latency and fill up with suspended orchestrators.
import type { RejectReason } from '../../api/events.js';
import { toChecksumAddress, type Address } from '../../lib/protocol/address.js';
import { compatibleWith } from '../../lib/protocol/capabilities.js';
import { pricePerPixel } from '../../lib/protocol/fees.js';
import type { AuthToken, OrchestratorInfo, OrchestratorRequest } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { TransportError } from '../../lib/protocol/errors.js';
import type { Blocklist } from './blocklist.js';
import type { Candidate } from './pools.js';

/** First look at the replies (`-discoveryTimeout`). */
export const DISCOVERY_TIMEOUT_MS = 500;
/** Hard end of a discovery round. */
export const DISCOVERY_CUTOFF_MS = 6000;
/** Queries live a little longer than the round so the cut-off, not an RPC deadline, ends it. */
const RPC_GRACE_MS = 250;

/** The shape of protocol/orchestratorClient.getOrchestrator (injected so discovery stays transport-free). */
export type GetOrchestratorFn = (
  uri: string,
  request: OrchestratorRequest,
  opts: { timeoutMs?: number; signal?: AbortSignal },
) => Promise<{ info: OrchestratorInfo; latencyMs: number }>;

/** The shape of protocol/orchestratorClient.endTranscodingSession (fire-and-forget). */
export type EndSessionFn = (uri: string, authToken: AuthToken) => Promise<unknown>;

/** On-chain ticket-params check (one-ticket validation); returns what is wrong, or undefined when usable. */
export type TicketParamsValidator = (info: OrchestratorInfo) => string | undefined;

/** A usable reply. */
export interface DiscoveredOrchestrator {
  readonly candidate: Candidate;
  readonly uri: string;
  readonly info: OrchestratorInfo;
  /** GetOrchestrator round trip including the dial. */
  readonly latencyMs: number;
  /** Price per pixel (wei); undefined when O quotes none. */
  readonly price: Rational | undefined;
  /** OrchestratorInfo.address as EIP-55, undefined when empty. */
  readonly address: Address | undefined;
  /** Suspension penalty when it was picked despite being suspended, else 0. */
  readonly penalty: number;
  /** True when it is above the price cap but used because of ignoreMaxPriceIfNeeded. */
  readonly overCap: boolean;
}

/** A candidate that cannot be used, and why. */
export interface Rejection {
  readonly uri: string;
  readonly reason: RejectReason;
  readonly detail: string;
  /** Unix ms. */
  readonly at: number;
  readonly latencyMs?: number;
  readonly info?: OrchestratorInfo;
}

/** One reply as it arrives (late ones included, flagged) — for the registry. */
export type DiscoveryOutcome =
  | { readonly kind: 'usable'; readonly orchestrator: DiscoveredOrchestrator; readonly late: boolean }
  | { readonly kind: 'rejected'; readonly rejection: Rejection; readonly late: boolean };

export interface DiscoveryOptions {
  candidates: readonly Candidate[];
  /** GetOrchestrator request carrying the job capabilities (compared with each reply's capabilities). */
  request: OrchestratorRequest;
  getOrchestrator: GetOrchestratorFn;
  /** How many unsuspended orchestrators are enough (default: all candidates). */
  wanted?: number;
  blocklist?: Blocklist;
  /** On-chain: ticket params are required and validated. */
  onChain?: boolean;
  validateTicketParams?: TicketParamsValidator;
  /** Price cap in wei per pixel; null/undefined = any price. */
  maxPrice?: Rational | null;
  /** Use over-cap orchestrators when none within the cap answered. */
  ignoreMaxPriceIfNeeded?: boolean;
  /** Suspension penalty of a URI (0 = not suspended). */
  suspension?: (uri: string) => number;
  /** Also query the first N `nodes` of each reply (one level, parent's score). */
  extraNodes?: number;
  discoveryTimeoutMs?: number;
  cutoffMs?: number;
  /** Called for every reply until the cut-off, including those after the round ended. */
  onOutcome?: (outcome: DiscoveryOutcome) => void;
  /** Shuffles the query order (default Math.random). */
  rng?: () => number;
  now?: () => number;
  signal?: AbortSignal;
}

export interface DiscoveryResult {
  /** Usable orchestrators: unsuspended by latency, then the least-penalised suspended ones. */
  readonly orchestrators: DiscoveredOrchestrator[];
  readonly rejected: Rejection[];
  /** Candidates that had not answered when the round ended. */
  readonly unanswered: string[];
  /** The round ended on the timer (not because everybody answered or enough were found). */
  readonly timedOut: boolean;
  readonly elapsedMs: number;
}

/** Verdict on one reply, before suspension and ordering. */
export type ReplyVerdict =
  | { ok: true; price: Rational | undefined; overCap: boolean }
  | { ok: false; reason: RejectReason; detail: string };

/** Pure acceptance rules for one GetOrchestrator reply (§10.2 step 3 plus the gateway's price cap). */
export function judgeReply(
  info: OrchestratorInfo,
  ctx: Pick<DiscoveryOptions, 'request' | 'blocklist' | 'onChain' | 'validateTicketParams' | 'maxPrice'>,
): ReplyVerdict {
  if (ctx.blocklist?.has(info.address)) {
    return { ok: false, reason: 'blocklisted', detail: `address ${addressText(info.address)} is in the blocklist` };
  }
  if (info.transcoder === '') return { ok: false, reason: 'error', detail: 'reply has no transcoder URL' };
  const jobCaps = ctx.request.capabilities;
  if (jobCaps && !compatibleWith(jobCaps, info.capabilities)) {
    const why = info.capabilities ? 'capabilities do not cover the job' : 'reply carries no capabilities';
    return { ok: false, reason: 'incompatible', detail: why };
  }
  if (!info.authToken) return { ok: false, reason: 'error', detail: 'reply has no auth token' };
  if (ctx.onChain) {
    if (!info.ticketParams) return { ok: false, reason: 'bad ticket params', detail: 'reply has no ticket params' };
    const problem = ctx.validateTicketParams?.(info);
    if (problem) return { ok: false, reason: 'bad ticket params', detail: problem };
  }
  let price: Rational | undefined;
  try {
    price = pricePerPixel(info.priceInfo);
  } catch (err) {
    return { ok: false, reason: 'error', detail: (err as Error).message };
  }
  if (price && price.sign() < 0) return { ok: false, reason: 'error', detail: 'negative price' };
  const overCap = !!(ctx.maxPrice && price && price.gt(ctx.maxPrice));
  return { ok: true, price, overCap };
}

/** Detail text for a price above the cap. */
export function priceTooHighDetail(price: Rational, max: Rational): string {
  return `price ${price.toString()} wei/pixel is above the cap ${max.toString()}`;
}

/** Maps a GetOrchestrator failure to a rejection: transport problems are 'unreachable', O's refusals 'error'. */
export function classifyQueryError(err: unknown): { reason: RejectReason; detail: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  const transport =
    e instanceof TransportError ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE)$/.test(code));
  return { reason: transport ? 'unreachable' : 'error', detail: e.message || e.name };
}

function addressText(address: Uint8Array): string {
  return address.length === 20 ? toChecksumAddress(address) : `0x${Buffer.from(address).toString('hex')}`;
}

/** A Fisher–Yates shuffle (go-livepeer asks pool orchestrators in random order). */
export function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const byLatency = (a: DiscoveredOrchestrator, b: DiscoveredOrchestrator) => a.latencyMs - b.latencyMs;

/**
 * Queries all candidates concurrently and returns the usable ones. The round ends when every query answered,
 * when `wanted` unsuspended orchestrators are in, or on the timer: checks at discoveryTimeout × 1, 2, 4, 8 …
 * end the round once at least one unsuspended orchestrator is in; the cut-off (6 s) ends it regardless.
 * Replies after the end are ignored (reported to onOutcome as late until the cut-off).
 */
export function discoverOrchestrators(opts: DiscoveryOptions): Promise<DiscoveryResult> {
  const now = opts.now ?? Date.now;
  const started = performance.now();
  const first = Math.max(1, opts.discoveryTimeoutMs ?? DISCOVERY_TIMEOUT_MS);
  const cutoff = opts.cutoffMs ?? DISCOVERY_CUTOFF_MS;
  const extra = Math.max(0, opts.extraNodes ?? 0);
  const seen = new Set<string>();
  const roots = opts.candidates.filter((c) => !seen.has(c.uri) && seen.add(c.uri));
  const wanted = Math.min(opts.wanted ?? Number.POSITIVE_INFINITY, roots.length * (extra + 1));

  const fresh: DiscoveredOrchestrator[] = [];
  const suspended: DiscoveredOrchestrator[] = [];
  const overCap: DiscoveredOrchestrator[] = [];
  const rejected: Rejection[] = [];
  const pending = new Set<string>();
  let ended = false;
  let timedOut = false;

  return new Promise<DiscoveryResult>((resolve) => {
    if (roots.length === 0 || wanted <= 0) {
      resolve({ orchestrators: [], rejected: [], unanswered: [], timedOut: false, elapsedMs: 0 });
      return;
    }
    const timers: NodeJS.Timeout[] = [];
    const end = (byTimer: boolean) => {
      if (ended) return;
      ended = true;
      timedOut = byTimer;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
      fresh.sort(byLatency);
      const usable = [...fresh];
      if (usable.length === 0 && opts.ignoreMaxPriceIfNeeded) usable.push(...overCap.sort(byLatency));
      else
        for (const o of overCap) {
          rejected.push({ uri: o.uri, reason: 'price too high', detail: priceTooHighDetail(o.price!, opts.maxPrice!), at: now(), latencyMs: o.latencyMs, info: o.info });
        }
      suspended.sort((a, b) => a.penalty - b.penalty || a.latencyMs - b.latencyMs);
      for (const s of suspended) if (usable.length < wanted) usable.push(s);
      resolve({ orchestrators: usable, rejected, unanswered: [...pending], timedOut, elapsedMs: performance.now() - started });
    };
    const onAbort = () => end(true);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const report = (o: DiscoveryOutcome) => {
      try {
        opts.onOutcome?.(o);
      } catch {
        // an observer must not break discovery
      }
    };

    const query = (cand: Candidate, level: number) => {
      pending.add(cand.uri);
      const t0 = performance.now();
      opts
        .getOrchestrator(cand.uri, opts.request, { timeoutMs: cutoff + RPC_GRACE_MS, signal: opts.signal })
        .then(
          ({ info, latencyMs }) => {
            if (level === 0 && extra > 0) {
              for (const node of info.nodes.slice(0, extra)) {
                if (ended || seen.has(node)) continue;
                seen.add(node);
                query({ uri: node, score: cand.score }, 1);
              }
            }
            const late = ended;
            const v = judgeReply(info, opts);
            if (!v.ok) {
              const rejection: Rejection = { uri: cand.uri, reason: v.reason, detail: v.detail, at: now(), latencyMs, info };
              if (!late) rejected.push(rejection);
              report({ kind: 'rejected', rejection, late });
            } else {
              const address = info.address.length === 20 ? toChecksumAddress(info.address) : undefined;
              const penalty = opts.suspension?.(cand.uri) ?? 0;
              const orch: DiscoveredOrchestrator = { candidate: cand, uri: cand.uri, info, latencyMs, price: v.price, address, penalty, overCap: v.overCap };
              if (!late) (v.overCap ? overCap : penalty > 0 ? suspended : fresh).push(orch);
              // Over the cap is reported as such even when ignoreMaxPriceIfNeeded may still use it: operators see the cap bite.
              if (v.overCap) {
                const rejection: Rejection = { uri: cand.uri, reason: 'price too high', detail: priceTooHighDetail(v.price!, opts.maxPrice!), at: now(), latencyMs, info };
                report({ kind: 'rejected', rejection, late });
              } else report({ kind: 'usable', orchestrator: orch, late });
            }
          },
          (err: unknown) => {
            const { reason, detail } = classifyQueryError(err);
            const rejection: Rejection = { uri: cand.uri, reason, detail, at: now(), latencyMs: performance.now() - t0 };
            const late = ended;
            if (!late) rejected.push(rejection);
            report({ kind: 'rejected', rejection, late });
          },
        )
        .finally(() => {
          pending.delete(cand.uri);
          if (!ended && (pending.size === 0 || fresh.length >= wanted)) end(false);
        });
    };

    for (const c of shuffled(roots, opts.rng ?? Math.random)) query(c, 0);

    for (let t = first; t < cutoff; t *= 2) {
      timers.push(
        setTimeout(() => {
          if (fresh.length > 0) end(true);
        }, t),
      );
    }
    timers.push(setTimeout(() => end(true), cutoff));
  });
}
