import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDaemon, stopDaemon } from '../../src/cli/services/daemonProcess.js';
import { ControlClient } from '../../src/api/controlClient.js';
import type { GwEvent } from '../../src/api/events.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { DashboardFeed, type FeedSink } from '../../src/tui/feed.js';
import { LiveStore } from '../../src/tui/liveStore.js';
import { plainStatus, runPlain } from '../../src/tui/plain.js';
import type { Snapshot } from '../../src/tui/store/reduce.js';
import type { ConnectionInfo, ConnectionStateName } from '../../src/tui/store/view.js';
import { buildView } from '../../src/tui/store/view.js';
import { fixtureView } from './helpers.js';

const FLAGS = { controlAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', rtmpAddr: '127.0.0.1:0' };

/** A sink that records what the feed delivers and lets a test wait for it. */
class RecordingSink implements FeedSink {
  readonly store = new LiveStore(0);
  readonly events: GwEvent[] = [];
  readonly states: ConnectionStateName[] = [];
  snapshots = 0;
  restarts = 0;
  /** Snapshot parts the daemon served at least once. */
  readonly served = new Set<string>();
  event(ev: GwEvent): void {
    this.events.push(ev);
    this.store.event(ev);
  }
  snapshot(snap: Snapshot): void {
    this.snapshots++;
    for (const k of Object.keys(snap)) if (k !== 'at' && k !== 'missing') this.served.add(k);
    this.store.snapshot(snap);
  }
  connection(info: ConnectionInfo): void {
    if (this.states[this.states.length - 1] !== info.state) this.states.push(info.state);
    this.store.connection(info);
  }
  daemonRestarted(at: number): void {
    this.restarts++;
    this.store.daemonRestarted(at);
  }
}

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('feed against a real daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tui-feed-'));
  const paths = resolvePaths(dir);
  const factory = () => ControlClient.forPaths(paths, 3000);
  const ac = new AbortController();
  const sink = new RecordingSink();
  let feed: DashboardFeed;
  let done: Promise<void>;

  beforeAll(() => {
    // started before the daemon: the feed must show it as down and keep trying, not throw
    feed = new DashboardFeed({ clientFactory: factory, sink, signal: ac.signal, pollMs: 300, minBackoffMs: 100, maxBackoffMs: 400 });
    done = feed.run();
  });

  afterAll(async () => {
    ac.abort();
    await done;
    await stopDaemon({ paths, timeoutMs: 5000 });
    sink.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is down without a daemon, then goes live once one starts, tolerating missing endpoints (404)', async () => {
    await until('down', () => feed.connection.state === 'down');
    expect(feed.connection.lastError).toMatch(/not running/);
    expect(feed.connection.nextRetryAt).toBeGreaterThan(Date.now() - 1000);
    await launchDaemon({ paths, flags: FLAGS });
    await until('live', () => feed.connection.state === 'live');
    await until('a snapshot after the status', () => sink.snapshots >= 2);
    await until('daemon.started from the replayed history', () => sink.events.some((e) => e.type === 'daemon.started'));
    const st = sink.store.state;
    expect(st.status?.mode).toBe('off-chain');
    expect(st.configEntries?.some((e) => e.key === 'maxPricePerUnit')).toBe(true);
    // each list endpoint is either served or recorded as missing (404), never fatal
    for (const part of ['orchestrators', 'sessions', 'tickets', 'failovers', 'live'] as const) {
      expect(sink.served.has(part), part).toBe(!st.missing.has(part));
    }
    // this daemon has live AI: the Live AI panel starts from its (empty) list, not from "unknown"
    expect(st.liveStreams).toEqual([]);
    expect(sink.states.slice(0, 1)).toEqual(['down']);
    const view = buildView(st, sink.store.connectionInfo, Date.now());
    expect(view.overview.mode).toBe('off-chain');
    expect(view.overview.endpoints.find(([k]) => k === 'Control')?.[1]).toBe(feed.connection.url);
  });

  it('receives config.changed after updateConfig', async () => {
    await factory().updateConfig({ set: { maxPricePerUnit: '5' } });
    await until('config.changed', () => sink.events.some((e) => e.type === 'config.changed' && e.key === 'maxPricePerUnit'));
    const ev = sink.events.find((e) => e.type === 'config.changed');
    expect(ev).toMatchObject({ key: 'maxPricePerUnit', value: '5', source: 'api' });
    expect(buildView(sink.store.state, feed.connection, Date.now()).cap).toBe('5 wei/px');
  });

  it('shows reconnecting/down when the daemon stops, and goes live again when it is back in the same data dir', async () => {
    const firstPid = sink.store.state.status?.pid;
    const seen = sink.states.length;
    await stopDaemon({ paths, timeoutMs: 5000 });
    await until('down after stop', () => feed.connection.state === 'down');
    const during = sink.states.slice(seen);
    expect(during[0]).toMatch(/reconnecting|down/);
    expect(during).toContain('down');
    expect(feed.connection.lastError).toBeTruthy();

    await launchDaemon({ paths, flags: FLAGS });
    await until('live again', () => feed.connection.state === 'live');
    await until('new status', () => sink.store.state.status !== null && sink.store.state.status.pid !== firstPid);
    // a new daemon: the store was told, and the event numbering restarted from its history
    expect(sink.restarts).toBe(1);
    await until('second daemon.started', () => sink.events.filter((e) => e.type === 'daemon.started').length === 2);
    const lastStarted = sink.events.filter((e) => e.type === 'daemon.started').at(-1)!;
    // numbering restarted: the new daemon's first events (its start-up log lines, then daemon.started) are low
    expect(lastStarted.seq).toBeLessThan(20);
  });

  it('prints one plain status block (exit 0) and says when the daemon is down (exit 1)', async () => {
    let out = '';
    const code = await runPlain({ clientFactory: factory, dataDir: dir, intervalMs: 1000, once: true, write: (t) => (out += t), signal: new AbortController().signal });
    expect(code).toBe(0);
    expect(out).toMatch(/gw \d+\.\d+\.\d+ off-chain \(offchain\) · live · up \d/);
    expect(out).toContain('orchestrators ');

    const empty = mkdtempSync(join(tmpdir(), 'gw-tui-none-'));
    try {
      let down = '';
      const code2 = await runPlain({
        clientFactory: () => ControlClient.forPaths(resolvePaths(empty), 1000),
        dataDir: empty,
        intervalMs: 1000,
        once: true,
        write: (t) => (down += t),
        signal: new AbortController().signal,
      });
      expect(code2).toBe(1);
      expect(down).toContain(`gw daemon down (data dir ${empty})`);
      expect(down).toContain('not running');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('plain periodic mode prints a block per interval until aborted', async () => {
    const stop = new AbortController();
    const blocks: string[] = [];
    const running = runPlain({ clientFactory: factory, dataDir: dir, intervalMs: 200, once: false, write: (t) => blocks.push(t), signal: stop.signal });
    await until('three blocks', () => blocks.length >= 3, 5000);
    stop.abort();
    expect(await running).toBe(0);
    expect(blocks[0]).toMatch(/· live ·/);
  });
});

describe('plain status block', () => {
  it('summarises the recorded fixture', () => {
    const text = plainStatus(fixtureView(), '/home/op/.local/state/gw');
    expect(text).toContain('gw 0.1.0 on-chain (arbitrum-one) · live · up 40s');
    expect(text).toContain('deposit 0.499 ETH · reserve 0.36 ETH · sender ok (round 4127)');
    expect(text).toContain('runway 6d 9h');
    expect(text).toContain('failovers 1, last 12:00:15 live-7f3a: orch-a.test:8935 → orch-b.test:8935 (OrchestratorBusy)');
    expect(text).toContain('ALERT warning low-deposit');
  });
});
