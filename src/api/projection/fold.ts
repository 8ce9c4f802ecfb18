/**
 * The fold: one daemon event into the projection. Pure (no I/O, no clock: times come from the events) and O(1)
 * per event. It mutates the state in place and returns it, so a busy gateway costs no copying; the same
 * events in the same order always give the same state.
 */
import type { GwEvent } from '../events.js';
import { failoverEntry, ticketEntry, toWei } from './activity.js';
import { addLatency, endSession, notePending, openSession, settlePending, touchSession } from './sessions.js';
import type { ProjectionState } from './state.js';

/** Folds one event into the sessions, tickets and failovers; events about other things are ignored. */
export function projectEvent(state: ProjectionState, ev: GwEvent): ProjectionState {
  switch (ev.type) {
    case 'stream.started':
      openSession(state, ev.streamId, ev.ts, { kind: 'stream', renditions: ev.profiles, ingest: ev.ingest });
      break;
    case 'stream.ended': {
      const s = touchSession(state, ev.streamId, ev.ts);
      endSession(state, ev.streamId, ev.ts, ev.reason);
      // The daemon's totals: more than this client folded when it joined after the stream started.
      s.segmentsOk = Math.max(s.segmentsOk, ev.segments);
      s.segmentsFailed = Math.max(s.segmentsFailed, ev.failed);
      break;
    }
    case 'segment.sent': {
      const s = touchSession(state, ev.streamId, ev.ts);
      s.orchestrator ??= ev.orchestrator;
      notePending(s, ev.segment, ev.attempt);
      break;
    }
    case 'segment.transcoded': {
      const s = touchSession(state, ev.streamId, ev.ts);
      s.segmentsOk++;
      s.orchestrator = ev.orchestrator;
      s.renditionCount = ev.renditions;
      s.feeWei += toWei(ev.feeWei);
      addLatency(s, ev.latencyMs);
      s.segments.push({ seq: ev.segment, orchestrator: ev.orchestrator, ok: true, latencyMs: ev.latencyMs, attempts: settlePending(s, ev.segment), error: null, at: ev.ts });
      break;
    }
    case 'segment.failed': {
      // A failure that will be retried is not an outcome of the segment; only the last attempt's is.
      if (!ev.final) break;
      const s = touchSession(state, ev.streamId, ev.ts);
      s.segmentsFailed++;
      const attempts = Math.max(ev.attempt, settlePending(s, ev.segment));
      s.segments.push({ seq: ev.segment, orchestrator: ev.orchestrator ?? null, ok: false, latencyMs: null, attempts, error: ev.error, at: ev.ts });
      break;
    }
    case 'orchestrator.selected':
      touchSession(state, ev.streamId, ev.ts).orchestrator = ev.orchestrator;
      break;
    case 'live.event': {
      // A live AI stream is a session of kind 'live', keyed as its failovers and tickets are (streamId, else name).
      if (ev.queue !== 'stream_trace') break;
      const id = ev.streamId || ev.stream;
      if (ev.data.type === 'gateway_receive_stream_request') openSession(state, id, ev.ts, { kind: 'live', renditions: [] });
      else if (ev.data.type === 'gateway_ingest_stream_closed') endSession(state, id, ev.ts, typeof ev.data.message === 'string' ? ev.data.message : 'ended');
      else if (ev.data.type === 'gateway_receive_first_processed_segment') {
        const url = (ev.data.orchestrator_info as { url?: unknown } | undefined)?.url;
        if (typeof url === 'string' && url !== '') touchSession(state, id, ev.ts).orchestrator = url;
      }
      break;
    }
    case 'failover': {
      const f = failoverEntry(ev);
      state.failovers.push(f);
      const s = touchSession(state, ev.streamId, ev.ts);
      s.failovers.push(f);
      s.orchestrator = ev.to;
      break;
    }
    case 'tickets.sent': {
      const t = ticketEntry(ev);
      state.tickets.push(t);
      const s = touchSession(state, ev.streamId, ev.ts);
      s.tickets.push(t);
      s.spendWei += t.evWei;
      break;
    }
    default:
      break;
  }
  return state;
}
