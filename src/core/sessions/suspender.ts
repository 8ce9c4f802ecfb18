// Per-stream, per-pool orchestrator suspension (go-livepeer server/suspensions.go), implementing the intent.
//
// go-livepeer keeps `list[o] += penalty` and a refresh counter `count`, and treats o as suspended while
// `list[o] >= count`. Because the stored value is the bare penalty, not `count + penalty`, a suspension made late
// in a stream (count already above the penalty) is forgotten at the very next refresh — rotation away from a
// failing orchestrator silently stops working on long streams (protocol.md Pitfall 23).
//
// Here the intent holds: suspending at refresh count c with penalty p keeps o out of the next p refreshes,
// whenever it happens. Repeated suspensions stack (the remaining penalty grows by p), mirroring Go's `+=`.
// A refresh first takes a checker bound to the current count (`beginRefresh`), then the count moves on; the
// checker reports the penalty still to serve, so a refresh that was already running when o got suspended
// also treats it as suspended.

/** Suspension penalty for a transcoding pool: ⌈max(1, poolSize) / max(1, numOrchs)⌉ refreshes. */
export function transcodingPenalty(poolSize: number, numOrchs: number): number {
  return Math.ceil(Math.max(1, poolSize) / Math.max(1, numOrchs));
}

/** Returns the remaining penalty of a URI as seen by one refresh (0 = usable). */
export type SuspensionCheck = (orch: string) => number;

export class Suspender {
  private readonly until = new Map<string, number>();
  private refreshes = 0;

  /** Refreshes started so far. */
  get count(): number {
    return this.refreshes;
  }

  /** Keeps `orch` out of the next `penalty` refreshes (stacking with a current suspension); returns the new remaining penalty. */
  suspend(orch: string, penalty: number): number {
    if (!Number.isInteger(penalty) || penalty < 1) throw new RangeError(`suspension penalty must be a positive integer, got ${penalty}`);
    const base = Math.max(this.until.get(orch) ?? 0, this.refreshes);
    this.until.set(orch, base + penalty);
    return base + penalty - this.refreshes;
  }

  /** Refreshes `orch` will still be skipped in (0 = not suspended; spent entries are dropped). */
  penalty(orch: string): number {
    const u = this.until.get(orch);
    if (u === undefined) return 0;
    if (u <= this.refreshes) {
      this.until.delete(orch);
      return 0;
    }
    return u - this.refreshes;
  }

  /** Starts a refresh: returns a checker bound to the count before it, then advances the count. */
  beginRefresh(): SuspensionCheck {
    const at = this.refreshes++;
    return (orch) => Math.max(0, (this.until.get(orch) ?? 0) - at);
  }

  /** Lifts a suspension early. */
  release(orch: string): void {
    this.until.delete(orch);
  }

  /** Current suspensions with their remaining penalties. */
  list(): { orch: string; penalty: number }[] {
    const out: { orch: string; penalty: number }[] = [];
    for (const orch of [...this.until.keys()]) {
      const p = this.penalty(orch);
      if (p > 0) out.push({ orch, penalty: p });
    }
    return out;
  }
}
