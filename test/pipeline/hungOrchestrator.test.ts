import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GwEvent } from '../../src/api/events.js';
import { parseMultipart } from '../../src/core/gateway/multipart.js';
import { SEGMENT_LIVENESS } from '../../src/lib/protocol/segmentClient.js';
import { httpRequest, spawnOrchestrator, startTestGateway, waitFor, type OrchestratorProcess, type TestGateway } from '../helpers/gateway.js';
import { makeTsSegment } from '../helpers/media.js';

type Transcoded = Extract<GwEvent, { type: 'segment.transcoded' }>;
type Failover = Extract<GwEvent, { type: 'failover' }>;

// Every segment spends this long on the orchestrator after its 200 is flushed: a window in which the orchestrator
// can be stopped mid-transcode, and longer than the first PING check, which must not give up on a slow one. Short
// enough that the segment's latency score stays under 1, so the gateway reuses the session for the next segment.
const WORK_MS = 1500;

describe('an orchestrator that stops answering mid-segment (real processes, SIGSTOP)', () => {
  const orchestrators: OrchestratorProcess[] = [];
  let gw: TestGateway;
  let segment: Buffer;
  let stopped: OrchestratorProcess | undefined;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) orchestrators.push(await spawnOrchestrator(['--offchain', '--passthrough', '--latency', `${WORK_MS}ms`]));
    gw = await startTestGateway({ orchAddr: orchestrators.map((o) => o.uri) });
    segment = makeTsSegment({ seconds: 2 });
  });
  afterAll(async () => {
    if (stopped) process.kill(stopped.child.pid!, 'SIGCONT');
    await gw?.stop();
    await Promise.all(orchestrators.map((o) => o.stop()));
  });

  const push = async (stream: string, seq: number) => {
    const t0 = performance.now();
    const r = await httpRequest(`${gw.state.httpUrl}/live/${stream}/${seq}.ts`, { method: 'POST', headers: { 'Content-Duration': '2000', Accept: 'multipart/mixed' }, body: segment });
    return { ...r, ms: performance.now() - t0 };
  };
  const transcoded = (stream: string) => gw.events.filter((e): e is Transcoded => e.type === 'segment.transcoded' && e.streamId === stream);
  const failovers = (stream: string) => gw.events.filter((e): e is Failover => e.type === 'failover' && e.streamId === stream);

  it('keeps a slow orchestrator that still answers PINGs (no false failover)', async () => {
    for (const seq of [0, 1]) {
      const r = await push('slow', seq);
      expect(r.status, r.body.toString()).toBe(200);
      expect(r.ms).toBeGreaterThan(WORK_MS);
    }
    await waitFor(() => transcoded('slow').length === 2, 'both segments reported');
    expect(gw.events.filter((e) => e.type === 'segment.failed' && e.streamId === 'slow')).toEqual([]);
    expect(failovers('slow')).toEqual([]);
  });

  it('gives a stopped orchestrator up within the PING deadline and delivers the segment from another', async () => {
    expect((await push('hang', 0)).status).toBe(200);
    await waitFor(() => transcoded('hang').length === 1, 'the first segment reported');
    const victim = orchestrators.find((o) => o.uri === transcoded('hang').at(-1)!.orchestrator)!;
    const other = orchestrators.find((o) => o !== victim)!;

    const pending = push('hang', 1);
    // The upload and O's 200 take milliseconds; then O sits in its WORK_MS transcode. Stop it there.
    await new Promise((r) => setTimeout(r, 600));
    process.kill(victim.child.pid!, 'SIGSTOP');
    stopped = victim;
    const r = await pending;

    expect(r.status, r.body.toString()).toBe(200);
    expect(parseMultipart(r.body, String(r.headers['content-type'])).map((p) => p.data.length)).toEqual([segment.length, segment.length]);
    // Without the PING check this waits for the 8 s whole-request deadline first.
    const giveUpMs = SEGMENT_LIVENESS.checkEveryMs + SEGMENT_LIVENESS.answerWithinMs;
    expect(r.ms).toBeLessThan(giveUpMs + WORK_MS + 1500);
    await waitFor(() => transcoded('hang').length === 2, 'the second segment reported');
    const failed = gw.events.find((e) => e.type === 'segment.failed' && e.streamId === 'hang' && !e.final);
    expect(failed).toEqual(expect.objectContaining({ orchestrator: victim.uri, error: expect.stringContaining('no answer to an HTTP/2 PING') }));
    expect(failovers('hang')).toEqual([expect.objectContaining({ from: victim.uri, to: other.uri })]);
    expect(transcoded('hang').at(-1)!.orchestrator).toBe(other.uri);
  });
});
