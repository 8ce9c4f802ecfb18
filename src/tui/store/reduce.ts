/**
 * The dashboard reducer: folds daemon events and periodic snapshots into DashboardState. Pure (no I/O, no
 * clock: times come from the events and snapshots), O(1) per event, and every buffer it writes is bounded.
 * It mutates the state in place and returns it, so a busy gateway costs no copying.
 */
import type {
  ConfigResponse,
  FailoverView,
  LiveStreamView,
  OrchestratorsResponse,
  SessionDetail,
  SessionView,
  StatusResponse,
  TicketView,
} from '../../api/contract.js';
import type { GwEvent, LogLine } from '../../api/events.js';
import { endAllSessions, projectEvent, seedSession, toWei } from '../../api/projection/index.js';
import { LIMITS, createOrchestrator, type DashboardState, type OrchestratorState, type SnapshotPart } from './dashboardState.js';
import { parsePrice } from './format.js';

export { toWei };

/** One poll of the control API's snapshot endpoints; parts the daemon lacks are absent. */
export interface Snapshot {
  readonly at: number;
  readonly status?: StatusResponse;
  readonly config?: ConfigResponse;
  readonly orchestrators?: OrchestratorsResponse;
  readonly sessions?: readonly SessionView[];
  readonly tickets?: readonly TicketView[];
  readonly failovers?: readonly FailoverView[];
  readonly live?: readonly LiveStreamView[];
  readonly sessionDetail?: SessionDetail;
  /** Endpoints that answered 404: the daemon does not have them (yet). */
  readonly missing?: readonly SnapshotPart[];
}

/**
 * Applies one event. Sessions, tickets and failovers are folded by the projection the daemon uses for
 * /v1/sessions, /v1/tickets and /v1/failovers; the rest (orchestrators, spend rates, chain, logs, alerts) here.
 */
export function applyEvent(state: DashboardState, ev: GwEvent): DashboardState {
  const sessionId = 'streamId' in ev ? ev.streamId : undefined;
  const before = sessionId === undefined ? undefined : usageOf(state, sessionId);
  projectEvent(state, ev);
  if (sessionId !== undefined) followUsage(state, before!, usageOf(state, sessionId), ev.ts);
  switch (ev.type) {
    case 'daemon.started':
      state.version = ev.version;
      state.mode = ev.mode;
      break;
    case 'daemon.stopping':
      pushLog(state, ev.ts, 'warn', 'daemon', `daemon stopping: ${ev.reason}`);
      break;
    case 'config.changed':
      state.config.set(ev.key, ev.value);
      if (ev.key === 'maxPricePerUnit' || ev.key === 'pixelsPerUnit') updateCapFromConfig(state);
      pushLog(state, ev.ts, 'info', 'config', `${ev.key} = ${JSON.stringify(ev.value)} (${ev.source}${ev.appliesAfterRestart ? ', after restart' : ''})`);
      break;
    case 'log':
      state.logs.push(ev);
      break;
    case 'segment.transcoded': {
      const o = orchestrator(state, ev.orchestrator, ev.ts);
      o.ok++;
      o.latencyMs = o.latencyMs === null ? ev.latencyMs : Math.round(o.latencyMs * 0.8 + ev.latencyMs * 0.2);
      break;
    }
    case 'segment.failed':
      if (ev.orchestrator) orchestrator(state, ev.orchestrator, ev.ts).failed++;
      break;
    case 'orchestrator.selected': {
      const o = orchestrator(state, ev.orchestrator, ev.ts);
      if (ev.address) o.address = ev.address;
      o.price = parsePrice(ev.pricePerPixel) ?? o.price;
      o.priceText = null;
      o.suspended = null;
      break;
    }
    case 'orchestrator.suspended':
      orchestrator(state, ev.orchestrator, ev.ts).suspended = { penalty: ev.penalty, reason: ev.reason };
      break;
    case 'orchestrator.rejected':
      orchestrator(state, ev.orchestrator, ev.ts).rejected = { reason: ev.reason, detail: ev.detail };
      break;
    case 'tickets.sent': {
      const t = state.tickets.last()!;
      state.ticketWindow.add(ev.ts, ev.count, t.evWei);
      state.ticketTotals.count += ev.count;
      state.ticketTotals.evWei += t.evWei;
      const key = ev.recipient.toLowerCase();
      let r = state.ticketsByRecipient.get(key);
      if (!r) {
        if (state.ticketsByRecipient.size >= LIMITS.orchestrators) state.ticketsByRecipient.delete(state.ticketsByRecipient.keys().next().value as string);
        r = { count: 0, evWei: 0n, faceValueWei: 0n };
        state.ticketsByRecipient.set(key, r);
      }
      r.count += ev.count;
      r.evWei += t.evWei;
      r.faceValueWei += t.faceValueWei * BigInt(ev.count);
      break;
    }
    case 'chain.updated': {
      const deposit = toWei(ev.depositWei);
      if (state.chain && deposit < state.chain.depositWei) state.depositDrawnWei += state.chain.depositWei - deposit;
      state.chain = { depositWei: deposit, reserveWei: toWei(ev.reserveWei), round: ev.round, senderState: ev.senderState, at: ev.ts };
      break;
    }
    case 'alert':
      state.alerts.push({ alert: ev.alert, severity: ev.severity, message: ev.message, seq: ev.seq, ts: ev.ts, dismissed: false });
      break;
    default:
      // session events are the projection's; an event type newer than this dashboard is counted, otherwise ignored
      break;
  }
  state.lastSeq = ev.seq;
  state.eventsApplied++;
  state.lastEventAt = ev.ts;
  state.revision++;
  return state;
}

/** Applies one snapshot: what the daemon reports wins over what was pieced together from events. */
export function applySnapshot(state: DashboardState, snap: Snapshot): DashboardState {
  for (const m of snap.missing ?? []) state.missing.add(m);
  if (snap.status) {
    state.status = snap.status;
    state.statusAt = snap.at;
    state.version = snap.status.version;
    state.mode = snap.status.mode;
    state.daemonKey = daemonKeyOf(snap.status);
  }
  if (snap.config) {
    state.configEntries = snap.config.settings;
    for (const e of snap.config.settings) state.config.set(e.key, e.value);
    updateCapFromConfig(state);
  }
  if (snap.orchestrators) applyOrchestrators(state, snap.orchestrators, snap.at);
  if (snap.sessions) {
    for (const v of snap.sessions) seedSession(state, v, snap.at);
    if (!snap.orchestrators) recountInUse(state);
  }
  if (snap.tickets) state.serverTickets = [...snap.tickets];
  if (snap.failovers) state.serverFailovers = [...snap.failovers];
  // the daemon's list is whole (its own fps, latency and swaps): polled, never pieced together from live.event
  if (snap.live) state.liveStreams = [...snap.live];
  if (snap.sessionDetail) state.sessionDetail = { id: snap.sessionDetail.id, detail: snap.sessionDetail, at: snap.at };
  state.revision++;
  return state;
}

/**
 * The daemon restarted (new pid or start time): its sessions are gone and its event numbers start again.
 * Logs, failovers and tickets stay, since they are history the operator may still want to read.
 */
export function markDaemonRestarted(state: DashboardState, at: number): DashboardState {
  endAllSessions(state, at, 'daemon restarted');
  for (const o of state.orchestrators.values()) o.inUse = 0;
  state.lastSeq = 0;
  state.status = null;
  state.daemonKey = null;
  state.serverTickets = null;
  state.serverFailovers = null;
  state.liveStreams = null;
  state.sessionDetail = null;
  state.missing.clear();
  pushLog(state, at, 'warn', 'dashboard', 'the daemon restarted; sessions of the previous run are marked ended');
  state.revision++;
  return state;
}

/** Hides the alerts raised so far from the banner. */
export function dismissAlerts(state: DashboardState): DashboardState {
  for (const a of state.alerts.toArray()) a.dismissed = true;
  state.revision++;
  return state;
}

/** "pid@startedAt": tells a restarted daemon from the one we followed. */
export function daemonKeyOf(status: Pick<StatusResponse, 'pid' | 'startedAt'>): string {
  return `${status.pid}@${status.startedAt}`;
}

/** A session's claim on an orchestrator: counted in that orchestrator's "in use" while the session is live. */
interface Usage {
  readonly orchestrator: string | null;
  readonly live: boolean;
}

function usageOf(state: DashboardState, id: string): Usage {
  const s = state.sessions.get(id);
  return { orchestrator: s?.orchestrator ?? null, live: s !== undefined && s.endedAt === null };
}

/** Moves the session's "in use" count when the event changed its orchestrator or ended it. */
function followUsage(state: DashboardState, before: Usage, after: Usage, at: number): void {
  if (before.orchestrator === after.orchestrator && before.live === after.live) return;
  if (before.live && before.orchestrator) {
    const old = state.orchestrators.get(before.orchestrator);
    if (old) old.inUse = Math.max(0, old.inUse - 1);
  }
  if (after.live && after.orchestrator) orchestrator(state, after.orchestrator, at).inUse++;
}

function orchestrator(state: DashboardState, uri: string, at: number): OrchestratorState {
  let o = state.orchestrators.get(uri);
  if (!o) {
    if (state.orchestrators.size >= LIMITS.orchestrators) {
      for (const c of state.orchestrators.values()) {
        if (c.inUse === 0) {
          state.orchestrators.delete(c.uri);
          break;
        }
      }
    }
    o = createOrchestrator(uri, at);
    state.orchestrators.set(uri, o);
  }
  o.lastSeen = Math.max(o.lastSeen, at);
  return o;
}

function pushLog(state: DashboardState, ts: number, level: LogLine['level'], module: string, msg: string): void {
  state.logs.push({ type: 'log', seq: 0, ts, level, module, msg });
}

function updateCapFromConfig(state: DashboardState): void {
  const raw = String(state.config.get('maxPricePerUnit') ?? '');
  // a fiat cap is converted by the daemon at the feed's rate: the next orchestrators snapshot carries it in wei
  if (/usd$/i.test(raw.trim())) return;
  const price = parsePrice(raw);
  const pixels = Number(state.config.get('pixelsPerUnit') ?? 1);
  state.maxPricePerPixel = price && !price.isZero() && Number.isSafeInteger(pixels) && pixels > 0 ? price.div(BigInt(pixels)) : undefined;
}

function applyOrchestrators(state: DashboardState, res: OrchestratorsResponse, at: number): void {
  const listed = new Set<string>();
  for (const v of res.orchestrators) {
    listed.add(v.uri);
    const o = state.orchestrators.get(v.uri) ?? createOrchestrator(v.uri, at);
    state.orchestrators.set(v.uri, o);
    o.address = v.address;
    o.price = parsePrice(v.pricePerPixel);
    o.priceText = v.pricePerPixelWei;
    o.latencyMs = v.latencyMs;
    o.latencyScore = v.latencyScore;
    o.serverSuccessRate = v.successRate;
    o.inUse = v.inUse;
    o.suspended = v.suspended ? { ...v.suspended } : null;
    o.rejected = v.rejected ? { ...v.rejected } : null;
    const seen = Date.parse(v.lastSeen);
    o.lastSeen = Number.isFinite(seen) ? seen : at;
  }
  // the daemon's list is complete: an orchestrator it no longer knows is gone
  for (const uri of [...state.orchestrators.keys()]) if (!listed.has(uri)) state.orchestrators.delete(uri);
  state.maxPricePerPixel = parsePrice(res.maxPricePerPixel);
}

function recountInUse(state: DashboardState): void {
  for (const o of state.orchestrators.values()) o.inUse = 0;
  for (const s of state.sessions.values()) {
    if (s.endedAt === null && s.orchestrator) {
      const o = state.orchestrators.get(s.orchestrator);
      if (o) o.inUse++;
    }
  }
}
