// One orchestrator session of one stream (go-livepeer server/broadcast.go BroadcastSession): the latest
// OrchestratorInfo and what the gateway derived from it, plus the pure rules that read it.
import type { Candidate } from '../discovery/pools.js';
import type { DiscoveredOrchestrator } from '../discovery/discover.js';
import { toChecksumAddress, type Address } from '../../lib/protocol/address.js';
import { bytesToBigint, bytesToHex0x } from '../../lib/protocol/encoding.js';
import { pricePerPixel } from '../../lib/protocol/fees.js';
import type { OrchestratorInfo } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { pmSessionId } from '../../lib/protocol/ticket.js';
import { LATENCY_SCORE_THRESHOLD, type Scored } from './selection.js';

/** Refresh when less than this is left on the auth token (10 % of its 30 min). */
export const AUTH_TOKEN_REFRESH_MARGIN_MS = 3 * 60_000;
/** Refresh ticket params when at most this many L1 blocks are left. */
export const TICKET_PARAMS_REFRESH_BLOCKS = 1n;
/** In-flight age floor for segments of 1 s or less (go-livepeer). */
export const SHORT_SEGMENT_FLOOR_MS = 1500;

/** One segment sent and not yet completed. */
export interface InFlight {
  readonly startedAt: number;
  readonly durationMs: number;
}

export class BroadcastSession implements Scored {
  /** Service URI the session was discovered at (map and suspension key; refreshes go here). */
  readonly uri: string;
  readonly score: number;
  readonly trusted: boolean;
  /** Stake from the on-chain pool (0 elsewhere), for the probability algorithm. */
  readonly stake: bigint;
  readonly discoveryLatencyMs: number;
  info: OrchestratorInfo;
  address: Address | undefined;
  pricePerPixel: Rational | undefined;
  /** Price at session creation: payments stop above twice this (§9 pinning). */
  readonly initialPrice: Rational | undefined;
  /** Last segment latency score; 0 until the first reply. */
  latencyScore = 0;
  /** Start times of segments in flight, oldest first. */
  inFlight: InFlight[] = [];
  /** "0x" + recipient_rand_hash of the current ticket params; undefined off-chain. */
  pmSessionId: string | undefined;
  /** EndTranscodingSession already sent. */
  ended = false;

  constructor(args: { candidate: Candidate; info: OrchestratorInfo; discoveryLatencyMs: number }) {
    this.uri = args.candidate.uri;
    this.score = args.candidate.score;
    this.trusted = args.candidate.score >= 1;
    this.stake = args.candidate.stake ?? 0n;
    this.discoveryLatencyMs = args.discoveryLatencyMs;
    this.info = args.info;
    this.address = infoAddress(args.info);
    this.pricePerPixel = safePrice(args.info);
    this.initialPrice = this.pricePerPixel;
    this.pmSessionId = infoPmSession(args.info);
  }

  /** A session from a discovery result. */
  static fromDiscovery(o: DiscoveredOrchestrator): BroadcastSession {
    return new BroadcastSession({ candidate: o.candidate, info: o.info, discoveryLatencyMs: o.latencyMs });
  }

  /** Work URL for `/segment` and EndTranscodingSession. */
  get transcoder(): string {
    return this.info.transcoder;
  }

  /** Ticket recipient (on-chain identity), else the info address. */
  get recipient(): string | undefined {
    const r = this.info.ticketParams?.recipient;
    return r && r.length === 20 ? bytesToHex0x(r) : this.address?.toLowerCase();
  }

  /**
   * Replaces the OrchestratorInfo (segment reply, payment reply or refresh). Returns what changed: new ticket
   * params mean a new PM session; a new auth session id means a new balance.
   */
  update(info: OrchestratorInfo): { pmSessionChanged: boolean; authSessionChanged: boolean } {
    const oldAuth = this.info.authToken?.sessionId;
    const oldPm = this.pmSessionId;
    this.info = info;
    this.address = infoAddress(info) ?? this.address;
    this.pricePerPixel = safePrice(info);
    this.pmSessionId = infoPmSession(info);
    return { pmSessionChanged: this.pmSessionId !== oldPm, authSessionChanged: info.authToken?.sessionId !== oldAuth };
  }

  /** The price is above twice the initial price (payments must stop). */
  priceMoreThanDoubled(): boolean {
    return !!(this.initialPrice && this.pricePerPixel && this.pricePerPixel.gt(this.initialPrice.mul(2n)));
  }
}

function infoAddress(info: OrchestratorInfo): Address | undefined {
  return info.address.length === 20 ? toChecksumAddress(info.address) : undefined;
}

function safePrice(info: OrchestratorInfo): Rational | undefined {
  try {
    return pricePerPixel(info.priceInfo);
  } catch {
    return undefined;
  }
}

function infoPmSession(info: OrchestratorInfo): string | undefined {
  const h = info.ticketParams?.recipientRandHash;
  return h && h.length > 0 ? pmSessionId(h) : undefined;
}

/** Why a session must be refreshed before use. */
export type RefreshReason = 'no auth token' | 'auth token expiring' | 'ticket params expiring';

/**
 * §8.6: refresh when now ≥ auth-token expiry − 3 min, or (when the L1 block is known and the session has ticket
 * params) when at most 1 block is left before the params expire. `nowMs` is unix ms. Null = use as is.
 */
export function needsRefresh(session: Pick<BroadcastSession, 'info'>, nowMs: number, lastL1Block?: bigint): RefreshReason | null {
  const token = session.info.authToken;
  if (!token) return 'no auth token';
  if (nowMs >= Number(token.expiration) * 1000 - AUTH_TOKEN_REFRESH_MARGIN_MS) return 'auth token expiring';
  const params = session.info.ticketParams;
  if (params && lastL1Block !== undefined) {
    if (bytesToBigint(params.expirationBlock) - lastL1Block <= TICKET_PARAMS_REFRESH_BLOCKS) return 'ticket params expiring';
  }
  return null;
}

/** Age limit of the oldest in-flight segment for last-used reuse: multiplier × duration (1.5 s floor for ≤ 1 s). */
export function inFlightLimitMs(durationMs: number, multiplier: number): number {
  return multiplier * (durationMs <= 1000 ? SHORT_SEGMENT_FLOOR_MS : durationMs);
}

/**
 * Last-used reuse rule (§11.2): an idle session iff 0 < LatencyScore ≤ 1.0; a busy one iff its oldest in-flight
 * segment is younger than multiplier × its duration.
 */
export function reusableAsLast(session: Pick<BroadcastSession, 'inFlight' | 'latencyScore'>, nowMs: number, multiplier: number): boolean {
  const oldest = session.inFlight[0];
  if (oldest) return nowMs - oldest.startedAt < inFlightLimitMs(oldest.durationMs, multiplier);
  return session.latencyScore > 0 && session.latencyScore <= LATENCY_SCORE_THRESHOLD;
}
