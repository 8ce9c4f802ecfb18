// AI and BYOC requests as sessions of kind 'ai' for /v1/sessions, `gw sessions` and the dashboard: statistics are
// folded from the same bus events the video pipeline emits (segment.*, failover, tickets.sent) keyed by request id.
import type { SessionDetail, SessionView } from '../../api/contract.js';
import type { EventBus } from '../eventBus.js';
import { StreamStats } from '../gateway/streamStats.js';

const ENDED_KEEP = 200;

export class AiJobs {
  private readonly live = new Map<string, StreamStats>();
  private readonly ended: StreamStats[] = [];
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus) {
    this.unsubscribe = bus.subscribe((ev) => {
      const id = 'streamId' in ev ? ev.streamId : undefined;
      if (id) this.live.get(id)?.apply(ev);
    });
  }

  /** Registers a request (before its first event). `label` shows as its rendition column, e.g. "llm/model". */
  start(id: string, label: string): void {
    this.live.set(id, new StreamStats(id, 'ai', [label]));
  }

  /** Marks a request finished. */
  end(id: string): void {
    const stats = this.live.get(id);
    if (!stats) return;
    stats.apply({ type: 'stream.ended', seq: 0, ts: Date.now(), streamId: id, reason: 'done', segments: 0, failed: 0 });
    this.live.delete(id);
    this.ended.push(stats);
    if (this.ended.length > ENDED_KEEP) this.ended.shift();
  }

  /** Requests in flight (for `sessions.aiJobs` in /v1/status). */
  get activeCount(): number {
    return this.live.size;
  }

  /** Live and recent requests, newest first. */
  views(): SessionView[] {
    return [...this.live.values(), ...this.ended].map((s) => s.view()).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  detail(id: string): SessionDetail | undefined {
    return (this.live.get(id) ?? this.ended.find((s) => s.id === id))?.detail();
  }

  close(): void {
    this.unsubscribe();
  }
}
