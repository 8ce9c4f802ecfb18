import type { FailoverView, TicketView } from '../../api/contract.js';
import type { EventBus } from '../eventBus.js';

/** Recent tickets and failovers across all streams (for `gw tickets ls`, `gw failovers ls`), bounded. */
export class RecentActivity {
  private readonly tickets: TicketView[] = [];
  private readonly failovers: FailoverView[] = [];
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, private readonly keep = 1000) {
    this.unsubscribe = bus.subscribe((ev) => {
      const at = new Date(ev.ts).toISOString();
      if (ev.type === 'tickets.sent') {
        this.push(this.tickets, { at, sessionId: ev.streamId, recipient: ev.recipient, nonce: ev.firstNonce, faceValueWei: ev.faceValueWei, winProb: ev.winProb, evWei: ev.evWei });
      } else if (ev.type === 'failover') {
        this.push(this.failovers, { at, sessionId: ev.streamId, from: ev.from, to: ev.to, reason: ev.reason, attempt: ev.attempt });
      }
    });
  }

  /** Newest first. */
  recentTickets(limit: number): TicketView[] {
    return this.tickets.slice(-limit).reverse();
  }

  /** Newest first. */
  recentFailovers(limit: number): FailoverView[] {
    return this.failovers.slice(-limit).reverse();
  }

  close(): void {
    this.unsubscribe();
  }

  private push<T>(arr: T[], v: T): void {
    arr.push(v);
    if (arr.length > this.keep) arr.splice(0, arr.length - this.keep);
  }
}
