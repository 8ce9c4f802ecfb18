import type { FailoverView, SegmentRecord, SessionDetail, SessionView, TicketView } from '../../api/contract.js';
import type { GwEvent } from '../../api/events.js';

const KEEP_SEGMENTS = 200;
const KEEP_LATENCIES = 500;
const KEEP_FAILOVERS = 100;
const KEEP_TICKETS = 100;

/** Per stream (or AI job) statistics, derived from the daemon's own events; bounded memory. */
export class StreamStats {
  private ok = 0;
  private failed = 0;
  private spendWei = 0n;
  private orchestrator: string | null = null;
  private readonly latencies: number[] = [];
  private readonly segments: SegmentRecord[] = [];
  private readonly attempts = new Map<number, number>();
  private readonly failovers: FailoverView[] = [];
  private readonly tickets: TicketView[] = [];
  private endedAt: string | null = null;

  constructor(
    readonly id: string,
    readonly kind: 'stream' | 'ai',
    readonly renditions: string[],
    private readonly startedAt = new Date().toISOString(),
  ) {}

  /** Folds one event about this stream into the statistics. */
  apply(ev: GwEvent): void {
    const at = new Date(ev.ts).toISOString();
    switch (ev.type) {
      case 'segment.sent':
        this.attempts.set(ev.segment, ev.attempt);
        break;
      case 'segment.transcoded':
        this.ok++;
        this.orchestrator = ev.orchestrator;
        push(this.latencies, ev.latencyMs, KEEP_LATENCIES);
        push(this.segments, { seq: ev.segment, orchestrator: ev.orchestrator, ok: true, latencyMs: ev.latencyMs, attempts: this.attempts.get(ev.segment) ?? 1, error: null, at }, KEEP_SEGMENTS);
        this.attempts.delete(ev.segment);
        break;
      case 'segment.failed':
        if (!ev.final) break;
        this.failed++;
        push(this.segments, { seq: ev.segment, orchestrator: ev.orchestrator ?? null, ok: false, latencyMs: null, attempts: ev.attempt, error: ev.error, at }, KEEP_SEGMENTS);
        this.attempts.delete(ev.segment);
        break;
      case 'orchestrator.selected':
        this.orchestrator = ev.orchestrator;
        break;
      case 'failover':
        push(this.failovers, { at, sessionId: ev.streamId, from: ev.from, to: ev.to, reason: ev.reason, attempt: ev.attempt }, KEEP_FAILOVERS);
        this.orchestrator = ev.to;
        break;
      case 'tickets.sent':
        this.spendWei += BigInt(ev.evWei);
        push(this.tickets, { at, sessionId: ev.streamId, recipient: ev.recipient, nonce: ev.firstNonce, faceValueWei: ev.faceValueWei, winProb: ev.winProb, evWei: ev.evWei }, KEEP_TICKETS);
        break;
      case 'stream.ended':
        this.endedAt = at;
        break;
      default:
        break;
    }
  }

  /** Summary row (`gw sessions ls`, dashboard). */
  view(): SessionView {
    const total = this.ok + this.failed;
    return {
      id: this.id,
      kind: this.kind,
      orchestrator: this.orchestrator,
      renditions: this.renditions,
      segmentsOk: this.ok,
      segmentsFailed: this.failed,
      p50Ms: quantile(this.latencies, 0.5),
      p95Ms: quantile(this.latencies, 0.95),
      successRate: total === 0 ? null : this.ok / total,
      spendWei: this.spendWei.toString(),
      startedAt: this.startedAt,
      endedAt: this.endedAt,
    };
  }

  /** Summary plus timeline (`gw sessions show`). */
  detail(): SessionDetail {
    return { ...this.view(), segments: [...this.segments], failovers: [...this.failovers], tickets: [...this.tickets] };
  }

  get ended(): boolean {
    return this.endedAt !== null;
  }
}

function push<T>(arr: T[], v: T, max: number): void {
  arr.push(v);
  if (arr.length > max) arr.splice(0, arr.length - max);
}

/** Nearest-rank quantile; null for no data. */
export function quantile(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
