/**
 * Tickets and failovers in the projection: the entries built from events, the recent lists across sessions
 * (`gw tickets ls`, `gw failovers ls`, the dashboard's panels) and their wire forms.
 */
import type { FailoverView, TicketView } from '../contract.js';
import type { Failover, TicketBatchSent } from '../events.js';
import type { FailoverEntry, ProjectionState, TicketEntry } from './state.js';

/** Decimal wei string → bigint; anything else counts as 0 so one malformed event cannot break a view. */
export function toWei(text: string | null | undefined): bigint {
  return typeof text === 'string' && /^\d+$/.test(text) ? BigInt(text) : 0n;
}

/** The entry of one `tickets.sent` batch. */
export function ticketEntry(ev: TicketBatchSent): TicketEntry {
  return { at: ev.ts, sessionId: ev.streamId, recipient: ev.recipient, count: ev.count, firstNonce: ev.firstNonce, faceValueWei: toWei(ev.faceValueWei), winProb: ev.winProb, evWei: toWei(ev.evWei) };
}

/** The entry of one `failover` event. */
export function failoverEntry(ev: Failover): FailoverEntry {
  return { at: ev.ts, sessionId: ev.streamId, from: ev.from, to: ev.to, reason: ev.reason, attempt: ev.attempt };
}

/** Wire form of a ticket batch (GET /v1/tickets): `nonce` is the batch's first nonce, `evWei` the batch's EV. */
export function ticketView(t: TicketEntry): TicketView {
  return { at: new Date(t.at).toISOString(), sessionId: t.sessionId, recipient: t.recipient, nonce: t.firstNonce, faceValueWei: t.faceValueWei.toString(), winProb: t.winProb, evWei: t.evWei.toString() };
}

/** Wire form of a failover (GET /v1/failovers). */
export function failoverView(f: FailoverEntry): FailoverView {
  return { at: new Date(f.at).toISOString(), sessionId: f.sessionId, from: f.from, to: f.to, reason: f.reason, attempt: f.attempt };
}

/** A ticket row of the wire back as an entry (one ticket per row: the wire does not carry the batch size). */
export function ticketFromView(t: TicketView): TicketEntry {
  return { at: Date.parse(t.at), sessionId: t.sessionId, recipient: t.recipient, count: 1, firstNonce: t.nonce, faceValueWei: toWei(t.faceValueWei), winProb: t.winProb, evWei: toWei(t.evWei) };
}

/** A failover row of the wire back as an entry. */
export function failoverFromView(f: FailoverView): FailoverEntry {
  return { ...f, at: Date.parse(f.at) };
}

/** The `limit` newest ticket batches across sessions, newest first. */
export function recentTickets(state: ProjectionState, limit: number): TicketView[] {
  return state.tickets.newest(limit).map(ticketView);
}

/** The `limit` newest failovers across sessions, newest first. */
export function recentFailovers(state: ProjectionState, limit: number): FailoverView[] {
  return state.failovers.newest(limit).map(failoverView);
}
