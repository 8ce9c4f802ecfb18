// The daemon's list routes and the dashboard fold the same events with the same projection: fed one recorded
// sequence, GET /v1/sessions, /v1/sessions/:id, /v1/tickets, /v1/failovers and the dashboard show the same numbers.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { FailoverView, SessionDetail, SessionView, TicketView } from '../../src/api/contract.js';
import type { GwEvent, GwEventInput } from '../../src/api/events.js';
import { recentFailovers, recentTickets, sessionDetail, sessionViews } from '../../src/api/projection/index.js';
import { gatewayRoutes } from '../../src/core/control/routes/gateway.js';
import { EventBus } from '../../src/core/eventBus.js';
import { ActivityProjection } from '../../src/core/gateway/activityProjection.js';
import { createDashboardState } from '../../src/tui/store/dashboardState.js';
import { formatMs, formatPct, formatWei, oneLine, shortUri } from '../../src/tui/store/format.js';
import { applyEvent, applySnapshot } from '../../src/tui/store/reduce.js';
import { buildView } from '../../src/tui/store/view.js';
import { recordedEvents } from '../tui/fixture.js';
import { LIVE } from '../tui/helpers.js';

/** The daemon side: a bus, its projection and the control routes over it; the events as the bus stamped them. */
function daemonWith(inputs: readonly GwEventInput[], aiJob?: { id: string; label: string }) {
  const bus = new EventBus();
  const activity = new ActivityProjection(bus);
  const app = new Hono();
  gatewayRoutes({ orchestrators: () => ({ orchestrators: [], maxPricePerPixel: null }) }, activity).register(app);
  const emitted: GwEvent[] = [];
  for (const input of inputs) {
    if (aiJob && input.type === 'daemon.started') activity.openJob(aiJob.id, aiJob.label);
    emitted.push(bus.emit(input));
  }
  const get = async <T>(path: string): Promise<T> => (await app.request(path)).json() as Promise<T>;
  return { activity, emitted, get };
}

const inputsOf = (events: readonly GwEvent[]): GwEventInput[] => events.map(({ seq: _seq, ts: _ts, ...rest }) => rest as GwEventInput);

describe('the daemon and the dashboard agree', () => {
  it('on sessions (segments ok/failed, p50/p95, spend), tickets and failovers from the same events', async () => {
    const daemon = daemonWith(inputsOf(recordedEvents()));
    const dash = createDashboardState();
    for (const ev of daemon.emitted) applyEvent(dash, ev);

    const { sessions } = await daemon.get<{ sessions: SessionView[] }>('/v1/sessions');
    expect(sessions.map((s) => s.id)).toEqual(['cam-2', 'live-7f3a', 'old-1']);
    expect(sessionViews(dash)).toEqual(sessions);
    const live = sessions.find((s) => s.id === 'live-7f3a')!;
    // 11 transcoded (690…1340 ms: the 6th of 11 is 830), segment 11 failed for good; segment 6's retried failure is not an outcome
    expect(live).toMatchObject({ segmentsOk: 11, segmentsFailed: 1, p50Ms: 830, p95Ms: 1340, orchestrator: 'https://orch-b.test:8935', spendWei: String(22n * 10n ** 12n) });

    // what the dashboard draws is those numbers, formatted
    const now = daemon.emitted.at(-1)!.ts + 500;
    const rows = buildView(dash, LIVE, now).sessions;
    expect(rows.map((r) => r.id)).toEqual(sessions.map((s) => oneLine(s.id)));
    for (const [i, s] of sessions.entries()) {
      expect(rows[i]).toMatchObject({ ok: String(s.segmentsOk), failed: String(s.segmentsFailed), p50: formatMs(s.p50Ms), p95: formatMs(s.p95Ms), success: formatPct(s.successRate), spend: formatWei(BigInt(s.spendWei)), active: s.endedAt === null });
    }

    for (const s of sessions) {
      const detail = await daemon.get<SessionDetail>(`/v1/sessions/${s.id}`);
      expect(sessionDetail(dash.sessions.get(s.id)!)).toEqual(detail);
    }

    const { tickets } = await daemon.get<{ tickets: TicketView[] }>('/v1/tickets?limit=1000');
    expect(tickets).toHaveLength(16);
    expect(recentTickets(dash, 1000)).toEqual(tickets);
    expect(buildView(dash, LIVE, now).tickets.recent.map((r) => r.sessionId)).toEqual(tickets.map((t) => t.sessionId));
    const { failovers } = await daemon.get<{ failovers: FailoverView[] }>('/v1/failovers');
    expect(failovers).toEqual([expect.objectContaining({ sessionId: 'live-7f3a', reason: 'OrchestratorBusy' })]);
    expect(recentFailovers(dash, 100)).toEqual(failovers);
    expect(buildView(dash, LIVE, now).failovers.map((f) => f.to)).toEqual(failovers.map((f) => shortUri(f.to)));
    daemon.activity.close();
  });

  it('on AI jobs once the dashboard has the daemon’s session list (a job has no start event of its own)', async () => {
    const events = recordedEvents();
    const job = { id: 'req-1', label: 'llm/devnet/llm-tiny' };
    const aiEvents: GwEventInput[] = [
      { type: 'segment.sent', streamId: job.id, segment: 0, orchestrator: 'https://orch-b.test:8935', attempt: 1, bytes: 10 },
      { type: 'segment.transcoded', streamId: job.id, segment: 0, orchestrator: 'https://orch-b.test:8935', latencyMs: 321, renditions: 1, feeWei: '5' },
      { type: 'tickets.sent', streamId: job.id, recipient: '0xbbbb000000000000000000000000000000002222', count: 1, faceValueWei: '10', winProb: '1', evWei: '7', firstNonce: 99 },
    ];
    const daemon = daemonWith([...inputsOf(events), ...aiEvents], job);
    daemon.activity.endJob(job.id);
    const dash = createDashboardState();
    for (const ev of daemon.emitted) applyEvent(dash, ev);
    const { sessions } = await daemon.get<{ sessions: SessionView[] }>('/v1/sessions');
    expect(sessions.find((s) => s.id === job.id)).toMatchObject({ kind: 'ai', renditions: [job.label], segmentsOk: 1, p50Ms: 321, spendWei: '7' });
    applySnapshot(dash, { at: daemon.emitted.at(-1)!.ts, sessions });
    expect(sessionViews(dash)).toEqual(sessions);
    daemon.activity.close();
  });
});
