/**
 * The state of the event projection: sessions (streams and AI jobs) with their recent segments, failovers and
 * tickets, and the recent tickets and failovers across all sessions. The daemon (behind GET /v1/sessions,
 * /v1/tickets, /v1/failovers) and the dashboard fold the same events into this state with the same functions,
 * so `gw sessions ls` and the dashboard cannot disagree. Every collection is bounded by PROJECTION_CAPS.
 */
import { Ring } from '../../lib/collections/ring.js';
import type { SegmentRecord } from '../contract.js';

/** The one set of caps: what the daemon serves and what the dashboard keeps. */
export const PROJECTION_CAPS = {
  /** Sessions held at all, live and ended; past it the oldest ended one goes (the oldest live one if none). */
  sessions: 1000,
  /** Ended streams kept for `gw sessions ls/show` after they end. */
  endedStreams: 50,
  /** Ended AI jobs kept: one per request, so they come in larger numbers than streams and get their own cap. */
  endedAiJobs: 200,
  /** Latest latencies per session that p50/p95 are computed over. */
  latencySamples: 500,
  segmentsPerSession: 200,
  failoversPerSession: 100,
  ticketsPerSession: 100,
  /** Across sessions: the most `GET /v1/tickets?limit=` can return. */
  tickets: 1000,
  /** Across sessions: the most `GET /v1/failovers?limit=` can return. */
  failovers: 1000,
  /** Segments sent and not yet settled whose attempt number is remembered, per session. */
  pendingAttempts: 64,
} as const;

export type SessionKind = 'stream' | 'ai' | 'live';

/** A segment's outcome as the projection keeps it: the wire record with its time as Unix ms. */
export interface SegmentEntry extends Omit<SegmentRecord, 'at'> {
  readonly at: number;
}

/** One `tickets.sent` batch. */
export interface TicketEntry {
  readonly at: number;
  readonly sessionId: string;
  readonly recipient: string;
  /** Tickets in the batch (1 for rows that came from a snapshot). */
  readonly count: number;
  readonly firstNonce: number;
  /** Face value of each ticket. */
  readonly faceValueWei: bigint;
  readonly winProb: string;
  /** EV of the whole batch. */
  readonly evWei: bigint;
}

export interface FailoverEntry {
  readonly at: number;
  readonly sessionId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly attempt: number;
}

/** Numbers the daemon reported in a snapshot; preferred over local estimates by a client that joined late. */
export interface ReportedStats {
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly successRate: number | null;
}

export interface SessionState {
  readonly id: string;
  kind: SessionKind;
  ingest: 'rtmp' | 'http-push' | null;
  /** Rendition profiles of the stream, or the AI job's "pipeline/model" label. */
  renditions: string[];
  /** Renditions in the last transcoded segment, for when the profiles are not known. */
  renditionCount: number | null;
  orchestrator: string | null;
  /** Attempt number of segments sent and not yet settled (bounded), so a segment record shows its retries. */
  readonly pendingAttempts: Map<number, number>;
  segmentsOk: number;
  segmentsFailed: number;
  readonly latencies: Ring<number>;
  /** Bumped when `latencies` changes, so percentiles are sorted once per change, not once per read. */
  latencyVersion: number;
  percentileCache: { version: number; p50: number | undefined; p95: number | undefined } | null;
  reported: ReportedStats | null;
  /** EV of the tickets sent for this session: what it has cost in expectation. */
  spendWei: bigint;
  /** Fees of the transcoded segments as the orchestrators priced them. */
  feeWei: bigint;
  /** Unix ms. */
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  lastActivity: number;
  readonly segments: Ring<SegmentEntry>;
  readonly failovers: Ring<FailoverEntry>;
  readonly tickets: Ring<TicketEntry>;
}

export interface ProjectionState {
  /** By id, in creation order (the oldest first, which is what eviction relies on). */
  readonly sessions: Map<string, SessionState>;
  /** Sessions in the order they ended, per kind, for the ended caps. May hold sessions already replaced. */
  readonly endedOrder: { readonly stream: SessionState[]; readonly ai: SessionState[]; readonly live: SessionState[] };
  readonly tickets: Ring<TicketEntry>;
  readonly failovers: Ring<FailoverEntry>;
}

/** An empty projection. */
export function initialProjection(): ProjectionState {
  return {
    sessions: new Map(),
    endedOrder: { stream: [], ai: [], live: [] },
    tickets: new Ring(PROJECTION_CAPS.tickets),
    failovers: new Ring(PROJECTION_CAPS.failovers),
  };
}

/** A new session with empty buffers, started at `at` (unix ms). */
export function createSession(id: string, at: number, kind: SessionKind = 'stream'): SessionState {
  return {
    id,
    kind,
    ingest: null,
    renditions: [],
    renditionCount: null,
    orchestrator: null,
    pendingAttempts: new Map(),
    segmentsOk: 0,
    segmentsFailed: 0,
    latencies: new Ring(PROJECTION_CAPS.latencySamples),
    latencyVersion: 0,
    percentileCache: null,
    reported: null,
    spendWei: 0n,
    feeWei: 0n,
    startedAt: at,
    endedAt: null,
    endReason: null,
    lastActivity: at,
    segments: new Ring(PROJECTION_CAPS.segmentsPerSession),
    failovers: new Ring(PROJECTION_CAPS.failoversPerSession),
    tickets: new Ring(PROJECTION_CAPS.ticketsPerSession),
  };
}
