import { describe, expect, it } from 'vitest';
import type { GwEvent, GwEventInput } from '../events.js';
import {
  endAllSessions,
  endSession,
  initialProjection,
  liveCount,
  openSession,
  PROJECTION_CAPS,
  projectEvent,
  seedSession,
  sessionDetail,
  sessionView,
  sessionViews,
  type ProjectionState,
} from './index.js';

const T0 = 1_700_000_000_000;

function script(): { state: ProjectionState; ev: (e: GwEventInput, dt?: number) => GwEvent } {
  const state = initialProjection();
  let seq = 0;
  let t = T0;
  return {
    state,
    ev: (e, dt = 1) => {
      t += dt;
      const full = { ...e, seq: ++seq, ts: t } as GwEvent;
      projectEvent(state, full);
      return full;
    },
  };
}

describe('sessions folded from events', () => {
  it('counts outcomes, measures p50/p95 by nearest rank, sums spend in bigint and keeps the timeline', () => {
    const { state, ev } = script();
    ev({ type: 'stream.started', streamId: 's1', ingest: 'rtmp', profiles: ['P240p30fps16x9'] });
    for (let i = 0; i < 10; i++) {
      ev({ type: 'segment.sent', streamId: 's1', segment: i, orchestrator: 'A', attempt: 1, bytes: 10 });
      ev({ type: 'segment.transcoded', streamId: 's1', segment: i, orchestrator: 'A', latencyMs: (i + 1) * 100, renditions: 1, feeWei: '1' });
    }
    ev({ type: 'segment.sent', streamId: 's1', segment: 10, orchestrator: 'A', attempt: 1, bytes: 10 });
    // a failure that is retried is not an outcome; the final one is
    ev({ type: 'segment.failed', streamId: 's1', segment: 10, orchestrator: 'A', attempt: 1, error: 'OrchestratorBusy', final: false });
    ev({ type: 'failover', streamId: 's1', from: 'A', to: 'B', reason: 'OrchestratorBusy', attempt: 2 });
    ev({ type: 'segment.sent', streamId: 's1', segment: 10, orchestrator: 'B', attempt: 2, bytes: 10 });
    ev({ type: 'segment.failed', streamId: 's1', segment: 10, orchestrator: 'B', attempt: 3, error: 'hit max transcode attempts', final: true });
    ev({ type: 'tickets.sent', streamId: 's1', recipient: '0xr', count: 2, faceValueWei: '1000', winProb: '5', evWei: '123456789012345678901', firstNonce: 1 });
    ev({ type: 'tickets.sent', streamId: 's1', recipient: '0xr', count: 1, faceValueWei: '1000', winProb: '5', evWei: '99', firstNonce: 3 });

    const v = sessionView(state.sessions.get('s1')!);
    expect(v).toEqual({
      id: 's1',
      kind: 'stream',
      orchestrator: 'B',
      renditions: ['P240p30fps16x9'],
      segmentsOk: 10,
      segmentsFailed: 1,
      p50Ms: 500,
      p95Ms: 1000,
      successRate: 10 / 11,
      spendWei: '123456789012345679000',
      startedAt: new Date(T0 + 1).toISOString(),
      endedAt: null,
    });
    const d = sessionDetail(state.sessions.get('s1')!);
    // the timeline is oldest first, as `gw sessions show` prints it
    expect(d.segments).toHaveLength(11);
    expect(d.segments[0]).toMatchObject({ seq: 0, ok: true, latencyMs: 100, attempts: 1 });
    expect(d.segments.at(-1)).toMatchObject({ seq: 10, ok: false, orchestrator: 'B', attempts: 3, error: 'hit max transcode attempts', latencyMs: null });
    expect(d.failovers).toEqual([expect.objectContaining({ sessionId: 's1', from: 'A', to: 'B', reason: 'OrchestratorBusy', attempt: 2 })]);
    expect(d.tickets.map((t) => [t.nonce, t.evWei])).toEqual([
      [1, '123456789012345678901'],
      [3, '99'],
    ]);
  });

  it('records the attempts a segment took and follows the orchestrator through selection and failover', () => {
    const { state, ev } = script();
    ev({ type: 'stream.started', streamId: 's', ingest: 'http-push', profiles: [] });
    ev({ type: 'segment.sent', streamId: 's', segment: 0, orchestrator: 'A', attempt: 1, bytes: 1 });
    expect(state.sessions.get('s')!.orchestrator).toBe('A');
    ev({ type: 'orchestrator.selected', streamId: 's', orchestrator: 'C', pricePerPixel: '1' });
    expect(state.sessions.get('s')!.orchestrator).toBe('C');
    ev({ type: 'segment.sent', streamId: 's', segment: 0, orchestrator: 'C', attempt: 2, bytes: 1 });
    ev({ type: 'segment.transcoded', streamId: 's', segment: 0, orchestrator: 'C', latencyMs: 5, renditions: 2, feeWei: '7' });
    const s = state.sessions.get('s')!;
    expect(s.segments.last()).toMatchObject({ attempts: 2, ok: true });
    expect(s.pendingAttempts.size).toBe(0);
    expect(s.renditionCount).toBe(2);
    expect(s.feeWei).toBe(7n);
  });

  it('ends sessions, trusts the larger totals of stream.ended, and starts afresh when an id is reused', () => {
    const { state, ev } = script();
    // a client that joined late saw only one of the segments
    ev({ type: 'segment.transcoded', streamId: 'late', segment: 9, orchestrator: 'A', latencyMs: 10, renditions: 1, feeWei: '0' });
    ev({ type: 'stream.ended', streamId: 'late', reason: 'ingest closed', segments: 9, failed: 2 });
    const late = state.sessions.get('late')!;
    expect(sessionView(late)).toMatchObject({ segmentsOk: 9, segmentsFailed: 2, endedAt: expect.any(String) });
    expect(late.endReason).toBe('ingest closed');
    // a segment that fails after the end still counts: it was a segment of that stream
    ev({ type: 'segment.failed', streamId: 'late', segment: 10, orchestrator: 'A', attempt: 1, error: 'x', final: true });
    expect(late.segmentsFailed).toBe(3);
    ev({ type: 'stream.started', streamId: 'late', ingest: 'rtmp', profiles: ['P360p'] });
    const again = state.sessions.get('late')!;
    expect(again).not.toBe(late);
    expect(sessionView(again)).toMatchObject({ segmentsOk: 0, segmentsFailed: 0, endedAt: null, renditions: ['P360p'] });
    expect(state.sessions.size).toBe(1);
  });

  it('lists live sessions first, then ended ones, newest first within each; AI jobs are opened and ended by the daemon', () => {
    const { state, ev } = script();
    ev({ type: 'stream.started', streamId: 'old', ingest: 'rtmp', profiles: [] });
    ev({ type: 'stream.started', streamId: 'mid', ingest: 'rtmp', profiles: [] });
    openSession(state, 'job-1', T0 + 100, { kind: 'ai', renditions: ['llm/m'] });
    ev({ type: 'stream.ended', streamId: 'mid', reason: 'done', segments: 0, failed: 0 }, 200);
    ev({ type: 'segment.transcoded', streamId: 'job-1', segment: 0, orchestrator: 'A', latencyMs: 40, renditions: 1, feeWei: '1' });
    endSession(state, 'job-1', T0 + 300, 'done');
    expect(sessionViews(state).map((v) => v.id)).toEqual(['old', 'job-1', 'mid']);
    expect(sessionViews(state, 'ai')).toEqual([expect.objectContaining({ id: 'job-1', kind: 'ai', renditions: ['llm/m'], segmentsOk: 1, p50Ms: 40 })]);
    expect(liveCount(state)).toBe(1);
    expect(liveCount(state, 'ai')).toBe(0);
    endAllSessions(state, T0 + 400, 'daemon restarted');
    expect(state.sessions.get('old')!.endReason).toBe('daemon restarted');
    // the first end stays
    expect(state.sessions.get('mid')!.endReason).toBe('done');
  });

  it('keeps every collection within the caps, ended streams and AI jobs each by their own', () => {
    const { state, ev } = script();
    for (let i = 0; i < PROJECTION_CAPS.endedStreams + 10; i++) {
      ev({ type: 'stream.started', streamId: `s${i}`, ingest: 'rtmp', profiles: [] });
      ev({ type: 'stream.ended', streamId: `s${i}`, reason: 'done', segments: 0, failed: 0 });
    }
    for (let i = 0; i < PROJECTION_CAPS.endedAiJobs + 10; i++) {
      openSession(state, `j${i}`, T0 + i, { kind: 'ai', renditions: ['x'] });
      endSession(state, `j${i}`, T0 + i, 'done');
    }
    expect(sessionViews(state, 'stream')).toHaveLength(PROJECTION_CAPS.endedStreams);
    expect(state.sessions.has('s9')).toBe(false);
    expect(state.sessions.has('s10')).toBe(true);
    expect(sessionViews(state, 'ai')).toHaveLength(PROJECTION_CAPS.endedAiJobs);
    // live sessions are never dropped for ended ones; past the total cap the longest-ended go first
    for (let i = 0; i < PROJECTION_CAPS.sessions; i++) ev({ type: 'stream.started', streamId: `live${i}`, ingest: 'rtmp', profiles: [] });
    expect(state.sessions.size).toBe(PROJECTION_CAPS.sessions);
    expect(liveCount(state)).toBe(PROJECTION_CAPS.sessions);
    const s = state.sessions.get('live0')!;
    for (let i = 0; i < 1500; i++) {
      ev({ type: 'segment.sent', streamId: 'live0', segment: i, orchestrator: 'A', attempt: 1, bytes: 1 });
      ev({ type: 'segment.transcoded', streamId: 'live0', segment: i, orchestrator: 'A', latencyMs: i, renditions: 1, feeWei: '1' });
      ev({ type: 'failover', streamId: 'live0', from: 'A', to: 'B', reason: 'r', attempt: 2 });
      ev({ type: 'tickets.sent', streamId: 'live0', recipient: '0xr', count: 1, faceValueWei: '1', winProb: '1', evWei: '1', firstNonce: i });
    }
    expect(s.latencies.size).toBe(PROJECTION_CAPS.latencySamples);
    expect(s.segments.size).toBe(PROJECTION_CAPS.segmentsPerSession);
    expect(s.failovers.size).toBe(PROJECTION_CAPS.failoversPerSession);
    expect(s.tickets.size).toBe(PROJECTION_CAPS.ticketsPerSession);
    expect(state.tickets.size).toBe(PROJECTION_CAPS.tickets);
    expect(state.failovers.size).toBe(PROJECTION_CAPS.failovers);
    // totals are cumulative even though the buffers are not; percentiles cover the latest samples
    expect(sessionView(s)).toMatchObject({ segmentsOk: 1500, spendWei: '1500', p50Ms: 1249, p95Ms: 1474 });
  });

  it('takes a snapshot summary as the truth for totals, then adds later events to it', () => {
    const { state, ev } = script();
    seedSession(
      state,
      { id: 'x', kind: 'ai', orchestrator: 'A', renditions: ['llm/m'], segmentsOk: 40, segmentsFailed: 2, p50Ms: 777, p95Ms: 1999, successRate: 40 / 42, spendWei: '1000', startedAt: new Date(T0).toISOString(), endedAt: null },
      T0,
    );
    ev({ type: 'tickets.sent', streamId: 'x', recipient: '0xr', count: 1, faceValueWei: '1', winProb: '1', evWei: '5', firstNonce: 0 });
    expect(sessionView(state.sessions.get('x')!)).toMatchObject({ kind: 'ai', segmentsOk: 40, p50Ms: 777, p95Ms: 1999, spendWei: '1005', startedAt: new Date(T0).toISOString() });
  });
});
