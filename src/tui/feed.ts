/**
 * The dashboard's I/O: follows the daemon's event stream and polls its snapshot endpoints, reconnecting with
 * exponential backoff, and reports the connection state. Everything it learns goes to a FeedSink; it never
 * touches the terminal. A missing daemon is a state ('down'), not an error.
 */
import type { ControlClient } from '../api/controlClient.js';
import { GwClientError } from '../api/errors.js';
import type { GwEvent } from '../api/events.js';
import type { SnapshotPart } from './store/dashboardState.js';
import { daemonKeyOf, type Snapshot } from './store/reduce.js';
import type { ConnectionInfo, ConnectionStateName } from './store/view.js';
import { sleep } from '../lib/sleep.js';

/** Where the feed delivers what it learns. */
export interface FeedSink {
  event(ev: GwEvent): void;
  snapshot(snap: Snapshot): void;
  connection(info: ConnectionInfo): void;
  /** The daemon was replaced by a new process: its sessions are gone and event numbers restart. */
  daemonRestarted(at: number): void;
}

export interface FeedOptions {
  /** Builds a client for the daemon; throws (e.g. DaemonNotRunningError) when no daemon is running. */
  readonly clientFactory: () => ControlClient;
  readonly sink: FeedSink;
  readonly signal: AbortSignal;
  /** Snapshot period; default 2 s. */
  readonly pollMs?: number;
  /** First retry delay; doubles up to maxBackoffMs. Defaults 250 ms → 5 s. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Consecutive failures after which the daemon counts as down (default 3). */
  readonly downAfter?: number;
  readonly now?: () => number;
}

const SNAPSHOT_PARTS = ['status', 'config', 'orchestrators', 'sessions', 'tickets', 'failovers', 'live'] as const;

/** Follows one daemon (per data dir) until the signal aborts. */
export class DashboardFeed {
  private info: ConnectionInfo;
  private focus: string | null = null;
  private daemonKey: string | null = null;
  private lastSeq: number | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: FeedOptions) {
    this.now = opts.now ?? Date.now;
    this.info = { state: 'connecting', attempt: 0, since: this.now() };
  }

  /** The current connection state. */
  get connection(): ConnectionInfo {
    return this.info;
  }

  /** Polls this session's detail along with the snapshots (null: none). */
  setFocus(sessionId: string | null): void {
    this.focus = sessionId;
  }

  /** Runs until the signal aborts; never throws for a missing or vanishing daemon. */
  async run(): Promise<void> {
    const { signal } = this.opts;
    const minBackoff = this.opts.minBackoffMs ?? 250;
    const maxBackoff = this.opts.maxBackoffMs ?? 5000;
    const downAfter = this.opts.downAfter ?? 3;
    let backoff = minBackoff;
    let failures = 0;
    while (!signal.aborted) {
      let factoryFailed = false;
      let error: string;
      const conn = new AbortController();
      const onAbort = () => conn.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        let client: ControlClient;
        try {
          client = this.opts.clientFactory();
        } catch (err) {
          factoryFailed = true;
          throw err;
        }
        const status = await client.status();
        const key = daemonKeyOf(status);
        if (this.daemonKey !== null && key !== this.daemonKey) {
          this.opts.sink.daemonRestarted(this.now());
          this.lastSeq = undefined;
        }
        this.daemonKey = key;
        this.opts.sink.snapshot({ at: this.now(), status });
        failures = 0;
        backoff = minBackoff;
        this.setState('live', { url: client.baseUrl });
        let lost: string | undefined;
        const poller = this.poll(client, conn.signal, (why) => {
          lost = why;
          conn.abort();
        });
        try {
          // from 0 on a new daemon: its recent history (bounded on its side) fills the panels at once
          for await (const ev of client.events({ signal: conn.signal, lastEventId: this.lastSeq ?? 0 })) {
            this.lastSeq = ev.seq;
            this.opts.sink.event(ev);
          }
          error = lost ?? 'the daemon closed the event stream';
        } catch (err) {
          error = lost ?? describe(err);
        } finally {
          conn.abort();
          await poller;
        }
      } catch (err) {
        error = describe(err);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      if (signal.aborted) break;
      failures++;
      const state: ConnectionStateName = factoryFailed || failures >= downAfter ? 'down' : 'reconnecting';
      this.setState(state, { lastError: error, nextRetryAt: this.now() + backoff, attempt: failures });
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, maxBackoff);
    }
  }

  private setState(state: ConnectionStateName, extra: Partial<ConnectionInfo>): void {
    const since = state === this.info.state ? this.info.since : this.now();
    this.info = { state, attempt: 0, since, url: this.info.url, ...extra };
    this.opts.sink.connection(this.info);
  }

  /** Polls snapshots while connected; reports a lost daemon through `lost`. */
  private async poll(client: ControlClient, signal: AbortSignal, lost: (why: string) => void): Promise<void> {
    const missing = new Set<SnapshotPart>();
    let first = true;
    while (!signal.aborted) {
      if (!first) await sleep(this.opts.pollMs ?? 2000, signal);
      first = false;
      if (signal.aborted) return;
      const snap = await fetchSnapshot(client, { missing, focus: this.focus, now: this.now, signal });
      if (signal.aborted) return;
      if (snap.lost) {
        lost(snap.lost);
        return;
      }
      this.opts.sink.snapshot(snap.snapshot);
    }
  }
}

/**
 * One round of snapshot requests in parallel. Endpoints answering 404 are added to `missing` (and skipped
 * next time by the caller); `lost` is set when even /v1/status fails, i.e. the daemon is gone.
 */
export async function fetchSnapshot(
  client: ControlClient,
  opts: { missing: Set<SnapshotPart>; focus?: string | null; now?: () => number; signal?: AbortSignal },
): Promise<{ snapshot: Snapshot; lost?: string }> {
  const { missing } = opts;
  const calls: Array<[SnapshotPart, Promise<unknown>]> = [];
  for (const part of SNAPSHOT_PARTS) {
    if (missing.has(part)) continue;
    calls.push([part, call(client, part)]);
  }
  if (opts.focus && !missing.has('session')) calls.push(['session', client.session(opts.focus)]);
  const results = await Promise.allSettled(calls.map(([, p]) => p));
  const snap: { -readonly [K in keyof Snapshot]: Snapshot[K] } = { at: (opts.now ?? Date.now)() };
  const newlyMissing: SnapshotPart[] = [];
  let lostWhy: string | undefined;
  results.forEach((r, i) => {
    const part = calls[i]![0];
    if (r.status === 'rejected') {
      const err = r.reason as unknown;
      if (err instanceof GwClientError && err.status === 404) {
        // a session that is gone answers 404 too: only a missing route marks the endpoint as absent
        if (part !== 'session') {
          missing.add(part);
          newlyMissing.push(part);
        }
      } else if (part === 'status' && !opts.signal?.aborted) {
        lostWhy = describe(err);
      }
      return;
    }
    const v = r.value;
    switch (part) {
      case 'status':
        snap.status = v as Snapshot['status'];
        break;
      case 'config':
        snap.config = v as Snapshot['config'];
        break;
      case 'orchestrators':
        snap.orchestrators = v as Snapshot['orchestrators'];
        break;
      case 'sessions':
        snap.sessions = (v as { sessions: Snapshot['sessions'] }).sessions;
        break;
      case 'tickets':
        snap.tickets = (v as { tickets: Snapshot['tickets'] }).tickets;
        break;
      case 'failovers':
        snap.failovers = (v as { failovers: Snapshot['failovers'] }).failovers;
        break;
      case 'live':
        snap.live = v as Snapshot['live'];
        break;
      case 'session':
        snap.sessionDetail = v as Snapshot['sessionDetail'];
        break;
    }
  });
  if (newlyMissing.length > 0) snap.missing = newlyMissing;
  return lostWhy ? { snapshot: snap, lost: lostWhy } : { snapshot: snap };
}

function call(client: ControlClient, part: (typeof SNAPSHOT_PARTS)[number]): Promise<unknown> {
  switch (part) {
    case 'status':
      return client.status();
    case 'config':
      return client.config();
    case 'orchestrators':
      return client.orchestrators();
    case 'sessions':
      return client.sessions();
    case 'tickets':
      return client.tickets(100);
    case 'failovers':
      return client.failovers(100);
    case 'live':
      return client.liveStreams();
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
