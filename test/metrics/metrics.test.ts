import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentTranscoded } from '../../src/api/events.js';
import { SuccessRateWindow } from '../../src/core/metrics/successRate.js';
import { httpRequest, spawnOrchestrator, startTestGateway, waitFor, type OrchestratorProcess, type TestGateway } from '../helpers/gateway.js';
import { makeTsSegment } from '../helpers/media.js';
import { checkExposition } from './exposition.js';
import { parsePrometheusText, sumOf } from './promText.js';

describe('Prometheus text parser (strict)', () => {
  const ok = '# HELP a_total Things\\n done\n# TYPE a_total counter\na_total{x="q\\"uote\\\\",y="nl\\n"} 3 1700000000000\n';

  it('parses HELP, TYPE, escaped labels, values and timestamps', () => {
    const f = parsePrometheusText(ok).get('a_total')!;
    expect(f).toEqual({ name: 'a_total', type: 'counter', help: 'Things\n done', samples: [{ name: 'a_total', labels: { x: 'q"uote\\', y: 'nl\n' }, value: 3, timestamp: 1_700_000_000_000 }] });
    expect(parsePrometheusText('g NaN\nh -Inf\n').get('g')!.samples[0]!.value).toBeNaN();
  });

  it.each([
    ['no final newline', 'a 1'],
    ['bad metric name', '1a 1\n'],
    ['bad value', 'a one\n'],
    ['bad escape', 'a{x="\\t"} 1\n'],
    ['unterminated label', 'a{x="1} 1\n'],
    ['duplicate label', 'a{x="1",x="2"} 1\n'],
    ['duplicate series', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['second HELP', '# HELP a x\n# HELP a y\na 1\n'],
    ['split family', 'a 1\nb 1\na{x="2"} 1\n'],
    ['negative counter', '# TYPE a counter\na -1\n'],
    ['unknown type', '# TYPE a thing\n'],
    ['bucket without le', '# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf != count', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});

describe('livepeer_success_rate window', () => {
  it('averages the last N outcomes', () => {
    const w = new SuccessRateWindow(4);
    expect(w.rate()).toBeUndefined();
    expect([true, true, false, true].map((ok) => w.record(ok))).toEqual([1, 1, 2 / 3, 0.75]);
    expect(w.record(false)).toBe(0.5); // the first success left the window
    expect(() => new SuccessRateWindow(0)).toThrow();
  });
});

describe('/metrics of a live gateway during a stream (off-chain)', () => {
  const orchs: OrchestratorProcess[] = [];
  let gw: TestGateway;
  let token: string;
  let segments: Buffer[];
  const dead = 'https://127.0.0.1:1';

  const scrape = async (auth = true) => {
    const r = await httpRequest(`${gw.state.controlUrl}/metrics`, auth ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: r.status, type: String(r.headers['content-type']), text: r.body.toString('utf8') };
  };
  const metrics = async () => {
    const r = await scrape();
    expect(r.status).toBe(200);
    return parsePrometheusText(r.text);
  };
  const push = (seq: number) =>
    httpRequest(`${gw.state.httpUrl}/live/cam/${seq}.ts`, { method: 'POST', headers: { 'Content-Duration': '2000' }, body: segments[seq % segments.length]! });
  const transcoded = () => gw.events.filter((e): e is SegmentTranscoded => e.type === 'segment.transcoded');

  beforeAll(async () => {
    orchs.push(...(await Promise.all([0, 1].map(() => spawnOrchestrator(['--offchain', '--passthrough'])))));
    gw = await startTestGateway({ orchAddr: [...orchs.map((o) => o.uri), dead] });
    token = readFileSync(gw.paths.tokenFile, 'utf8').trim();
    segments = [0, 2].map((offset) => makeTsSegment({ seconds: 2, offsetSeconds: offset }));
    await waitFor(async () => (await gw.client.orchestrators()).orchestrators.length === 3, 'the first probe');
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await Promise.all(orchs.map((o) => o.stop()));
  });

  it('asks for the token unless metricsPublic is on; the rest of the API always does', async () => {
    expect((await scrape(false)).status).toBe(401);
    const r = await scrape();
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/plain; version=0.0.4');
    await gw.client.updateConfig({ set: { metricsPublic: true } });
    const open = await scrape(false);
    expect(open.status).toBe(200);
    expect(parsePrometheusText(open.text).has('livepeer_current_sessions_total')).toBe(true);
    expect((await httpRequest(`${gw.state.controlUrl}/v1/status`)).status).toBe(401);
    await gw.client.updateConfig({ unset: ['metricsPublic'] });
    expect((await scrape(false)).status).toBe(401);
  });

  it('exports go-livepeer names, types, HELP and labels that move with the stream, failover and failure', async () => {
    const idle = await metrics();
    checkExposition(idle, { skip: ['livepeer_success_rate'] });
    expect(idle.has('livepeer_success_rate')).toBe(false); // no segment yet: no rate (not a rate of 0)
    expect(sumOf(idle, 'livepeer_discovery_errors_total', { orchestrator_uri: dead })).toBeGreaterThanOrEqual(1);
    expect(sumOf(idle, 'livepeer_max_sessions_total')).toBe(10);

    for (let seq = 0; seq < 3; seq++) expect((await push(seq)).status).toBe(200);
    const m1 = await metrics();
    checkExposition(m1);
    expect(sumOf(m1, 'livepeer_stream_created_total')).toBe(1);
    expect(sumOf(m1, 'livepeer_stream_started_total')).toBe(1);
    expect(sumOf(m1, 'livepeer_current_sessions_total')).toBe(1);
    expect(sumOf(m1, 'livepeer_segment_source_appeared_total', { profile: 'source', seg_type: 'http-push' })).toBe(3);
    expect(sumOf(m1, 'livepeer_segment_source_emerged_total')).toBe(3);
    expect(sumOf(m1, 'livepeer_segment_source_emerged_unprocessed_total')).toBe(3);
    expect(sumOf(m1, 'livepeer_segment_source_uploaded_total')).toBe(3);
    expect(sumOf(m1, 'livepeer_segment_transcoded_total', { profiles: 'P240p30fps16x9,P360p30fps16x9' })).toBe(3);
    expect(sumOf(m1, 'livepeer_transcode_overall_latency_seconds', {}, 'livepeer_transcode_overall_latency_seconds_count')).toBe(3);
    expect(sumOf(m1, 'livepeer_source_segment_duration_seconds', {}, 'livepeer_source_segment_duration_seconds_sum')).toBeCloseTo(6, 5);
    expect(sumOf(m1, 'livepeer_success_rate')).toBe(1);
    expect(sumOf(m1, 'livepeer_orchestrator_swaps')).toBe(0);

    // kill -9 the orchestrator in use: the next segment fails over
    const inUse = transcoded().at(-1)!.orchestrator;
    const victim = orchs.find((o) => o.uri === inUse)!;
    victim.child.kill('SIGKILL');
    expect((await push(3)).status).toBe(200);
    const m2 = await metrics();
    checkExposition(m2);
    expect(sumOf(m2, 'livepeer_orchestrator_swaps')).toBe(1);
    expect(sumOf(m2, 'livepeer_segment_source_upload_failed_total', { orchestrator_uri: victim.uri })).toBeGreaterThanOrEqual(1);
    expect(sumOf(m2, 'livepeer_transcode_retried', { try: '2' })).toBe(1);
    expect(sumOf(m2, 'livepeer_transcode_overall_latency_seconds', {}, 'livepeer_transcode_overall_latency_seconds_count')).toBe(4);
    expect(sumOf(m2, 'livepeer_success_rate')).toBe(1);

    // and the last one: the segment fails for good
    for (const o of orchs) o.child.kill('SIGKILL');
    expect((await push(4)).status).toBeGreaterThanOrEqual(500);
    const m3 = await metrics();
    checkExposition(m3);
    expect(sumOf(m3, 'livepeer_segment_transcode_failed_total')).toBe(1);
    expect(sumOf(m3, 'livepeer_success_rate')).toBe(0.8);
    expect(sumOf(m3, 'livepeer_segment_source_emerged_total')).toBe(5);
    // the alerts module saw it too: one stream-failed alert (a banner on the dashboard)
    await waitFor(() => gw.events.some((e) => e.type === 'alert' && e.alert === 'stream-failed'), 'the stream-failed alert', 5000);
    expect(gw.events.filter((e) => e.type === 'alert' && e.alert === 'stream-failed')).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/^stream cam: segment 4 failed after \d attempt\(s\): /) }),
    ]);
  }, 60_000);
});
