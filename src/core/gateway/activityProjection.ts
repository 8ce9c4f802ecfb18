import type { FailoverView, SessionDetail, SessionView, TicketView } from '../../api/contract.js';
import {
  endSession,
  findLive,
  initialProjection,
  liveCount,
  openSession,
  projectEvent,
  recentFailovers,
  recentTickets,
  sessionDetail,
  sessionView,
  sessionViews,
  type SessionKind,
} from '../../api/projection/index.js';
import type { EventBus } from '../eventBus.js';

/**
 * The daemon's copy of the event projection (src/api/projection), fed by its event bus: what GET /v1/sessions,
 * /v1/tickets and /v1/failovers serve. The dashboard folds the same events with the same functions.
 */
export class ActivityProjection {
  private readonly state = initialProjection();
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus) {
    this.unsubscribe = bus.subscribe((ev) => projectEvent(this.state, ev));
  }

  /** Registers an AI or BYOC request as a session of kind 'ai'; `label` ("pipeline/model") is its rendition column. */
  openJob(id: string, label: string, at = Date.now()): void {
    openSession(this.state, id, at, { kind: 'ai', renditions: [label] });
  }

  /** Marks a request finished (AI jobs have no `stream.ended` event). */
  endJob(id: string, at = Date.now()): void {
    endSession(this.state, id, at, 'done');
  }

  /** Live sessions first, then ended ones, newest first within each (optionally one kind). */
  sessions(kind?: SessionKind): SessionView[] {
    return sessionViews(this.state, kind);
  }

  /** One session with its recent segments, failovers and tickets. */
  session(id: string): SessionDetail | undefined {
    const s = this.state.sessions.get(id);
    return s ? sessionDetail(s) : undefined;
  }

  /** The summary of a live session (for the totals of its `stream.ended` event). */
  liveSummary(id: string): SessionView | undefined {
    const s = findLive(this.state, id);
    return s ? sessionView(s) : undefined;
  }

  /** Live sessions of a kind. */
  liveCount(kind?: SessionKind): number {
    return liveCount(this.state, kind);
  }

  /** Newest first. */
  tickets(limit: number): TicketView[] {
    return recentTickets(this.state, limit);
  }

  /** Newest first. */
  failovers(limit: number): FailoverView[] {
    return recentFailovers(this.state, limit);
  }

  close(): void {
    this.unsubscribe();
  }
}
