/** The view model: what one frame of the dashboard shows, as display strings the components lay out. */
import type { LogLine } from '../../api/events.js';

export type ConnectionStateName = 'connecting' | 'live' | 'reconnecting' | 'down';

/** The feed's connection to the daemon, as shown in the status bar. */
export interface ConnectionInfo {
  readonly state: ConnectionStateName;
  readonly lastError?: string;
  /** When the next attempt starts (unix ms), while not live. */
  readonly nextRetryAt?: number;
  /** Consecutive failed attempts. */
  readonly attempt: number;
  /** Control API URL of the daemon followed last. */
  readonly url?: string;
  readonly since: number;
}

export interface OverviewView {
  readonly mode: string;
  readonly network: string;
  readonly version: string;
  readonly uptime: string;
  readonly draining: boolean;
  readonly endpoints: ReadonlyArray<readonly [string, string]>;
  readonly deposit: string;
  readonly reserve: string;
  readonly senderState: string;
  readonly evPerMinute: string;
  readonly runway: string;
  readonly ticketsPerSec: string;
  readonly evPerSec: string;
  readonly ticketSpark: readonly number[];
  readonly orchestrators: string;
  readonly sessions: string;
  /** "2 running, 1 ended · 1 swap", or why there is nothing to count. */
  readonly live: string;
  /** What is running now, video and live AI: where it plays, on which orchestrator, how healthy. */
  readonly active: readonly OverviewStream[];
  /** The last few failovers and swaps, newest first. */
  readonly recentFailovers: readonly FailoverRow[];
}

/** One running stream on the overview. */
export interface OverviewStream {
  readonly id: string;
  /** 'video' or the live pipeline. */
  readonly what: string;
  readonly orchestrator: string;
  /** Success rate (video) or runner state and fps (live AI). */
  readonly health: string;
  readonly hls: string;
}

export interface SessionRow {
  /** The session id exactly as the daemon gave it (for lookups); `id` is the display form. */
  readonly key: string;
  readonly id: string;
  readonly kind: 'stream' | 'ai' | 'live';
  readonly orchestrator: string;
  readonly renditions: string;
  readonly ok: string;
  readonly failed: string;
  readonly p50: string;
  readonly p95: string;
  readonly success: string;
  readonly spend: string;
  readonly active: boolean;
  readonly age: string;
}

/** One live AI stream (GET /v1/live), as the Live AI panel shows it. */
export interface LiveRow {
  /** The stream name exactly as the daemon gave it; `stream` is the display form. */
  readonly key: string;
  readonly stream: string;
  readonly streamId: string;
  readonly pipeline: string;
  readonly orchestrator: string;
  /** gw's state: starting, running, swapping, ended. */
  readonly state: string;
  /** The runner's last reported state (ONLINE, DEGRADED_INFERENCE, …) or "—". */
  readonly runner: string;
  /** "15.0/14.8": input and output frames per second. */
  readonly fps: string;
  readonly latency: string;
  readonly swaps: string;
  /** The last swap's reason, "" without swaps. */
  readonly lastSwap: string;
  /** "from → to: reason" of the last swap, for the footer. */
  readonly lastSwapDetail: string;
  readonly spend: string;
  /** The latest params as one line of JSON. */
  readonly params: string;
  readonly hlsUrl: string;
  readonly age: string;
  readonly active: boolean;
  /** Why it ended, "" while it runs. */
  readonly endReason: string;
}

export interface OrchestratorRow {
  readonly uri: string;
  readonly address: string;
  readonly price: string;
  /** true above the cap, false within it, undefined without a cap or a price. */
  readonly overCap: boolean | undefined;
  readonly latency: string;
  readonly score: string;
  readonly success: string;
  readonly inUse: string;
  readonly state: 'in use' | 'usable' | 'suspended' | 'rejected';
  /** "penalty 3: reason" or the reject reason. */
  readonly note: string;
  readonly detail: string;
}

export interface FailoverRow {
  readonly at: string;
  readonly sessionId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly attempt: string;
}

export interface TicketRow {
  readonly at: string;
  readonly sessionId: string;
  readonly recipient: string;
  readonly nonce: string;
  readonly faceValue: string;
  readonly winProb: string;
  readonly ev: string;
}

export interface RecipientRow {
  readonly recipient: string;
  readonly orchestrator: string;
  readonly tickets: string;
  readonly ev: string;
}

export interface TicketsView {
  readonly ticketSeries: readonly number[];
  readonly evSeries: readonly bigint[];
  readonly ticketsPerSec: string;
  readonly evPerSec: string;
  readonly evPerMinute: string;
  readonly totalTickets: string;
  readonly totalEv: string;
  /** Deposit drawn on-chain (winning tickets redeemed) when on-chain, else null. */
  readonly redeemed: string | null;
  readonly byRecipient: readonly RecipientRow[];
  readonly recent: readonly TicketRow[];
}

export interface LogRow {
  readonly at: string;
  readonly level: LogLine['level'];
  readonly module: string;
  readonly msg: string;
}

export interface AlertRow {
  readonly at: string;
  readonly severity: 'warning' | 'critical';
  readonly alert: string;
  readonly message: string;
}

export interface SegmentRow {
  readonly seq: string;
  readonly at: string;
  readonly orchestrator: string;
  readonly ok: boolean;
  readonly latency: string;
  readonly attempts: string;
  readonly error: string;
}

export interface SessionDetailView {
  readonly row: SessionRow;
  readonly startedAt: string;
  readonly ended: string | null;
  readonly profiles: string;
  readonly fees: string;
  readonly segments: readonly SegmentRow[];
  readonly failovers: readonly FailoverRow[];
  readonly tickets: readonly TicketRow[];
}

export interface DashboardView {
  readonly now: number;
  readonly connection: ConnectionInfo;
  readonly hasData: boolean;
  readonly overview: OverviewView;
  readonly sessions: readonly SessionRow[];
  readonly orchestrators: readonly OrchestratorRow[];
  readonly cap: string;
  readonly failovers: readonly FailoverRow[];
  readonly tickets: TicketsView;
  readonly live: readonly LiveRow[];
  readonly logs: readonly LogRow[];
  readonly alerts: readonly AlertRow[];
  readonly detail: SessionDetailView | null;
  readonly eventsApplied: number;
  /** Snapshot endpoints the daemon lacks, e.g. "orchestrators". */
  readonly missing: readonly string[];
}
