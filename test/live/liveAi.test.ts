// Live AI end to end, off-chain: ffmpeg publishes to gw's RTMP app `ai`, gw starts the stream on a devnet
// orchestrator over POST /live-video-to-video, trickles the segments there, and serves the runner's output as HLS at
// /stream/{stream}-out.m3u8. The frames are decoded and checked pixel-wise; updates, status and the hook are tested.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { httpRequest, startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';
import { tsAudioCodec } from '../../src/lib/media/mpegts.js';
import { frameColor, hlsSegments, publishColor, stopProcess } from './helpers.js';

let o: DevnetOrchestrator;
let gw: TestGateway;

beforeAll(async () => {
  o = await startDevnetOrchestrator({ port: 0, pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, live: { capacity: 2, statusIntervalMs: 1000 } });
  gw = await startTestGateway({ orchAddr: [o.serviceUri] });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await o?.close();
});

const rtmp = (path: string) => `rtmp://127.0.0.1:${gw.rtmpPort}/ai/${path}`;

async function latestSegment(stream: string, after = 0): Promise<{ data: Buffer; count: number; discontinuities: number }> {
  const master = `${gw.state.httpUrl}/stream/${stream}-out.m3u8`;
  let last: { data: Buffer; count: number; discontinuities: number } | undefined;
  await waitFor(async () => {
    const { urls, discontinuities } = await hlsSegments(master);
    if (urls.length <= after) return false;
    const seg = await httpRequest(urls[urls.length - 1]!);
    if (seg.status !== 200) return false;
    last = { data: seg.body, count: urls.length, discontinuities };
    return true;
  }, `HLS output of ${stream} with more than ${after} segments`, 30_000);
  return last!;
}

describe('live AI through gw (off-chain)', () => {
  it('RTMP app ai → devnet/negate → HLS: the output frames are the negated input; the status API shows the runner', async () => {
    const pub = publishColor(rtmp('neg?pipeline=devnet%2Fnegate&streamId=neg-id'), '404040');
    try {
      const seg = await latestSegment('neg');
      const c = await frameColor(seg.data);
      // Input luma ≈ 16 + 64·219/255 ≈ 71; negated planes give ≈ 255 − 71.
      expect(c.y).toBeGreaterThan(170);
      expect(c.y).toBeLessThan(200);
      // The runner returns Opus (as ai-runner does); browsers need AAC in HLS, so gw re-encodes the audio.
      expect(tsAudioCodec(seg.data)).toBe('aac');
      const view = await gw.client.liveStream('neg');
      expect(view.audioReencodeMs).toBeGreaterThan(0);
      expect(view).toMatchObject({ stream: 'neg', streamId: 'neg-id', pipeline: 'devnet/negate', state: 'running', source: 'rtmp' });
      expect(view.orchestrator?.url).toBe(o.serviceUri);
      expect(view.hlsUrl).toBe(`${gw.state.httpUrl}/stream/neg-out.m3u8`);
      let status: Record<string, unknown> = {};
      await waitFor(async () => {
        const r = await httpRequest(`${gw.state.httpUrl}/live/video-to-video/neg-id/status`);
        if (r.status !== 200) return false;
        status = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
        return status.state === 'ONLINE';
      }, 'status ONLINE for neg-id');
      expect(status).toMatchObject({ type: 'status', stream_id: 'neg-id', request_id: view.requestId, orchestrator_info: { url: o.serviceUri } });
      expect((status.input_status as { fps: number }).fps).toBeCloseTo(15, 0);
      expect((status.inference_status as { fps: number }).fps).toBeCloseTo(15, 0);
      expect(status.gateway_status).toBeDefined();
      const traces = gw.events.filter((e) => e.type === 'live.event' && e.stream === 'neg' && e.queue === 'stream_trace').map((e) => (e.type === 'live.event' ? e.data.type : ''));
      expect(traces).toEqual(expect.arrayContaining(['gateway_receive_stream_request', 'gateway_send_first_ingest_segment', 'gateway_receive_first_processed_segment', 'runner_receive_stream_request']));
    } finally {
      await stopProcess(pub);
    }
    // The RTMP server keeps a dropped publish open 30 s for the same client to resume.
    await waitFor(async () => (await gw.client.liveStream('neg')).state === 'ended', 'neg ended after the publisher left', 45_000);
    expect((await gw.client.liveStream('neg')).endReason).toBe('publisher disconnected');
  }, 90_000);

  it('an update reaches the runner: devnet/hue turns red output cyan within two segments', async () => {
    const pub = publishColor(rtmp('hue?pipeline=devnet%2Fhue&params=%7B%22hue%22%3A0%7D'), 'c03030');
    try {
      const before = await latestSegment('hue');
      const c0 = await frameColor(before.data);
      expect(c0.r).toBeGreaterThan(c0.b + 60);
      const upd = await httpRequest(`${gw.state.httpUrl}/live/video-to-video/hue/update`, { method: 'POST', body: Buffer.from('{"hue":180}') });
      expect(upd.status).toBe(200);
      const after = await latestSegment('hue', before.count + 2);
      const c1 = await frameColor(after.data);
      expect(c1.b).toBeGreaterThan(c1.r + 60);
      expect((await gw.client.liveStream('hue')).params).toEqual({ hue: 180 });
    } finally {
      await stopProcess(pub);
    }
  }, 90_000);

  it('bad input: malformed params → 400 with the reason; unknown pipeline → 503 naming the served ones; update of an unknown stream → 404', async () => {
    const post = (path: string, body: unknown) =>
      httpRequest(`${gw.state.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
    const bad = await post('/live/video-to-video/x1/start', { rtmpUrl: 'rtmp://127.0.0.1:1/none', params: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('Invalid model params');
    const unknown = await post('/live/video-to-video/x2/start', { rtmpUrl: `rtmp://127.0.0.1:${gw.rtmpPort}/live/none`, pipeline: 'no/such-pipeline' });
    expect(unknown.status).toBe(503);
    const msg = unknown.body.toString();
    expect(msg).toContain('no/such-pipeline');
    expect(msg).toContain('devnet/negate');
    const upd = await httpRequest(`${gw.state.httpUrl}/live/video-to-video/nobody/update`, { method: 'POST', body: Buffer.from('{}') });
    expect(upd.status).toBe(404);
    // gw is still up and serving.
    expect((await gw.client.status()).pid).toBeGreaterThan(0);
  }, 60_000);
});

describe("go-livepeer's MediaMTX hook", () => {
  it('the form start pulls the RTMP source named by rtmp_url and answers 200; the stream plays negated', async () => {
    // ffmpeg as a one-client RTMP server stands in for MediaMTX: gw pulls from it.
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const src = publishColor(`rtmp://127.0.0.1:${port}/live/hooked`, '404040', { listen: true });
    try {
      const form = new FormData();
      form.set('source_id', 'conn-1');
      form.set('source_type', 'rtmpConn');
      form.set('query', 'pipeline=devnet/negate&streamId=hooked-id');
      form.set('rtmp_url', `rtmp://127.0.0.1:${port}/live/hooked`);
      const res = await fetch(`${gw.state.httpUrl}/live/video-to-video/hooked/start`, { method: 'POST', body: form });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      const seg = await latestSegment('hooked');
      expect((await frameColor(seg.data)).y).toBeGreaterThan(170);
      const v = await gw.client.liveStream('hooked');
      expect(v).toMatchObject({ source: 'mediamtx', streamId: 'hooked-id', pipeline: 'devnet/negate' });
      // Pushed back to the source host as go-livepeer does (MediaMTX serves <stream>-out); here nothing listens there.
      expect(v.rtmpOutputs).toEqual([`rtmp://127.0.0.1:${port}/live/hooked-out`, `rtmp://127.0.0.1:${port}/live/hooked-${v.requestId}-out`]);
      // Our own output coming back through MediaMTX is ignored; a form without source_id is a 400.
      expect((await fetch(`${gw.state.httpUrl}/live/video-to-video/hooked-out/start`, { method: 'POST', body: form })).status).toBe(200);
      const bad = new FormData();
      bad.set('source_type', 'rtmpconn');
      const r400 = await fetch(`${gw.state.httpUrl}/live/video-to-video/x/start`, { method: 'POST', body: bad });
      expect(r400.status).toBe(400);
      expect(await r400.text()).toContain('source_id');
      await gw.client.liveStop('hooked');
      expect((await gw.client.liveStream('hooked')).state).toBe('ended');
    } finally {
      await stopProcess(src);
    }
  }, 90_000);
});
