/**
 * Sessions in the projection: their lifecycle (opened by `stream.started` or by the daemon for an AI job, ended
 * by `stream.ended`, bounded by the ended caps) and the views of them on the wire (`SessionView`,
 * `SessionDetail`) in the one order both the control API and the dashboard list them.
 */
import type { SessionDetail, SessionView } from '../contract.js';
import { p50p95 } from '../../lib/stats/percentile.js';
import { failoverView, ticketView, toWei } from './activity.js';
import { createSession, PROJECTION_CAPS, type ProjectionState, type SegmentEntry, type SessionKind, type SessionState } from './state.js';

export interface OpenSession {
  readonly kind: SessionKind;
  readonly renditions: string[];
  readonly ingest?: 'rtmp' | 'http-push';
}

/**
 * Starts a session at `at` (unix ms). A live one of that id is kept (its numbers too) with the new description;
 * an ended one is replaced, since a stream that starts again under an old id is a new session.
 */
export function openSession(state: ProjectionState, id: string, at: number, init: OpenSession): SessionState {
  let s = state.sessions.get(id);
  if (!s || s.endedAt !== null) {
    if (s) state.sessions.delete(id);
    s = addSession(state, id, at, init.kind);
  }
  s.kind = init.kind;
  s.renditions = init.renditions;
  if (init.ingest) s.ingest = init.ingest;
  s.startedAt = at;
  s.lastActivity = at;
  return s;
}

/** Ends a live session at `at`; an ended one keeps its first end. Returns the session, if known. */
export function endSession(state: ProjectionState, id: string, at: number, reason: string): SessionState | undefined {
  const s = state.sessions.get(id);
  if (s) markEnded(state, s, at, reason);
  return s;
}

/** Ends every live session (the daemon restarted: its sessions are gone). */
export function endAllSessions(state: ProjectionState, at: number, reason: string): void {
  for (const s of [...state.sessions.values()]) markEnded(state, s, at, reason);
}

/** The session of an event: an event about an id never seen (a client that joined late) creates it. */
export function touchSession(state: ProjectionState, id: string, at: number): SessionState {
  const s = state.sessions.get(id) ?? addSession(state, id, at, 'stream');
  s.lastActivity = at;
  return s;
}

/**
 * Takes the daemon's own summary of a session (a /v1/sessions snapshot) as the truth for its totals: a client
 * that joined late has folded only part of the events. Later events add to these totals.
 */
export function seedSession(state: ProjectionState, v: SessionView, at: number): SessionState {
  const s = state.sessions.get(v.id) ?? addSession(state, v.id, at, v.kind);
  s.kind = v.kind;
  s.orchestrator = v.orchestrator;
  s.renditions = v.renditions;
  s.segmentsOk = v.segmentsOk;
  s.segmentsFailed = v.segmentsFailed;
  s.reported = { p50Ms: v.p50Ms, p95Ms: v.p95Ms, successRate: v.successRate };
  s.spendWei = toWei(v.spendWei);
  const started = Date.parse(v.startedAt);
  if (Number.isFinite(started)) s.startedAt = started;
  const ended = v.endedAt === null ? Number.NaN : Date.parse(v.endedAt);
  if (Number.isFinite(ended)) markEnded(state, s, ended, s.endReason);
  else if (v.endedAt === null) s.endedAt = null;
  return s;
}

/** Records that segment `seq` was sent on attempt `attempt`, so its record shows how many attempts it took. */
export function notePending(s: SessionState, seq: number, attempt: number): void {
  s.pendingAttempts.set(seq, attempt);
  if (s.pendingAttempts.size > PROJECTION_CAPS.pendingAttempts) s.pendingAttempts.delete(s.pendingAttempts.keys().next().value as number);
}

/** The attempt count of a segment that just settled (1 when its sends were not seen). */
export function settlePending(s: SessionState, seq: number): number {
  const a = s.pendingAttempts.get(seq);
  s.pendingAttempts.delete(seq);
  return a ?? 1;
}

/** Adds a latency sample of a transcoded segment. */
export function addLatency(s: SessionState, ms: number): void {
  s.latencies.push(ms);
  s.latencyVersion++;
}

/** Local p50/p95 over the latest samples, sorted once per new sample however often it is read. */
export function sessionPercentiles(s: SessionState): { p50: number | undefined; p95: number | undefined } {
  if (!s.percentileCache || s.percentileCache.version !== s.latencyVersion) {
    s.percentileCache = { version: s.latencyVersion, ...p50p95(s.latencies.toArray()) };
  }
  return s.percentileCache;
}

/** p50/p95 as shown: the daemon's reported numbers when a snapshot gave them, else the local ones; null for none. */
export function sessionLatency(s: SessionState): { p50Ms: number | null; p95Ms: number | null } {
  const local = sessionPercentiles(s);
  return { p50Ms: s.reported?.p50Ms ?? local.p50 ?? null, p95Ms: s.reported?.p95Ms ?? local.p95 ?? null };
}

/** ok / (ok + failed), null before the first outcome; the daemon's reported rate when a snapshot gave one. */
export function sessionSuccessRate(s: SessionState): number | null {
  if (s.reported && s.reported.successRate !== null) return s.reported.successRate;
  const total = s.segmentsOk + s.segmentsFailed;
  return total === 0 ? null : s.segmentsOk / total;
}

/** The summary row of a session (`gw sessions ls`, GET /v1/sessions, the dashboard's sessions table). */
export function sessionView(s: SessionState): SessionView {
  return {
    id: s.id,
    kind: s.kind,
    orchestrator: s.orchestrator,
    renditions: s.renditions,
    segmentsOk: s.segmentsOk,
    segmentsFailed: s.segmentsFailed,
    ...sessionLatency(s),
    successRate: sessionSuccessRate(s),
    spendWei: s.spendWei.toString(),
    startedAt: new Date(s.startedAt).toISOString(),
    endedAt: s.endedAt === null ? null : new Date(s.endedAt).toISOString(),
  };
}

/** Summary plus the recent segments, failovers and tickets, oldest first (`gw sessions show`). */
export function sessionDetail(s: SessionState): SessionDetail {
  return {
    ...sessionView(s),
    segments: s.segments.toArray().map(segmentRecord),
    failovers: s.failovers.toArray().map(failoverView),
    tickets: s.tickets.toArray().map(ticketView),
  };
}

/** Sessions as they are listed: live ones first, then ended ones; newest first within each (optionally one kind). */
export function listSessions(state: ProjectionState, kind?: SessionKind): SessionState[] {
  const list: SessionState[] = [];
  for (const s of state.sessions.values()) if (!kind || s.kind === kind) list.push(s);
  return list.sort((a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null) || b.startedAt - a.startedAt || a.id.localeCompare(b.id));
}

/** The summary rows in list order (GET /v1/sessions). */
export function sessionViews(state: ProjectionState, kind?: SessionKind): SessionView[] {
  return listSessions(state, kind).map(sessionView);
}

/** The session of that id if it has not ended. */
export function findLive(state: ProjectionState, id: string): SessionState | undefined {
  const s = state.sessions.get(id);
  return s && s.endedAt === null ? s : undefined;
}

/** Live sessions, optionally of one kind. */
export function liveCount(state: ProjectionState, kind?: SessionKind): number {
  let n = 0;
  for (const s of state.sessions.values()) if (s.endedAt === null && (!kind || s.kind === kind)) n++;
  return n;
}

function segmentRecord(g: SegmentEntry) {
  return { seq: g.seq, orchestrator: g.orchestrator, ok: g.ok, latencyMs: g.latencyMs, attempts: g.attempts, error: g.error, at: new Date(g.at).toISOString() };
}

function addSession(state: ProjectionState, id: string, at: number, kind: SessionKind): SessionState {
  if (state.sessions.size >= PROJECTION_CAPS.sessions) evictOne(state);
  const s = createSession(id, at, kind);
  state.sessions.set(id, s);
  return s;
}

function markEnded(state: ProjectionState, s: SessionState, at: number, reason: string | null): void {
  if (s.endedAt !== null) return;
  s.endedAt = at;
  s.endReason = reason;
  s.pendingAttempts.clear();
  const queue = state.endedOrder[s.kind];
  queue.push(s);
  const cap = s.kind === 'ai' ? PROJECTION_CAPS.endedAiJobs : PROJECTION_CAPS.endedStreams;
  while (queue.length > cap) {
    const victim = queue.shift()!;
    if (isHeld(state, victim)) state.sessions.delete(victim.id);
  }
}

/** Still the ended session held under its id (not replaced by a newer one, not restarted). */
function isHeld(state: ProjectionState, s: SessionState): boolean {
  return state.sessions.get(s.id) === s && s.endedAt !== null;
}

/** Makes room for one session: the longest-ended goes first, the oldest live one only when none has ended. */
function evictOne(state: ProjectionState): void {
  let from: SessionState[] | undefined;
  for (const queue of [state.endedOrder.stream, state.endedOrder.ai]) {
    while (queue.length > 0 && !isHeld(state, queue[0]!)) queue.shift();
    const head = queue[0];
    if (head && (!from || head.endedAt! < from[0]!.endedAt!)) from = queue;
  }
  const victim = from ? from.shift() : state.sessions.values().next().value;
  if (victim) state.sessions.delete(victim.id);
}
