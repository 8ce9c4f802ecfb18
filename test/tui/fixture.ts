/**
 * A recorded session of a gateway, as the control API delivers it: a status/config snapshot and the event
 * stream of two streams. Stream live-7f3a transcodes on orchestrator A, which gets busy and is suspended;
 * the stream fails over to B; tickets flow to both; a low-deposit alert is raised; log lines along the way.
 */
import type { ConfigResponse, StatusResponse } from '../../src/api/contract.js';
import type { GwEvent, GwEventInput } from '../../src/api/events.js';
import type { Snapshot } from '../../src/tui/store/reduce.js';

export const T0 = Date.UTC(2025, 4, 1, 12, 0, 0);
export const ORCH_A = 'https://orch-a.test:8935';
export const ORCH_B = 'https://orch-b.test:8935';
export const ORCH_C = 'https://orch-c.test:8935';
export const ORCH_D = 'https://orch-d.test:8935';
export const ADDR_A = '0xaaaa000000000000000000000000000000001111';
export const ADDR_B = '0xbbbb000000000000000000000000000000002222';
const MAX_WIN_PROB = 2n ** 256n - 1n;
/** 1 in 1000. */
export const WIN_PROB = (MAX_WIN_PROB / 1000n).toString();
/** 0.001 ETH face value, so one ticket's EV is ~1e12 wei (1000 gwei). */
export const FACE = 10n ** 15n;
export const TICKET_EV = 10n ** 12n;

export const STATUS: StatusResponse = {
  version: '0.1.0',
  pid: 4242,
  startedAt: new Date(T0 - 5_000).toISOString(),
  uptimeMs: 5_000,
  mode: 'on-chain',
  network: 'arbitrum-one',
  dataDir: '/home/op/.local/state/gw',
  endpoints: {
    control: 'http://127.0.0.1:5935',
    http: 'http://127.0.0.1:9935',
    rtmp: 'rtmp://127.0.0.1:1935/live',
    metrics: 'http://127.0.0.1:5935/metrics',
  },
  orchestrators: { known: 4, usable: 2, rejected: 2 },
  sessions: { active: 2, streams: 2, aiJobs: 0 },
  draining: false,
};

export const CONFIG: ConfigResponse = {
  settings: [
    { key: 'maxPricePerUnit', value: '1500', source: 'file', default: '0', restart: false, description: 'Max price per pixelsPerUnit pixels in wei', goFlag: '-maxPricePerUnit' },
    { key: 'pixelsPerUnit', value: 1000, source: 'file', default: 1, restart: false, description: 'Pixels the max price is quoted for', goFlag: '-pixelsPerUnit' },
  ],
  pendingRestart: [],
};

/** The first snapshot: this daemon has status and config but not yet the list endpoints (404). */
export const SNAPSHOT: Snapshot = {
  at: T0,
  status: STATUS,
  config: CONFIG,
  missing: ['orchestrators', 'sessions', 'tickets', 'failovers'],
};

/** Builds the recorded events, with seq and ts stamped as the daemon's bus does. */
export function recordedEvents(): GwEvent[] {
  const out: GwEvent[] = [];
  let seq = 0;
  let t = T0;
  const at = (dt: number, e: GwEventInput) => {
    t += dt;
    out.push({ ...e, seq: ++seq, ts: t } as GwEvent);
  };
  const segmentOk = (stream: string, n: number, orch: string, latency: number, attempt = 1) => {
    at(0, { type: 'segment.sent', streamId: stream, segment: n, orchestrator: orch, attempt, bytes: 1_200_000 });
    at(latency, { type: 'segment.transcoded', streamId: stream, segment: n, orchestrator: orch, latencyMs: latency, renditions: 2, feeWei: '1800000000000' });
  };
  const tickets = (stream: string, recipient: string, nonce: number, count = 2) =>
    at(10, { type: 'tickets.sent', streamId: stream, recipient, count, faceValueWei: FACE.toString(), winProb: WIN_PROB, evWei: (TICKET_EV * BigInt(count)).toString(), firstNonce: nonce });

  at(0, { type: 'daemon.started', version: '0.1.0', pid: 4242, mode: 'on-chain' });
  at(5, { type: 'log', level: 'info', module: 'daemon', msg: 'gw daemon started' });
  at(5, { type: 'chain.updated', depositWei: (5n * 10n ** 17n).toString(), reserveWei: (36n * 10n ** 16n).toString(), round: '4127', senderState: 'ok' });
  at(20, { type: 'orchestrator.rejected', orchestrator: ORCH_C, reason: 'price too high', detail: '3.2 wei/px is above the cap of 1.5 wei/px' });
  at(5, { type: 'orchestrator.rejected', orchestrator: ORCH_D, reason: 'unreachable', detail: 'connect ECONNREFUSED after 3 s' });
  at(5, { type: 'log', level: 'warn', module: 'discovery', msg: '2 of 4 orchestrators rejected (price too high: 1, unreachable: 1)' });

  // a short stream that already ended
  at(100, { type: 'stream.started', streamId: 'old-1', ingest: 'http-push', profiles: ['360p30fps'] });
  at(5, { type: 'orchestrator.selected', streamId: 'old-1', orchestrator: ORCH_B, address: ADDR_B, pricePerPixel: '1000/1000' });
  segmentOk('old-1', 0, ORCH_B, 640);
  tickets('old-1', ADDR_B, 0, 1);
  at(300, { type: 'stream.ended', streamId: 'old-1', reason: 'ingest closed', segments: 1, failed: 0 });

  // the main stream on orchestrator A
  at(500, { type: 'stream.started', streamId: 'live-7f3a', ingest: 'rtmp', profiles: ['720p30fps', '360p30fps'] });
  at(40, { type: 'orchestrator.selected', streamId: 'live-7f3a', orchestrator: ORCH_A, address: ADDR_A, pricePerPixel: '1200/1000' });
  let nonceA = 0;
  const latA = [720, 810, 760, 905, 690, 1340];
  for (let n = 0; n < latA.length; n++) {
    segmentOk('live-7f3a', n, ORCH_A, latA[n]!);
    tickets('live-7f3a', ADDR_A, nonceA);
    nonceA += 2;
    t += 2000 - latA[n]! - 10;
  }
  at(0, { type: 'log', level: 'debug', module: 'transcode', msg: 'segment 5 took 1340 ms on orch-a.test:8935' });

  // A gets busy: segment 6 fails there, A is suspended, the stream fails over to B
  at(0, { type: 'segment.sent', streamId: 'live-7f3a', segment: 6, orchestrator: ORCH_A, attempt: 1, bytes: 1_180_000 });
  at(2100, { type: 'segment.failed', streamId: 'live-7f3a', segment: 6, orchestrator: ORCH_A, attempt: 1, error: 'OrchestratorBusy', final: false });
  at(2, { type: 'orchestrator.suspended', streamId: 'live-7f3a', orchestrator: ORCH_A, penalty: 3, reason: 'OrchestratorBusy' });
  at(1, { type: 'log', level: 'warn', module: 'selection', msg: 'suspending orch-a.test:8935 for 3 refreshes: OrchestratorBusy' });
  at(3, { type: 'failover', streamId: 'live-7f3a', from: ORCH_A, to: ORCH_B, reason: 'OrchestratorBusy', attempt: 2 });
  at(2, { type: 'orchestrator.selected', streamId: 'live-7f3a', orchestrator: ORCH_B, address: ADDR_B, pricePerPixel: '1000/1000' });
  segmentOk('live-7f3a', 6, ORCH_B, 880, 2);
  let nonceB = 1;
  tickets('live-7f3a', ADDR_B, nonceB);
  nonceB += 2;

  // a second stream joins on B
  at(200, { type: 'stream.started', streamId: 'cam-2', ingest: 'rtmp', profiles: ['720p30fps', '480p30fps', '360p30fps'] });
  at(30, { type: 'orchestrator.selected', streamId: 'cam-2', orchestrator: ORCH_B, address: ADDR_B, pricePerPixel: '1000/1000' });

  const latB = [830, 790, 845, 910];
  for (let n = 7; n < 7 + latB.length; n++) {
    segmentOk('live-7f3a', n, ORCH_B, latB[n - 7]!);
    tickets('live-7f3a', ADDR_B, nonceB);
    nonceB += 2;
    segmentOk('cam-2', n - 7, ORCH_B, latB[n - 7]! + 120);
    tickets('cam-2', ADDR_B, nonceB);
    nonceB += 2;
    t += 1500;
  }

  // segment 11 of live-7f3a fails for good
  at(0, { type: 'segment.sent', streamId: 'live-7f3a', segment: 11, orchestrator: ORCH_B, attempt: 1, bytes: 1_210_000 });
  at(4000, { type: 'segment.failed', streamId: 'live-7f3a', segment: 11, orchestrator: ORCH_B, attempt: 2, error: 'segment timed out after 4 s', final: true });
  at(1, { type: 'log', level: 'error', module: 'transcode', msg: 'live-7f3a segment 11 failed after 2 attempts: segment timed out after 4 s' });

  at(200, { type: 'chain.updated', depositWei: (499n * 10n ** 15n).toString(), reserveWei: (36n * 10n ** 16n).toString(), round: '4127', senderState: 'ok' });
  at(10, { type: 'alert', alert: 'low-deposit', severity: 'warning', message: 'deposit lasts under 3 days at the current EV rate' });
  at(300, { type: 'log', level: 'info', module: 'payments', msg: 'winning ticket redeemed by orch-b.test:8935 (0.001 ETH)' });
  return out;
}

/** "Now" for renders of the recorded state: just after the last event. */
export function fixtureNow(events: readonly GwEvent[]): number {
  return events[events.length - 1]!.ts + 500;
}
