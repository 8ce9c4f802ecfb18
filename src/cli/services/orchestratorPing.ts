// `gw orchestrators ping`: asks each orchestrator for its OrchestratorInfo (GetOrchestrator) and summarises what a
// gateway would pay and get there. Pure summary/rendering functions are separate from the network call.
import {
  DEFAULT_PROFILE_LIST,
  type OrchestratorInfo,
  type OrchestratorRequest,
  type Signer,
  buildOrchestratorRequest,
  bytesToBigint,
  capabilityName,
  decodeBitstring,
  localSigner,
  orchestratorRequestSig,
  parseProfileList,
  pricePerPixel,
  ticketEV,
  toChecksumAddress,
  toNetProfile,
  transcodingJobCapabilities,
} from '../../lib/protocol/index.js';
import { OrchestratorError, TransportError } from '../../lib/protocol/errors.js';
import type { H2Pool } from '../../lib/protocol/h2Pool.js';
import { GET_ORCHESTRATOR_TIMEOUT_MS, getOrchestrator } from '../../lib/protocol/orchestratorClient.js';
import { normalizeOrchestratorUri } from '../../lib/protocol/orchestratorUri.js';
import { formatEth } from '../../lib/payments/units.js';
import { renderKeyValues } from '../render.js';

/** Pixels in one minute of 720p30: 1280 × 720 × 30 fps × 60 s. */
export const PIXELS_720P30_MINUTE = 1280n * 720n * 30n * 60n;
const MAX_WIN_PROB = (1n << 256n) - 1n;

/** What one orchestrator offers. */
export interface OrchestratorSummary {
  uri: string;
  transcoder: string;
  /** EIP-55, or undefined when O sent none. */
  address: string | undefined;
  price:
    | {
        pricePerUnit: bigint;
        pixelsPerUnit: bigint;
        /** Exact wei per pixel, "num/den". */
        weiPerPixel: string;
        /** Decimal wei per pixel (prefixed "~" when rounded). */
        weiPerPixelDecimal: string;
        /** Wei for one minute of 720p30, rounded up when the price is fractional. */
        cost720p30MinuteWei: bigint;
        cost720p30MinuteExact: boolean;
      }
    | undefined;
  capabilities: string[];
  ticket:
    | {
        faceValueWei: bigint;
        winProb: bigint;
        /** "1 in 125,000" (winProb as a fraction of 2^256 − 1). */
        winOdds: string;
        /** Expected value per ticket in wei (decimal, "~" when rounded). */
        evWei: string;
      }
    | undefined;
  /** Minutes until the auth token expires (negative when already expired). */
  authTokenExpiresInMin: number | undefined;
  latencyMs: number;
}

/** Why a ping failed. */
export type PingErrorKind = 'timeout' | 'refused' | 'unreachable' | 'tls' | 'reset' | 'protocol' | 'orchestrator' | 'invalid-uri' | 'error';

/** Outcome per orchestrator. */
export type PingResult = { uri: string; ok: true; summary: OrchestratorSummary } | { uri: string; ok: false; error: { kind: PingErrorKind; message: string } };

/** Options of a ping run. */
export interface PingOptions {
  /** Hex private key: sign the request for on-chain orchestrators that verify it. */
  ethKey?: string;
  timeoutMs?: number;
  pool?: H2Pool;
  /** Clock for token expiry (ms since epoch). */
  now?: () => number;
}

function groupThousands(n: bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Thousands separators for the integer part of a decimal text ("~1234.5" → "~1,234.5"). */
function groupDecimal(text: string): string {
  return text.replace(/^(~?)(\d+)/, (_m, approx: string, int: string) => approx + groupThousands(BigInt(int)));
}

/** "1 in N" for a win probability expressed over 2^256 − 1; N rounded to the nearest integer. */
export function formatWinOdds(winProb: bigint): string {
  if (winProb <= 0n) return 'never';
  const n = (2n * MAX_WIN_PROB + winProb) / (2n * winProb);
  return `1 in ${groupThousands(n < 1n ? 1n : n)}`;
}

function decimalText(num: bigint, den: bigint, decimals: number): string {
  if (num % den === 0n) return (num / den).toString();
  const scale = 10n ** BigInt(decimals);
  const scaled = (num * scale * 2n + den) / (2n * den);
  const exact = (num * scale) % den === 0n;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${exact ? '' : '~'}${whole}${frac ? `.${frac}` : ''}`;
}

/** Builds the summary of an OrchestratorInfo (pure). */
export function summarizeOrchestrator(uri: string, info: OrchestratorInfo, latencyMs: number, nowMs: number): OrchestratorSummary {
  const ppp = pricePerPixel(info.priceInfo);
  let price: OrchestratorSummary['price'];
  if (info.priceInfo && ppp) {
    const cost = ppp.mul(PIXELS_720P30_MINUTE);
    price = {
      pricePerUnit: info.priceInfo.pricePerUnit,
      pixelsPerUnit: info.priceInfo.pixelsPerUnit,
      weiPerPixel: ppp.toString(),
      weiPerPixelDecimal: decimalText(ppp.num, ppp.den, 6),
      cost720p30MinuteWei: cost.ceil(),
      cost720p30MinuteExact: cost.isInteger(),
    };
  }
  let ticket: OrchestratorSummary['ticket'];
  const tp = info.ticketParams;
  if (tp) {
    const faceValue = bytesToBigint(tp.faceValue);
    const winProb = bytesToBigint(tp.winProb);
    const ev = ticketEV(faceValue, winProb);
    ticket = { faceValueWei: faceValue, winProb, winOdds: formatWinOdds(winProb), evWei: decimalText(ev.num, ev.den, 3) };
  }
  const exp = info.authToken?.expiration;
  return {
    uri,
    transcoder: info.transcoder,
    address: info.address.length === 20 ? toChecksumAddress(info.address) : undefined,
    price,
    capabilities: decodeBitstring(info.capabilities?.bitstring ?? []).map(capabilityName),
    ticket,
    authTokenExpiresInMin: exp !== undefined && exp > 0n ? Math.round((Number(exp) * 1000 - nowMs) / 6000) / 10 : undefined,
    latencyMs: Math.round(latencyMs * 10) / 10,
  };
}

function describeError(err: unknown): { kind: PingErrorKind; message: string } {
  if (err instanceof OrchestratorError) return { kind: 'orchestrator', message: err.message };
  if (err instanceof TransportError) {
    const kind: PingErrorKind = err.reason === 'aborted' || err.reason === 'too-large' ? 'error' : err.reason === 'unresponsive' ? 'timeout' : err.reason;
    return { kind, message: err.message };
  }
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

/** The request a ping sends: default transcoding job caps, signed when a key is given. */
export async function pingRequest(signer?: Signer): Promise<OrchestratorRequest> {
  const capabilities = transcodingJobCapabilities({ profiles: parseProfileList(DEFAULT_PROFILE_LIST).map(toNetProfile) });
  if (!signer) return buildOrchestratorRequest({ capabilities });
  return buildOrchestratorRequest({ signer, sig: await orchestratorRequestSig(signer), capabilities });
}

/** Pings every orchestrator in parallel; one failure never fails the others. */
export async function pingOrchestrators(uris: readonly string[], opts: PingOptions = {}): Promise<PingResult[]> {
  const signer = opts.ethKey ? localSigner(opts.ethKey) : undefined;
  const request = await pingRequest(signer);
  const now = opts.now ?? Date.now;
  return Promise.all(
    uris.map(async (entry): Promise<PingResult> => {
      let uri: string;
      try {
        uri = normalizeOrchestratorUri(entry);
      } catch (err) {
        return { uri: entry, ok: false, error: { kind: 'invalid-uri', message: (err as Error).message } };
      }
      try {
        const { info, latencyMs } = await getOrchestrator(uri, request, { timeoutMs: opts.timeoutMs ?? GET_ORCHESTRATOR_TIMEOUT_MS, pool: opts.pool });
        return { uri, ok: true, summary: summarizeOrchestrator(uri, info, latencyMs, now()) };
      } catch (err) {
        return { uri, ok: false, error: describeError(err) };
      }
    }),
  );
}

/** Text report for people: one block per orchestrator. */
export function renderPingReport(results: readonly PingResult[]): string {
  return results
    .map((r) => {
      if (!r.ok) return renderKeyValues([['orchestrator', r.uri], ['error', `${r.error.kind}: ${r.error.message}`]]);
      const s = r.summary;
      const pairs: Array<[string, string]> = [
        ['orchestrator', s.uri],
        ['address', s.address ?? '(none)'],
      ];
      if (s.transcoder !== s.uri) pairs.push(['work URL', s.transcoder]);
      if (s.price) {
        const quoted = `${s.price.pricePerUnit}/${s.price.pixelsPerUnit}` === s.price.weiPerPixel ? '' : `; quoted as ${s.price.pricePerUnit} wei per ${s.price.pixelsPerUnit} pixels`;
        pairs.push(['price', `${groupDecimal(s.price.weiPerPixelDecimal)} wei/pixel (= ${s.price.weiPerPixel} exactly${quoted})`]);
        pairs.push(['1 min 720p30', `${s.price.cost720p30MinuteExact ? '' : '~'}${formatEth(s.price.cost720p30MinuteWei)} (${groupThousands(PIXELS_720P30_MINUTE)} pixels)`]);
      } else {
        pairs.push(['price', '(none: off-chain or free)']);
      }
      pairs.push(['capabilities', s.capabilities.length ? s.capabilities.join(', ') : '(none)']);
      if (s.ticket) {
        pairs.push(['ticket', `face value ${formatEth(s.ticket.faceValueWei)}, win ${s.ticket.winOdds}, EV ${groupDecimal(s.ticket.evWei)} wei`]);
      } else {
        pairs.push(['ticket', '(no ticket params: off-chain orchestrator)']);
      }
      pairs.push(['auth token', s.authTokenExpiresInMin === undefined ? '(none)' : `expires in ${s.authTokenExpiresInMin} min`]);
      pairs.push(['latency', `${s.latencyMs} ms`]);
      return renderKeyValues(pairs);
    })
    .join('\n\n');
}

/** JSON-safe copy (bigints as decimal strings). */
export function pingResultsToJson(results: readonly PingResult[]): unknown {
  return JSON.parse(JSON.stringify(results, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
