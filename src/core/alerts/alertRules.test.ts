import { describe, expect, it } from 'vitest';
import type { GwEvent, GwEventInput } from '../../api/events.js';
import { ALERTS, AlertRules, formatEth, isOwnAlert, RepeatFilter, type AlertThresholds } from './alertRules.js';

const ETH = 10n ** 18n;
const T: AlertThresholds = { depositBelowWei: ETH, reserveBelowWei: ETH / 2n };

let seq = 0;
const ev = (e: GwEventInput): GwEvent => ({ ...e, seq: ++seq, ts: 1_700_000_000_000 + seq }) as GwEvent;
const chain = (deposit: bigint, reserve: bigint, senderState = 'Locked') =>
  ev({ type: 'chain.updated', depositWei: deposit.toString(), reserveWei: reserve.toString(), round: '10', senderState });
const names = (alerts: Array<{ alert: string }>) => alerts.map((a) => a.alert);

describe('alert rules: funds', () => {
  it('raises deposit-low once, stays quiet while it holds, and again after it cleared', () => {
    const r = new AlertRules();
    const first = r.apply({ kind: 'event', event: chain(ETH / 2n, ETH) }, T);
    expect(first).toEqual([{ alert: ALERTS.depositLow, severity: 'warning', message: expect.stringContaining('deposit 0.5 ETH is below 1 ETH') }]);
    expect(r.apply({ kind: 'event', event: chain(ETH / 4n, ETH) }, T)).toEqual([]);
    expect(r.apply({ kind: 'event', event: chain(2n * ETH, ETH) }, T)).toEqual([]);
    expect(r.raised).toEqual([]);
    expect(names(r.apply({ kind: 'event', event: chain(ETH / 3n, ETH) }, T))).toEqual([ALERTS.depositLow]);
  });

  it('escalates to critical when the deposit is empty, once', () => {
    const r = new AlertRules();
    r.apply({ kind: 'event', event: chain(ETH / 2n, ETH) }, T);
    const empty = r.apply({ kind: 'event', event: chain(0n, ETH) }, T);
    expect(empty).toEqual([expect.objectContaining({ alert: ALERTS.depositLow, severity: 'critical' })]);
    expect(r.apply({ kind: 'event', event: chain(0n, ETH) }, T)).toEqual([]);
    expect(r.apply({ kind: 'event', event: chain(1n, ETH) }, T)).toEqual([]);
  });

  it('raises reserve-low independently, and a threshold of 0 turns a rule off', () => {
    const r = new AlertRules();
    const a = r.apply({ kind: 'event', event: chain(2n * ETH, ETH / 10n) }, T);
    expect(a).toEqual([{ alert: ALERTS.reserveLow, severity: 'warning', message: expect.stringContaining('reserve 0.1 ETH is below 0.5 ETH') }]);
    const off = new AlertRules();
    expect(off.apply({ kind: 'event', event: chain(1n, 1n) }, { depositBelowWei: 0n, reserveBelowWei: 0n })).toEqual([]);
  });

  it('re-checks the last snapshot when the thresholds change', () => {
    const r = new AlertRules();
    expect(r.apply({ kind: 'recheck' }, T)).toEqual([]);
    expect(r.apply({ kind: 'event', event: chain(2n * ETH, ETH) }, T)).toEqual([]);
    expect(names(r.apply({ kind: 'recheck' }, { ...T, depositBelowWei: 3n * ETH }))).toEqual([ALERTS.depositLow]);
    expect(r.apply({ kind: 'recheck' }, T)).toEqual([]);
    expect(r.raised).toEqual([]);
  });

  it('raises unlock-started (critical) when the sender starts unlocking, until it is locked again', () => {
    const r = new AlertRules();
    expect(r.apply({ kind: 'event', event: chain(2n * ETH, ETH) }, T)).toEqual([]);
    const unlocking = r.apply({ kind: 'event', event: chain(2n * ETH, ETH, 'Unlocking') }, T);
    expect(unlocking).toEqual([expect.objectContaining({ alert: ALERTS.unlockStarted, severity: 'critical', message: expect.stringContaining('cancel-unlock') })]);
    expect(r.apply({ kind: 'event', event: chain(2n * ETH, ETH, 'Unlocking') }, T)).toEqual([]);
    r.apply({ kind: 'event', event: chain(2n * ETH, ETH, 'Locked') }, T);
    expect(names(r.apply({ kind: 'event', event: chain(2n * ETH, ETH, 'Unlocking') }, T))).toEqual([ALERTS.unlockStarted]);
  });
});

describe('alert rules: orchestrators, streams, crashes', () => {
  it('raises the price-cap alert when, for 10 s, no orchestrator is usable and some quote above the cap', () => {
    const r = new AlertRules();
    const pool = (at: number, known: number, usable: number, overCap: number) => r.apply({ kind: 'pool', pool: { known, usable, overCap, cap: '0.5', at } }, T);
    expect(pool(0, 0, 0, 0)).toEqual([]);
    expect(pool(0, 3, 0, 0)).toEqual([]); // all unreachable: the gateway's no-usable-orchestrator alert
    expect(pool(20_000, 3, 0, 0)).toEqual([]);
    expect(pool(20_000, 3, 1, 2)).toEqual([]);
    // discovery in progress: the expensive one answered first; the others are usable a moment later
    expect(pool(21_000, 1, 0, 1)).toEqual([]);
    expect(pool(22_000, 3, 2, 1)).toEqual([]);
    expect(pool(40_000, 3, 2, 1)).toEqual([]);
    // really all above the cap: raised once it held for 10 s, once
    expect(pool(50_000, 3, 0, 2)).toEqual([]);
    expect(pool(59_999, 3, 0, 3)).toEqual([]);
    const a = pool(60_000, 3, 0, 3);
    expect(a).toEqual([{ alert: ALERTS.priceCap, severity: 'critical', message: expect.stringMatching(/under the price cap \(0\.5 wei\/pixel\): 3 of 3/) }]);
    expect(pool(65_000, 3, 0, 3)).toEqual([]);
    expect(pool(66_000, 3, 1, 2)).toEqual([]);
    expect(r.raised).toEqual([]);
    expect(pool(70_000, 3, 0, 3)).toEqual([]);
    expect(names(pool(80_000, 3, 0, 3))).toEqual([ALERTS.priceCap]);
    expect(names(new AlertRules({ poolHoldMs: 0 }).apply({ kind: 'pool', pool: { known: 1, usable: 0, overCap: 1, cap: null, at: 5 } }, T))).toEqual([ALERTS.priceCap]);
  });

  it('raises stream-failed once per failing stream, again only after a segment got through', () => {
    const r = new AlertRules();
    const failed = (streamId: string, final: boolean) =>
      ev({ type: 'segment.failed', streamId, segment: 4, orchestrator: 'https://o1', attempt: 3, error: 'hit max transcode attempts: boom', final });
    expect(r.apply({ kind: 'event', event: failed('cam1', false) }, T)).toEqual([]);
    const a = r.apply({ kind: 'event', event: failed('cam1', true) }, T);
    expect(a).toEqual([{ alert: ALERTS.streamFailed, severity: 'warning', message: 'stream cam1: segment 4 failed after 3 attempt(s): hit max transcode attempts: boom' }]);
    expect(r.apply({ kind: 'event', event: failed('cam1', true) }, T)).toEqual([]);
    expect(names(r.apply({ kind: 'event', event: failed('cam2', true) }, T))).toEqual([ALERTS.streamFailed]);
    r.apply({ kind: 'event', event: ev({ type: 'segment.transcoded', streamId: 'cam1', segment: 5, orchestrator: 'https://o2', latencyMs: 900, renditions: 2, feeWei: '0' }) }, T);
    expect(names(r.apply({ kind: 'event', event: failed('cam1', true) }, T))).toEqual([ALERTS.streamFailed]);
  });

  it('raises a critical stream-failed when a stream is stopped for a payment problem, not for a normal end', () => {
    const r = new AlertRules();
    const ended = (reason: string) => ev({ type: 'stream.ended', streamId: 'cam1', reason, segments: 12, failed: 1 });
    expect(r.apply({ kind: 'event', event: ended('publisher disconnected') }, T)).toEqual([]);
    const a = r.apply({ kind: 'event', event: ended('payment problem: no sender reserve') }, T);
    expect(a).toEqual([{ alert: ALERTS.streamFailed, severity: 'critical', message: 'stream cam1 stopped after 12 segment(s): payment problem: no sender reserve' }]);
    r.apply({ kind: 'event', event: ev({ type: 'stream.started', streamId: 'cam1', ingest: 'rtmp', profiles: [] }) }, T);
    expect(names(r.apply({ kind: 'event', event: ended('payment problem: no sender deposit') }, T))).toEqual([ALERTS.streamFailed]);
  });

  it('describes a crash restart with the previous pid', () => {
    const [a] = new AlertRules().apply({ kind: 'crash', crash: { pid: 4242, startedAt: '2026-01-01T00:00:00.000Z' } }, T);
    expect(a).toEqual({ alert: ALERTS.crashRestart, severity: 'critical', message: expect.stringContaining('(pid 4242, started 2026-01-01T00:00:00.000Z) did not stop cleanly') });
  });

  it('knows its own alerts; lets repeats of other alerts through only after a quiet period', () => {
    expect(isOwnAlert(ALERTS.depositLow)).toBe(true);
    expect(isOwnAlert('no-usable-orchestrator')).toBe(false);
    const f = new RepeatFilter(60_000);
    expect(f.pass('no-usable-orchestrator', 0)).toBe(true);
    expect(f.pass('no-usable-orchestrator', 59_000)).toBe(false);
    expect(f.pass('no-usable-orchestrator', 100_000)).toBe(false); // repeated 41 s after the last one: still the same episode
    expect(f.pass('other', 100_000)).toBe(true);
    expect(f.pass('no-usable-orchestrator', 200_000)).toBe(true);
  });

  it('formats wei as ETH exactly', () => {
    expect(formatEth(0n)).toBe('0');
    expect(formatEth(360_000_000_000_000_000n)).toBe('0.36');
    expect(formatEth(12n * ETH + 1n)).toBe('12');
    expect(formatEth(1_234_567_000_000_000_000n)).toBe('1.234567');
  });
});
