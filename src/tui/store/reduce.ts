/**
 * The dashboard reducer: folds daemon events and periodic snapshots into DashboardState. Pure (no I/O, no
 * clock: times come from the events and snapshots), O(1) per event, and every buffer it writes is bounded.
 * It mutates the state in place and returns it, so a busy gateway costs no copying.
 */
import type {
  ConfigResponse,
  FailoverView,
  OrchestratorsResponse,
  SessionDetail,
  SessionView,
  StatusResponse,
  TicketView,
} from '../../api/contract.js';
import type { GwEvent, LogLine } from '../../api/events.js';
import {
  LIMITS,
  createOrchestrator,
  createSession,
  type DashboardState,
  type OrchestratorState,
  type SessionState,
  type SnapshotPart,
} from './dashboardState.js';
import { parsePrice } from './format.js';

/** One poll of the control API's snapshot endpoints; parts the daemon lacks are absent. */
export interface Snapshot {
  readonly at: number;
  readonly status?: StatusResponse;
  readonly config?: ConfigResponse;
  readonly orchestrators?: OrchestratorsResponse;
  readonly sessions?: readonly SessionView[];
  readonly tickets?: readonly TicketView[];
  readonly failovers?: readonly FailoverView[];
  readonly sessionDetail?: SessionDetail;
  /** Endpoints that answered 404: the daemon does not have them (yet). */
  readonly missing?: readonly SnapshotPart[];
}

const PENDING_ATTEMPTS = 64;

/** Applies one event. */
export function applyEvent(state: DashboardState, ev: GwEvent): DashboardState {
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
    case 'stream.started': {
      const s = session(state, ev.streamId, ev.ts);
      s.ingest = ev.ingest;
      s.renditions = ev.profiles;
      s.startedAt = ev.ts;
      s.endedAt = null;
      s.endReason = null;
      break;
    }
    case 'stream.ended': {
      const s = session(state, ev.streamId, ev.ts);
      endSession(state, s, ev.ts, ev.reason);
      s.segmentsFailed = Math.max(s.segmentsFailed, ev.failed);
      s.segmentsOk = Math.max(s.segmentsOk, ev.segments - ev.failed);
      break;
    }
    case 'segment.sent': {
      const s = session(state, ev.streamId, ev.ts);
      if (s.orchestrator === null) setSessionOrchestrator(state, s, ev.orchestrator, ev.ts);
      s.pendingAttempts.set(ev.segment, ev.attempt);
      if (s.pendingAttempts.size > PENDING_ATTEMPTS) s.pendingAttempts.delete(s.pendingAttempts.keys().next().value as number);
      break;
    }
    case 'segment.transcoded': {
      const s = session(state, ev.streamId, ev.ts);
      s.segmentsOk++;
      s.latencies.push(ev.latencyMs);
      s.latencyVersion++;
      s.renditionCount = ev.renditions;
      s.feeWei += toWei(ev.feeWei);
      s.segments.push({ seq: ev.segment, orchestrator: ev.orchestrator, ok: true, latencyMs: ev.latencyMs, attempts: settle(s, ev.segment), error: null, at: ev.ts });
      const o = orchestrator(state, ev.orchestrator, ev.ts);
      o.ok++;
      o.latencyMs = o.latencyMs === null ? ev.latencyMs : Math.round(o.latencyMs * 0.8 + ev.latencyMs * 0.2);
      break;
    }
    case 'segment.failed': {
      const s = session(state, ev.streamId, ev.ts);
      if (ev.orchestrator) orchestrator(state, ev.orchestrator, ev.ts).failed++;
      if (ev.final) {
        s.segmentsFailed++;
        s.segments.push({ seq: ev.segment, orchestrator: ev.orchestrator ?? null, ok: false, latencyMs: null, attempts: Math.max(ev.attempt, settle(s, ev.segment)), error: ev.error, at: ev.ts });
      }
      break;
    }
    case 'orchestrator.selected': {
      const o = orchestrator(state, ev.orchestrator, ev.ts);
      if (ev.address) o.address = ev.address;
      o.price = parsePrice(ev.pricePerPixel) ?? o.price;
      o.priceText = null;
      o.suspended = null;
      setSessionOrchestrator(state, session(state, ev.streamId, ev.ts), ev.orchestrator, ev.ts);
      break;
    }
    case 'orchestrator.suspended':
      orchestrator(state, ev.orchestrator, ev.ts).suspended = { penalty: ev.penalty, reason: ev.reason };
      break;
    case 'orchestrator.rejected':
      orchestrator(state, ev.orchestrator, ev.ts).rejected = { reason: ev.reason, detail: ev.detail };
      break;
    case 'failover': {
      const entry = { at: ev.ts, sessionId: ev.streamId, from: ev.from, to: ev.to, reason: ev.reason, attempt: ev.attempt };
      state.failovers.push(entry);
      const s = session(state, ev.streamId, ev.ts);
      s.failovers.push(entry);
      setSessionOrchestrator(state, s, ev.to, ev.ts);
      break;
    }
    case 'tickets.sent': {
      const ev$ = toWei(ev.evWei);
      const face = toWei(ev.faceValueWei);
      const entry = { at: ev.ts, sessionId: ev.streamId, recipient: ev.recipient, count: ev.count, firstNonce: ev.firstNonce, faceValueWei: face, winProb: ev.winProb, evWei: ev$ };
      state.tickets.push(entry);
      state.ticketWindow.add(ev.ts, ev.count, ev$);
      state.ticketTotals.count += ev.count;
      state.ticketTotals.evWei += ev$;
      const key = ev.recipient.toLowerCase();
      let r = state.ticketsByRecipient.get(key);
      if (!r) {
        if (state.ticketsByRecipient.size >= LIMITS.orchestrators) state.ticketsByRecipient.delete(state.ticketsByRecipient.keys().next().value as string);
        r = { count: 0, evWei: 0n, faceValueWei: 0n };
        state.ticketsByRecipient.set(key, r);
      }
      r.count += ev.count;
      r.evWei += ev$;
      r.faceValueWei += face * BigInt(ev.count);
      const s = session(state, ev.streamId, ev.ts);
      s.spendWei += ev$;
      s.tickets.push(entry);
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
      // an event type newer than this dashboard: counted, otherwise ignored
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
    for (const v of snap.sessions) applySessionView(state, v, snap.at);
    if (!snap.orchestrators) recountInUse(state);
  }
  if (snap.tickets) state.serverTickets = [...snap.tickets];
  if (snap.failovers) state.serverFailovers = [...snap.failovers];
  if (snap.sessionDetail) state.sessionDetail = { id: snap.sessionDetail.id, detail: snap.sessionDetail, at: snap.at };
  state.revision++;
  return state;
}

/**
 * The daemon restarted (new pid or start time): its sessions are gone and its event numbers start again.
 * Logs, failovers and tickets stay, since they are history the operator may still want to read.
 */
export function markDaemonRestarted(state: DashboardState, at: number): DashboardState {
  for (const s of state.sessions.values()) if (s.endedAt === null) endSession(state, s, at, 'daemon restarted');
  for (const o of state.orchestrators.values()) o.inUse = 0;
  state.lastSeq = 0;
  state.status = null;
  state.daemonKey = null;
  state.serverTickets = null;
  state.serverFailovers = null;
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

/** Decimal wei string → bigint; anything else counts as 0 rather than breaking the dashboard. */
export function toWei(text: string | null | undefined): bigint {
  return typeof text === 'string' && /^\d+$/.test(text) ? BigInt(text) : 0n;
}

function session(state: DashboardState, id: string, at: number): SessionState {
  let s = state.sessions.get(id);
  if (!s) {
    if (state.sessions.size >= LIMITS.sessions) evictSession(state);
    s = createSession(id, at);
    state.sessions.set(id, s);
  }
  s.lastActivity = at;
  return s;
}

/** Drops the oldest ended session, or the oldest of all when every one is active (amortised O(1)). */
function evictSession(state: DashboardState): void {
  let victim: SessionState | undefined;
  for (const s of state.sessions.values()) {
    if (s.endedAt !== null) {
      victim = s;
      break;
    }
    victim ??= s;
  }
  if (!victim) return;
  if (victim.endedAt === null && victim.orchestrator) {
    const o = state.orchestrators.get(victim.orchestrator);
    if (o) o.inUse = Math.max(0, o.inUse - 1);
  }
  state.sessions.delete(victim.id);
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

function setSessionOrchestrator(state: DashboardState, s: SessionState, uri: string, at: number): void {
  if (s.orchestrator === uri) return;
  const active = s.endedAt === null;
  if (s.orchestrator && active) {
    const old = state.orchestrators.get(s.orchestrator);
    if (old) old.inUse = Math.max(0, old.inUse - 1);
  }
  s.orchestrator = uri;
  if (active) orchestrator(state, uri, at).inUse++;
}

function endSession(state: DashboardState, s: SessionState, at: number, reason: string): void {
  if (s.endedAt === null && s.orchestrator) {
    const o = state.orchestrators.get(s.orchestrator);
    if (o) o.inUse = Math.max(0, o.inUse - 1);
  }
  s.endedAt = at;
  s.endReason = reason;
  s.pendingAttempts.clear();
}

/** The attempt count of a segment that just settled. */
function settle(s: SessionState, seq: number): number {
  const a = s.pendingAttempts.get(seq);
  s.pendingAttempts.delete(seq);
  return a ?? 1;
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

function applySessionView(state: DashboardState, v: SessionView, at: number): void {
  let s = state.sessions.get(v.id);
  if (!s) {
    if (state.sessions.size >= LIMITS.sessions) evictSession(state);
    s = createSession(v.id, at, v.kind);
    state.sessions.set(v.id, s);
  }
  s.kind = v.kind;
  s.orchestrator = v.orchestrator;
  s.renditions = v.renditions;
  s.segmentsOk = v.segmentsOk;
  s.segmentsFailed = v.segmentsFailed;
  s.server = { p50Ms: v.p50Ms, p95Ms: v.p95Ms, successRate: v.successRate };
  s.spendWei = toWei(v.spendWei);
  const started = Date.parse(v.startedAt);
  if (Number.isFinite(started)) s.startedAt = started;
  const ended = v.endedAt === null ? null : Date.parse(v.endedAt);
  s.endedAt = ended === null || !Number.isFinite(ended) ? null : ended;
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
