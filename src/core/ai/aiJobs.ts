// AI and BYOC requests as sessions of kind 'ai' for /v1/sessions, `gw sessions` and the dashboard. Their numbers are
// folded from the same bus events the video pipeline emits (segment.*, failover, tickets.sent) keyed by request id;
// a request has no start or end event, so the routes open and end its session here.
import type { SessionDetail, SessionView } from '../../api/contract.js';
import type { ActivityProjection } from '../gateway/activityProjection.js';

export class AiJobs {
  constructor(private readonly activity: Pick<ActivityProjection, 'openJob' | 'endJob' | 'liveCount' | 'sessions' | 'session'>) {}

  /** Registers a request (before its first event). `label` shows as its rendition column, e.g. "llm/model". */
  start(id: string, label: string): void {
    this.activity.openJob(id, label);
  }

  /** Marks a request finished. */
  end(id: string): void {
    this.activity.endJob(id);
  }

  /** Requests in flight (for `sessions.aiJobs` in /v1/status). */
  get activeCount(): number {
    return this.activity.liveCount('ai');
  }

  /** Live requests first, then finished ones, newest first within each. */
  views(): SessionView[] {
    return this.activity.sessions('ai');
  }

  /** One request with its attempts, failovers and tickets. */
  detail(id: string): SessionDetail | undefined {
    const d = this.activity.session(id);
    return d?.kind === 'ai' ? d : undefined;
  }
}
