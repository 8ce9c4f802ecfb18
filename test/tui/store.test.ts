import { describe, expect, it } from 'vitest';
import type { GwEvent, GwEventInput } from '../../src/api/events.js';
import { createDashboardState, LIMITS } from '../../src/tui/store/dashboardState.js';
import { formatDurationShort, formatPrice, formatWei, formatWinProb, oneLine, parsePrice, sparkline, truncateMiddle } from '../../src/tui/store/format.js';
import { applyEvent, applySnapshot, markDaemonRestarted } from '../../src/tui/store/reduce.js';
import { Ring } from '../../src/lib/collections/ring.js';
import { RollingWindow } from '../../src/tui/store/rollingWindow.js';
import { runwayMs, spendRate } from '../../src/tui/store/spend.js';
import { layoutTable, renderHeader, renderRow, visibleRange } from '../../src/tui/store/table.js';
import { buildView } from '../../src/tui/store/view.js';
import { recordedEvents, STATUS, T0, WIN_PROB } from './fixture.js';
import { fixtureState, LIVE } from './helpers.js';

let seq = 0;
const ev = (e: GwEventInput, ts = T0): GwEvent => ({ ...e, seq: ++seq, ts }) as GwEvent;
const ETH = 10n ** 18n;

describe('rolling window and rates', () => {
  it('sums per-second buckets over the last minute and forgets older ones', () => {
    const w = new RollingWindow(60, 1000);
    for (let s = 0; s < 30; s++) w.add(T0 + s * 1000, 2, 1000n);
    const t = w.totals(T0 + 29_500);
    expect(t.count).toBe(60);
    expect(t.amount).toBe(30_000n);
    // we watched 29.5 s, not a minute: rates divide by that
    expect(t.coveredMs).toBe(29_500);
    const r = spendRate(w, T0 + 29_500);
    expect(r.ticketsPerSec).toBeCloseTo(60 / 29.5, 5);
    expect(r.evPerMinWei).toBe((30_000n * 60_000n) / 29_500n);
    expect(w.countSeries(T0 + 29_500)).toHaveLength(60);
    expect(w.countSeries(T0 + 29_500).slice(-3)).toEqual([2, 2, 2]);
    // 90 s later everything has left the window
    expect(w.totals(T0 + 120_000).count).toBe(0);
    w.add(T0 + 120_000, 1, 5n);
    expect(w.totals(T0 + 120_000)).toMatchObject({ count: 1, amount: 5n });
    // a sample older than the window is dropped, one inside it is counted in its own second
    w.add(T0 + 10_000, 100, 100n);
    w.add(T0 + 119_000, 1, 1n);
    expect(w.totals(T0 + 120_000)).toMatchObject({ count: 2, amount: 6n });
  });

  it('runway = deposit ÷ EV per minute, undefined without spend', () => {
    expect(runwayMs(ETH, 10n ** 15n)).toBe(1000 * 60_000); // 1 ETH at 0.001 ETH/min: 1000 minutes
    expect(runwayMs(ETH, 0n)).toBeUndefined();
    expect(runwayMs(0n, 1n)).toBe(0);
    expect(runwayMs(10n ** 30n, 1n)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('the fixture: 31 tickets of 1000 gwei EV over 34.4 s watched', () => {
    const { state, now } = fixtureState();
    const r = spendRate(state.ticketWindow, now);
    expect(state.ticketTotals).toEqual({ count: 31, evWei: 31n * 10n ** 12n });
    const firstTicket = recordedEvents().find((e) => e.type === 'tickets.sent')!.ts;
    expect(r.evPerMinWei).toBe((31n * 10n ** 12n * 60_000n) / BigInt(now - firstTicket));
    const view = buildView(state, LIVE, now);
    expect(view.overview.runway).toBe('6d 9h');
    expect(view.tickets.redeemed).toBe('0.001 ETH');
  });
});

describe('reducer', () => {
  it('keeps every buffer bounded however many events arrive', () => {
    const state = createDashboardState();
    for (let i = 0; i < 5000; i++) applyEvent(state, ev({ type: 'log', level: 'info', module: 'x', msg: `line ${i}` }, T0 + i));
    expect(state.logs.size).toBe(LIMITS.logs);
    expect(state.logs.last()?.msg).toBe('line 4999');
    for (let i = 0; i < 2500; i++) {
      applyEvent(state, ev({ type: 'stream.started', streamId: `s${i}`, ingest: 'rtmp', profiles: ['360p30fps'] }, T0 + i));
      if (i % 2 === 0) applyEvent(state, ev({ type: 'stream.ended', streamId: `s${i}`, reason: 'done', segments: 0, failed: 0 }, T0 + i));
    }
    expect(state.sessions.size).toBeLessThanOrEqual(LIMITS.sessions);
    // the newest stream is there; old ended ones went first
    expect(state.sessions.has('s2499')).toBe(true);
    for (let i = 0; i < 2000; i++) {
      applyEvent(state, ev({ type: 'failover', streamId: 's2499', from: `o${i}`, to: `o${i + 1}`, reason: 'busy', attempt: 2 }, T0 + i));
      applyEvent(state, ev({ type: 'segment.transcoded', streamId: 's2499', segment: i, orchestrator: `o${i}`, latencyMs: i, renditions: 1, feeWei: '1' }, T0 + i));
      applyEvent(state, ev({ type: 'tickets.sent', streamId: 's2499', recipient: `0x${i.toString(16).padStart(40, '0')}`, count: 1, faceValueWei: '10', winProb: WIN_PROB, evWei: '1', firstNonce: i }, T0 + i));
      applyEvent(state, ev({ type: 'alert', alert: 'a', severity: 'warning', message: String(i) }, T0 + i));
    }
    const s = state.sessions.get('s2499')!;
    expect(state.failovers.size).toBe(LIMITS.failovers);
    expect(state.tickets.size).toBe(LIMITS.tickets);
    expect(state.alerts.size).toBe(LIMITS.alerts);
    expect(s.latencies.size).toBe(LIMITS.latencySamples);
    expect(s.segments.size).toBe(LIMITS.segmentsPerSession);
    expect(s.failovers.size).toBe(LIMITS.failoversPerSession);
    expect(s.tickets.size).toBe(LIMITS.ticketsPerSession);
    expect(state.orchestrators.size).toBeLessThanOrEqual(LIMITS.orchestrators);
    expect(state.ticketsByRecipient.size).toBeLessThanOrEqual(LIMITS.orchestrators);
    // totals are cumulative even though the buffers are not
    expect(state.ticketTotals.count).toBe(2000);
    expect(s.segmentsOk).toBe(2000);
  });

  it('applies 100k events in well under a second per 10k (O(1) per event)', () => {
    const state = createDashboardState();
    const events: GwEvent[] = [];
    for (let i = 0; i < 100_000; i++) {
      const stream = `s${i % 100}`;
      const k = i % 4;
      events.push(
        k === 0
          ? ev({ type: 'segment.sent', streamId: stream, segment: i, orchestrator: `o${i % 7}`, attempt: 1, bytes: 1 }, T0 + i)
          : k === 1
            ? ev({ type: 'segment.transcoded', streamId: stream, segment: i - 1, orchestrator: `o${i % 7}`, latencyMs: i % 1000, renditions: 2, feeWei: '1000' }, T0 + i)
            : k === 2
              ? ev({ type: 'tickets.sent', streamId: stream, recipient: `0x${(i % 7).toString(16).padStart(40, '0')}`, count: 2, faceValueWei: '1000000', winProb: WIN_PROB, evWei: '2000', firstNonce: i }, T0 + i)
              : ev({ type: 'log', level: 'debug', module: 'm', msg: 'x' }, T0 + i),
      );
    }
    const t0 = performance.now();
    for (const e of events) applyEvent(state, e);
    const ms = performance.now() - t0;
    expect(state.eventsApplied).toBe(100_000);
    expect(ms).toBeLessThan(5000);
    console.log(`reducer: ${Math.round(100_000 / (ms / 1000))} events/s`);
  });

  it('counts sessions per orchestrator through selection, failover and end', () => {
    const state = createDashboardState();
    applyEvent(state, ev({ type: 'stream.started', streamId: 'a', ingest: 'rtmp', profiles: [] }));
    applyEvent(state, ev({ type: 'orchestrator.selected', streamId: 'a', orchestrator: 'https://o1:1', pricePerPixel: '1' }));
    applyEvent(state, ev({ type: 'stream.started', streamId: 'b', ingest: 'rtmp', profiles: [] }));
    applyEvent(state, ev({ type: 'segment.sent', streamId: 'b', segment: 0, orchestrator: 'https://o1:1', attempt: 1, bytes: 1 }));
    expect(state.orchestrators.get('https://o1:1')?.inUse).toBe(2);
    applyEvent(state, ev({ type: 'failover', streamId: 'a', from: 'https://o1:1', to: 'https://o2:1', reason: 'busy', attempt: 2 }));
    expect(state.orchestrators.get('https://o1:1')?.inUse).toBe(1);
    expect(state.orchestrators.get('https://o2:1')?.inUse).toBe(1);
    applyEvent(state, ev({ type: 'stream.ended', streamId: 'b', reason: 'done', segments: 0, failed: 0 }));
    expect(state.orchestrators.get('https://o1:1')?.inUse).toBe(0);
    markDaemonRestarted(state, T0 + 1);
    expect(state.orchestrators.get('https://o2:1')?.inUse).toBe(0);
    expect(state.sessions.get('a')?.endReason).toBe('daemon restarted');
    expect(state.lastSeq).toBe(0);
  });

  it('a snapshot wins over event-derived numbers; missing endpoints are remembered', () => {
    const { state, now } = fixtureState();
    expect(state.missing.has('sessions')).toBe(true);
    applySnapshot(state, {
      at: now,
      sessions: [
        { id: 'live-7f3a', kind: 'stream', orchestrator: 'https://orch-b.test:8935', renditions: ['720p30fps', '360p30fps'], segmentsOk: 40, segmentsFailed: 2, p50Ms: 777, p95Ms: 1999, successRate: 40 / 42, spendWei: '123000000000000', startedAt: new Date(T0).toISOString(), endedAt: null },
      ],
    });
    const row = buildView(state, LIVE, now).sessions.find((r) => r.id === 'live-7f3a')!;
    expect(row).toMatchObject({ ok: '40', failed: '2', p50: '777ms', p95: '2.0s', success: '95.2%', spend: '123000 gwei' });
  });

  it('follows the price cap through config changes (per pixel = maxPricePerUnit / pixelsPerUnit)', () => {
    const { state, now } = fixtureState();
    expect(formatPrice(state.maxPricePerPixel)).toBe('1.5');
    applyEvent(state, ev({ type: 'config.changed', key: 'maxPricePerUnit', value: '1100', previous: '1500', source: 'api', appliesAfterRestart: false }, now));
    const view = buildView(state, LIVE, now);
    expect(view.cap).toBe('1.1 wei/px');
    expect(view.orchestrators.find((o) => o.uri === 'orch-a.test:8935')?.overCap).toBe(true);
    expect(view.orchestrators.find((o) => o.uri === 'orch-b.test:8935')?.overCap).toBe(false);
    applyEvent(state, ev({ type: 'config.changed', key: 'maxPricePerUnit', value: '0', previous: '1100', source: 'api', appliesAfterRestart: false }, now));
    expect(buildView(state, LIVE, now).cap).toBe('none (any price)');
    expect(state.logs.last()?.msg).toContain('maxPricePerUnit = "0"');
  });

  it('status snapshots drive the overview counts and uptime', () => {
    const state = createDashboardState();
    applySnapshot(state, { at: T0, status: { ...STATUS, uptimeMs: 3_600_000 } });
    const v = buildView(state, LIVE, T0 + 125_000);
    expect(v.overview.uptime).toBe('1h 2m');
    expect(v.overview.deposit).toBe('—');
    expect(v.overview.sessions).toBe('2 streams, 0 AI jobs (2 active)');
  });
});

describe('formatting', () => {
  it('money from bigint wei, no floats', () => {
    expect(formatWei(0n)).toBe('0');
    expect(formatWei(ETH)).toBe('1 ETH');
    expect(formatWei(123_456_789_012_345_678n)).toBe('~0.123 ETH');
    expect(formatWei(1_234_567_890_123_456_789n)).toBe('~1.23 ETH');
    expect(formatWei(10n ** 12n)).toBe('1000 gwei');
    expect(formatWei(1_500_000_000n)).toBe('1.5 gwei');
    expect(formatWei(5_000_000n)).toBe('5000000 wei');
    // 2^255 wei is far beyond float precision and still exact in its integer part
    expect(formatWei(2n ** 255n)).toMatch(/^~57896044618658097711785492504343953926634992332820282019728(\.\d+)? ETH$/);
  });

  it('win probability, prices, durations, sparklines, truncation', () => {
    expect(formatWinProb(WIN_PROB)).toBe('1/1000');
    expect(formatWinProb((2n ** 256n - 1n).toString())).toBe('1');
    expect(formatWinProb('0.5')).toBe('50.0%');
    expect(formatWinProb('0')).toBe('0');
    expect(formatPrice(parsePrice('1200/1000'))).toBe('1.2');
    expect(formatPrice(parsePrice('1/3'))).toBe('0.333');
    expect(parsePrice('garbage')).toBeUndefined();
    expect(formatDurationShort(0)).toBe('0s');
    expect(formatDurationShort(61_000)).toBe('1m 1s');
    expect(formatDurationShort(25 * 3_600_000 + 59_000)).toBe('1d 1h');
    expect(formatDurationShort(3_600_000)).toBe('1h');
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([0n, 10n ** 30n])).toBe('▁█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(truncateMiddle('orchestrator.example.com:8935', 15)).toBe('orchest…om:8935');
    expect(oneLine('a\nb\u001b[31mc')).toBe('a b [31mc');
  });

  it('table layout fits the width and drops the least important columns first', () => {
    const specs = [
      { title: 'id', flex: true, min: 6 },
      { title: 'a', width: 10, priority: 2 },
      { title: 'b', width: 10, priority: 1 },
      { title: 'c', width: 5, align: 'right' as const },
    ];
    const wide = layoutTable(specs, 80);
    expect(wide.columns.map((c) => c.title)).toEqual(['id', 'a', 'b', 'c']);
    expect(renderHeader(wide).length).toBeLessThanOrEqual(80);
    const narrow = layoutTable(specs, 25);
    expect(narrow.columns.map((c) => c.title)).toEqual(['id', 'b', 'c']);
    const row = renderRow(narrow, ['a-very-long-identifier', 'A', 'B', '42']);
    expect(row.length).toBeLessThanOrEqual(25);
    expect(row).toMatch(/^a-very-… B\s+42$/);
    expect(visibleRange(100, 50, 10)).toEqual({ start: 45, end: 55 });
    expect(visibleRange(100, 99, 10)).toEqual({ start: 90, end: 100 });
    expect(visibleRange(3, 2, 10)).toEqual({ start: 0, end: 3 });
  });

  it('ring buffer keeps the newest entries in order', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.newest(2)).toEqual([5, 4]);
    r.replace([9, 8, 7, 6]);
    expect(r.toArray()).toEqual([8, 7, 6]);
    expect(() => new Ring(0)).toThrow(RangeError);
  });
});
