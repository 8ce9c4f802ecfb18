import type { GwEvent, GwEventInput } from '../api/events.js';

type Listener = (ev: GwEvent) => void;

/**
 * In-process event bus: stamps events with seq/ts, fans them out synchronously, and keeps a bounded
 * history so an SSE client that reconnects with Last-Event-ID misses nothing recent.
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<Listener>();
  private readonly history: GwEvent[] = [];

  constructor(private readonly historySize = 2000) {}

  /** Publishes an event to every subscriber. A throwing subscriber does not affect the others. */
  emit(input: GwEventInput): GwEvent {
    const ev = { ...input, seq: ++this.seq, ts: Date.now() } as GwEvent;
    this.history.push(ev);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        // a broken subscriber must not break the publisher
      }
    }
    return ev;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events with seq greater than `afterSeq`, oldest first. */
  since(afterSeq: number): GwEvent[] {
    return this.history.filter((e) => e.seq > afterSeq);
  }

  /** The most recent events, oldest first. */
  recent(limit: number): GwEvent[] {
    return this.history.slice(-limit);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
