/**
 * Views derived from DashboardState for one frame: plain rows of display strings that the components lay
 * out. Built at most ten times a second, never per event; pausing the dashboard keeps the last view.
 */
import type { LogLine } from '../../api/events.js';
import type {
  ConnectionInfo,
  DashboardView,
  FailoverRow,
  LogRow,
  OrchestratorRow,
  OverviewStream,
  OverviewView,
  SegmentRow,
  SessionDetailView,
  SessionRow,
  TicketRow,
  TicketsView,
} from './viewModel.js';
import { failoverFromView, listSessions, sessionLatency, sessionSuccessRate, ticketFromView } from '../../api/projection/index.js';
import { successRate } from './stats.js';
import { LIMITS, type DashboardState, type FailoverEntry, type SessionState, type TicketEntry } from './dashboardState.js';
import {
  formatClock,
  formatDurationShort,
  formatEthExact,
  formatMs,
  formatPct,
  formatPrice,
  formatRate,
  formatWei,
  formatWinProb,
  oneLine,
  shortAddress,
  shortUri,
} from './format.js';
import { liveOverview, liveRow, liveRows } from './liveView.js';
import { runwayMs, spendRate } from './spend.js';

export type * from './viewModel.js';

const ALERT_TTL_MS = 10 * 60_000;
const MAX_BANNERS = 2;

/** Builds the frame's view; `focus` is the session whose detail is open, if any. */
export function buildView(state: DashboardState, connection: ConnectionInfo, now: number, focus: string | null = null): DashboardView {
  const rate = spendRate(state.ticketWindow, now);
  const sessions = sessionRows(state, now);
  const focused = focus ? state.sessions.get(focus) : undefined;
  return {
    now,
    connection,
    hasData: state.status !== null || state.eventsApplied > 0,
    overview: overview(state, now, rate),
    sessions,
    orchestrators: orchestratorRows(state),
    cap: state.maxPricePerPixel ? `${formatPrice(state.maxPricePerPixel)} wei/px` : 'none (any price)',
    failovers: failoverRows(state),
    tickets: tickets(state, now, rate),
    live: liveRows(state, now),
    logs: state.logs.toArray().map(logRow),
    alerts: state.alerts
      .newest(LIMITS.alerts)
      .filter((a) => !a.dismissed && now - a.ts < ALERT_TTL_MS)
      .slice(0, MAX_BANNERS)
      .map((a) => ({ at: formatClock(a.ts), severity: a.severity, alert: oneLine(a.alert), message: oneLine(a.message) })),
    detail: focused ? sessionDetail(state, focused, now) : null,
    eventsApplied: state.eventsApplied,
    missing: [...state.missing].sort(),
  };
}

function overview(state: DashboardState, now: number, rate: ReturnType<typeof spendRate>): OverviewView {
  const st = state.status;
  const chain = state.chain;
  const offChain = state.mode === 'off-chain';
  const runway = chain ? runwayMs(chain.depositWei, rate.evPerMinWei) : undefined;
  let usable = 0;
  let rejected = 0;
  for (const o of state.orchestrators.values()) {
    if (o.rejected) rejected++;
    else usable++;
  }
  let streams = 0;
  let ai = 0;
  for (const s of state.sessions.values()) {
    if (s.endedAt !== null) continue;
    if (s.kind === 'ai') ai++;
    else streams++;
  }
  const orchs = st ? st.orchestrators : { known: state.orchestrators.size, usable, rejected };
  const sess = st ? st.sessions : { active: streams + ai, streams, aiJobs: ai };
  return {
    mode: state.mode ?? '—',
    network: st?.network ?? '—',
    version: state.version ?? '—',
    uptime: st ? formatDurationShort(st.uptimeMs + Math.max(0, now - state.statusAt)) : '—',
    draining: st?.draining ?? false,
    endpoints: st
      ? [
          ['Control', st.endpoints.control],
          ['HTTP', st.endpoints.http],
          ['RTMP', st.endpoints.rtmp],
          ['Metrics', st.endpoints.metrics],
        ]
      : [],
    deposit: chain ? formatEthExact(chain.depositWei) : offChain ? 'n/a (off-chain)' : '—',
    reserve: chain ? formatEthExact(chain.reserveWei) : offChain ? 'n/a (off-chain)' : '—',
    senderState: chain ? `${chain.senderState} (round ${chain.round})` : offChain ? 'n/a (off-chain)' : '—',
    evPerMinute: `${formatWei(rate.evPerMinWei)}/min`,
    runway: chain ? (runway === undefined ? '∞ (nothing spent in the last minute)' : formatDurationShort(runway)) : offChain ? 'n/a (off-chain)' : '—',
    ticketsPerSec: formatRate(rate.ticketsPerSec),
    evPerSec: `${formatWei(rate.evPerSecWei)}/s`,
    ticketSpark: state.ticketWindow.countSeries(now),
    orchestrators: `${orchs.usable} usable, ${orchs.rejected} rejected (${orchs.known} known)`,
    sessions: `${sess.streams} streams, ${sess.aiJobs} AI jobs (${sess.active} active)`,
    live: liveOverview(state),
    active: activeStreams(state, st?.endpoints.http),
    recentFailovers: failoverRows(state).slice(0, OVERVIEW_FAILOVERS),
  };
}

/** Failovers the overview lists. */
const OVERVIEW_FAILOVERS = 3;
/** Streams the overview lists (the Sessions and Live AI tabs have them all). */
const OVERVIEW_STREAMS = 6;

/** Running video streams (with their HLS URL on the gateway) and running live AI streams, for the overview. */
function activeStreams(state: DashboardState, http: string | undefined): OverviewStream[] {
  const out: OverviewStream[] = [];
  for (const v of state.liveStreams ?? []) {
    if (v.state === 'ended') continue;
    const r = liveRow(v, 0);
    out.push({ id: r.stream, what: r.pipeline, orchestrator: r.orchestrator, health: `${r.runner} ${r.fps} fps`, hls: oneLine(v.hlsUrl) });
  }
  for (const s of state.sessions.values()) {
    if (s.endedAt !== null || s.kind !== 'stream') continue;
    const rate = sessionSuccessRate(s);
    out.push({
      id: oneLine(s.id),
      what: 'video',
      orchestrator: s.orchestrator ? shortUri(s.orchestrator) : '—',
      health: rate === null ? '—' : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}% ok`,
      hls: http ? oneLine(`${http}/stream/${s.id}.m3u8`) : '—',
    });
  }
  return out.slice(0, OVERVIEW_STREAMS);
}

// The numbers of a row are the projection's (sessionLatency, sessionSuccessRate): what GET /v1/sessions serves.
function sessionRow(s: SessionState, now: number): SessionRow {
  const { p50Ms: p50, p95Ms: p95 } = sessionLatency(s);
  const rate = sessionSuccessRate(s);
  const renditions = s.renditions.length > 0 ? String(s.renditions.length) : s.renditionCount !== null ? String(s.renditionCount) : '—';
  return {
    key: s.id,
    id: oneLine(s.id),
    kind: s.kind,
    orchestrator: s.orchestrator ? shortUri(s.orchestrator) : '—',
    renditions,
    ok: String(s.segmentsOk),
    failed: String(s.segmentsFailed),
    p50: formatMs(p50),
    p95: formatMs(p95),
    success: formatPct(rate),
    spend: formatWei(s.spendWei),
    active: s.endedAt === null,
    age: formatDurationShort((s.endedAt ?? now) - s.startedAt),
  };
}

/** In the order `gw sessions ls` lists them. */
function sessionRows(state: DashboardState, now: number): SessionRow[] {
  return listSessions(state).map((s) => sessionRow(s, now));
}

function orchestratorRows(state: DashboardState): OrchestratorRow[] {
  const cap = state.maxPricePerPixel;
  const rank = (r: OrchestratorRow) => ['in use', 'usable', 'suspended', 'rejected'].indexOf(r.state);
  const rows = [...state.orchestrators.values()].map((o): OrchestratorRow => {
    const state$: OrchestratorRow['state'] = o.rejected ? 'rejected' : o.suspended ? 'suspended' : o.inUse > 0 ? 'in use' : 'usable';
    const note = oneLine(o.rejected ? o.rejected.reason : o.suspended ? `penalty ${o.suspended.penalty}: ${o.suspended.reason}` : '');
    const detail = oneLine(o.rejected ? `${o.rejected.reason}: ${o.rejected.detail}` : o.suspended ? `suspended, penalty ${o.suspended.penalty}: ${o.suspended.reason}` : '');
    return {
      uri: shortUri(o.uri),
      address: shortAddress(o.address),
      price: o.priceText ?? formatPrice(o.price),
      overCap: cap && o.price ? o.price.gt(cap) : undefined,
      latency: formatMs(o.latencyMs),
      score: o.latencyScore === null ? '—' : o.latencyScore.toFixed(2),
      success: formatPct(o.serverSuccessRate ?? successRate(o.ok, o.failed)),
      inUse: String(o.inUse),
      state: state$,
      note,
      detail,
    };
  });
  return rows.sort((a, b) => rank(a) - rank(b) || Number(b.inUse) - Number(a.inUse) || a.uri.localeCompare(b.uri));
}

/** The daemon's list when it serves one (it saw every failover), else the ones folded here; newest first. */
function failoverRows(state: DashboardState): FailoverRow[] {
  const list = state.serverFailovers ? state.serverFailovers.map(failoverFromView) : state.failovers.newest(state.failovers.size);
  return list.map(failoverRow);
}

function failoverRow(f: FailoverEntry): FailoverRow {
  return { at: formatClock(f.at), sessionId: oneLine(f.sessionId), from: shortUri(f.from), to: shortUri(f.to), reason: oneLine(f.reason), attempt: String(f.attempt) };
}

// Rows of entries that never change once recorded are formatted once, not on every frame.
const logRows = new WeakMap<LogLine, LogRow>();
const ticketRows = new WeakMap<TicketEntry, TicketRow>();

function logRow(l: LogLine): LogRow {
  let r = logRows.get(l);
  if (!r) {
    r = { at: formatClock(l.ts), level: l.level, module: oneLine(l.module), msg: oneLine(l.msg) };
    logRows.set(l, r);
  }
  return r;
}

function cachedTicketRow(t: TicketEntry): TicketRow {
  let r = ticketRows.get(t);
  if (!r) {
    r = ticketRow(t);
    ticketRows.set(t, r);
  }
  return r;
}

function ticketRow(t: TicketEntry): TicketRow {
  return {
    at: formatClock(t.at),
    sessionId: oneLine(t.sessionId),
    recipient: shortAddress(t.recipient),
    nonce: t.count > 1 ? `${t.firstNonce}–${t.firstNonce + t.count - 1}` : String(t.firstNonce),
    faceValue: formatWei(t.faceValueWei),
    winProb: formatWinProb(t.winProb),
    ev: formatWei(t.evWei),
  };
}

function tickets(state: DashboardState, now: number, rate: ReturnType<typeof spendRate>): TicketsView {
  const byAddress = new Map<string, string>();
  for (const o of state.orchestrators.values()) if (o.address) byAddress.set(o.address.toLowerCase(), shortUri(o.uri));
  const byRecipient = [...state.ticketsByRecipient.entries()]
    .sort((a, b) => (b[1].evWei > a[1].evWei ? 1 : b[1].evWei < a[1].evWei ? -1 : 0))
    .map(([addr, r]) => ({ recipient: shortAddress(addr), orchestrator: byAddress.get(addr) ?? '—', tickets: String(r.count), ev: formatWei(r.evWei) }));
  const recent = state.serverTickets ? state.serverTickets.map((t) => ticketRow(ticketFromView(t))) : state.tickets.newest(state.tickets.size).map(cachedTicketRow);
  return {
    ticketSeries: state.ticketWindow.countSeries(now),
    evSeries: state.ticketWindow.amountSeries(now),
    ticketsPerSec: formatRate(rate.ticketsPerSec),
    evPerSec: `${formatWei(rate.evPerSecWei)}/s`,
    evPerMinute: `${formatWei(rate.evPerMinWei)}/min`,
    totalTickets: String(state.ticketTotals.count),
    totalEv: formatWei(state.ticketTotals.evWei),
    redeemed: state.mode === 'on-chain' || state.chain ? formatWei(state.depositDrawnWei) : null,
    byRecipient,
    recent,
  };
}

/** The daemon's detail when it was fetched for this session, else what was folded here; every list newest first. */
function sessionDetail(state: DashboardState, s: SessionState, now: number): SessionDetailView {
  const server = state.sessionDetail?.id === s.id ? state.sessionDetail.detail : undefined;
  const segments = server ? [...server.segments].reverse().map((g) => ({ ...g, at: Date.parse(g.at) })) : s.segments.newest(s.segments.size);
  const failovers = server ? [...server.failovers].reverse().map(failoverFromView) : s.failovers.newest(s.failovers.size);
  const tickets = server ? [...server.tickets].reverse().map(ticketFromView) : s.tickets.newest(s.tickets.size);
  return {
    row: sessionRow(s, now),
    startedAt: formatClock(s.startedAt),
    ended: s.endedAt === null ? null : `${formatClock(s.endedAt)}${s.endReason ? ` (${s.endReason})` : ''}`,
    profiles: s.renditions.length > 0 ? s.renditions.join(', ') : '—',
    fees: formatWei(s.feeWei),
    segments: segments.map(
      (g): SegmentRow => ({
        seq: String(g.seq),
        at: formatClock(g.at),
        orchestrator: g.orchestrator ? shortUri(g.orchestrator) : '—',
        ok: g.ok,
        latency: formatMs(g.latencyMs),
        attempts: String(g.attempts),
        error: oneLine(g.error ?? ''),
      }),
    ),
    failovers: failovers.map(failoverRow),
    tickets: tickets.map(ticketRow),
  };
}
