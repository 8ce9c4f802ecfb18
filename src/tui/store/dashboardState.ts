/**
 * The dashboard's state: everything learnt from the daemon's events and snapshots, in bounded buffers.
 * It is mutated in place by the reducer (reduce.ts) so that one event costs O(1); views are derived from it
 * at render time (view.ts), at most ten times a second.
 */
import type { ConfigEntry, FailoverView, LiveStreamView, SessionDetail, StatusResponse, TicketView } from '../../api/contract.js';
import type { AlertRaised, GatewayMode, LogLine } from '../../api/events.js';
import { initialProjection, PROJECTION_CAPS, type ProjectionState } from '../../api/projection/index.js';
import { Ring } from '../../lib/collections/ring.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { RollingWindow } from './rollingWindow.js';

export type { FailoverEntry, SegmentEntry, SessionState, TicketEntry } from '../../api/projection/index.js';

/** Caps on every collection the dashboard keeps; sessions, tickets and failovers share the daemon's. */
export const LIMITS = {
  ...PROJECTION_CAPS,
  orchestrators: 500,
  logs: 1000,
  alerts: 20,
  /** Seconds of ticket history behind the sparklines and the EV per minute. */
  windowSeconds: 60,
} as const;

export interface OrchestratorState {
  uri: string;
  address: string | null;
  price: Rational | undefined;
  /** Price as the daemon printed it (wei per pixel, up to 3 decimals), when it says so. */
  priceText: string | null;
  latencyMs: number | null;
  latencyScore: number | null;
  /** The daemon's success rate, when it reports one; else computed from ok/failed. */
  serverSuccessRate: number | null;
  ok: number;
  failed: number;
  /** Active sessions on this orchestrator, as counted from events; replaced by snapshots. */
  inUse: number;
  suspended: { penalty: number; reason: string } | null;
  rejected: { reason: string; detail: string } | null;
  lastSeen: number;
}

export interface ChainState {
  depositWei: bigint;
  reserveWei: bigint;
  round: string;
  senderState: string;
  at: number;
}

export interface AlertEntry extends Omit<AlertRaised, 'type'> {
  dismissed: boolean;
}

/** Which snapshot endpoints the daemon has: a 404 marks one as missing and it is then skipped. */
export type SnapshotPart = 'status' | 'config' | 'orchestrators' | 'sessions' | 'tickets' | 'failovers' | 'live' | 'session';

/**
 * Sessions, tickets and failovers are the projection's (src/api/projection), folded with the daemon's own
 * functions; the rest is the dashboard's.
 */
export interface DashboardState extends ProjectionState {
  status: StatusResponse | null;
  /** When `status` was fetched, to advance the uptime between snapshots. */
  statusAt: number;
  /** Daemon identity (pid + start time): a change means the daemon restarted. */
  daemonKey: string | null;
  mode: GatewayMode | null;
  version: string | null;
  config: Map<string, unknown>;
  /** The gateway's price cap per pixel; undefined when any price is accepted or unknown. */
  maxPricePerPixel: Rational | undefined;
  chain: ChainState | null;
  /** Sum of deposit decreases seen (winning tickets redeemed, or withdrawals): the on-chain spend. */
  depositDrawnWei: bigint;
  orchestrators: Map<string, OrchestratorState>;
  /** Tickets per second and EV (wei) per second over the last minute. */
  ticketWindow: RollingWindow;
  ticketTotals: { count: number; evWei: bigint };
  /** Per recipient address: tickets and EV since the dashboard started (plus replayed history). */
  ticketsByRecipient: Map<string, { count: number; evWei: bigint; faceValueWei: bigint }>;
  logs: Ring<LogLine>;
  alerts: Ring<AlertEntry>;
  /** Detail of the session the operator opened, from GET /v1/sessions/{id}. */
  sessionDetail: { id: string; detail: SessionDetail; at: number } | null;
  missing: Set<SnapshotPart>;
  /** Snapshot lists that are authoritative when the daemon serves them. */
  serverTickets: TicketView[] | null;
  serverFailovers: FailoverView[] | null;
  configEntries: ConfigEntry[] | null;
  /** Live AI streams as GET /v1/live last listed them (running, then recently ended); null until it answers. */
  liveStreams: LiveStreamView[] | null;
  lastSeq: number;
  eventsApplied: number;
  lastEventAt: number;
  /** Bumped on every change: the render loop compares it to skip frames with nothing new. */
  revision: number;
}

/** An empty state. */
export function createDashboardState(): DashboardState {
  return {
    status: null,
    statusAt: 0,
    daemonKey: null,
    mode: null,
    version: null,
    config: new Map(),
    maxPricePerPixel: undefined,
    chain: null,
    depositDrawnWei: 0n,
    ...initialProjection(),
    orchestrators: new Map(),
    ticketWindow: new RollingWindow(LIMITS.windowSeconds, 1000),
    ticketTotals: { count: 0, evWei: 0n },
    ticketsByRecipient: new Map(),
    logs: new Ring(LIMITS.logs),
    alerts: new Ring(LIMITS.alerts),
    sessionDetail: null,
    missing: new Set(),
    serverTickets: null,
    serverFailovers: null,
    configEntries: null,
    liveStreams: null,
    lastSeq: 0,
    eventsApplied: 0,
    lastEventAt: 0,
    revision: 0,
  };
}

/** A new orchestrator entry. */
export function createOrchestrator(uri: string, at: number): OrchestratorState {
  return {
    uri,
    address: null,
    price: undefined,
    priceText: null,
    latencyMs: null,
    latencyScore: null,
    serverSuccessRate: null,
    ok: 0,
    failed: 0,
    inUse: 0,
    suspended: null,
    rejected: null,
    lastSeen: at,
  };
}
