/**
 * Holds the dashboard state for a running dashboard: applies what the feed delivers at once (O(1) each) and
 * tells subscribers about it at most once per `minIntervalMs` (default 80 ms, so ≤ 12.5 renders a second
 * however many events arrive). The first change after a quiet spell is reported at once.
 */
import type { GwEvent } from '../api/events.js';
import { createDashboardState, type DashboardState } from './store/dashboardState.js';
import type { FeedSink } from './feed.js';
import { applyEvent, applySnapshot, dismissAlerts, markDaemonRestarted, type Snapshot } from './store/reduce.js';
import type { ConnectionInfo } from './store/view.js';

/**
 * Frame interval under a steady flow of events. An event waits at most this long (plus the frame's own render
 * time) before it is on screen, so it sits below the 100 ms event-to-screen budget with room for a slow frame.
 */
export const FRAME_INTERVAL_MS = 80;

export class LiveStore implements FeedSink {
  readonly state: DashboardState = createDashboardState();
  private conn: ConnectionInfo;
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastNotify = -Infinity;
  /** performance.now() of the oldest change not yet reported (for event-to-screen latency). */
  private pendingSince: number | undefined;
  /** Delay between a change and its report, last value (ms). */
  lastLagMs = 0;
  notifications = 0;

  constructor(
    private readonly minIntervalMs = FRAME_INTERVAL_MS,
    now: () => number = Date.now,
  ) {
    this.conn = { state: 'connecting', attempt: 0, since: now() };
  }

  get connectionInfo(): ConnectionInfo {
    return this.conn;
  }

  event(ev: GwEvent): void {
    applyEvent(this.state, ev);
    this.changed();
  }

  snapshot(snap: Snapshot): void {
    applySnapshot(this.state, snap);
    this.changed();
  }

  connection(info: ConnectionInfo): void {
    this.conn = info;
    this.changed();
  }

  daemonRestarted(at: number): void {
    markDaemonRestarted(this.state, at);
    this.changed();
  }

  /** Hides the current alert banners. */
  dismissAlerts(): void {
    dismissAlerts(this.state);
    this.changed();
  }

  /** For useSyncExternalStore: subscribe and return the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** For useSyncExternalStore: a number that changes on every report. */
  getVersion = (): number => this.version;

  /** Stops the pending report, if any. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private changed(): void {
    this.pendingSince ??= performance.now();
    if (this.timer) return;
    const wait = Math.max(0, this.lastNotify + this.minIntervalMs - performance.now());
    this.timer = setTimeout(this.flush, wait);
  }

  private flush = (): void => {
    this.timer = undefined;
    const t = performance.now();
    this.lastNotify = t;
    if (this.pendingSince !== undefined) this.lastLagMs = t - this.pendingSince;
    this.pendingSince = undefined;
    this.version++;
    this.notifications++;
    for (const l of this.listeners) l();
  };
}
