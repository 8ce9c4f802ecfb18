import { describe, expect, it } from 'vitest';
import { applyWebhookAnswer, parseHeaderList, webhookBody } from './liveAuth.js';
import { rtmpOutputsOf } from './liveGateway.js';
import { LiveRequestError, parseHookStart, parseJsonStart, parseRtmpStart } from './liveRequest.js';
import { classifyLiveStartError } from './liveSelect.js';
import { LiveStatus, MAX_RECENT_SWAPS, parseRunnerEvent, RECENT_SWAP_INTERVAL_MS, SwapBudget } from './liveStatus.js';

describe('live start requests', () => {
  it("reads MediaMTX's hook fields (go-livepeer §a.1): source type case-insensitive, query keys, caller host as the pull host", () => {
    const fields = new URLSearchParams({ source_id: 'c1', source_type: 'rtmpConn', query: 'pipeline=noop&streamId=my-id&params=%7B%22a%22%3A1%7D&rtmpOutput=rtmp%3A%2F%2Fo%2Fx' });
    const spec = parseHookStart({ path: 'live/my-stream', fields, callerHost: '::1' });
    expect(spec).toMatchObject({ stream: 'my-stream', streamId: 'my-id', pipeline: 'noop', params: { a: 1 }, rtmpOutputs: ['rtmp://o/x'], origin: 'mediamtx' });
    expect(spec.source).toEqual({ kind: 'pull', url: 'rtmp://127.0.0.1/live/my-stream' });
    expect(spec.mediaMtx).toEqual({ sourceId: 'c1', sourceType: 'rtmpconn', host: '127.0.0.1' });
  });

  it('refuses what go-livepeer refuses, with its words', () => {
    const f = (o: Record<string, string>) => () => parseHookStart({ path: 's', fields: new URLSearchParams(o), callerHost: '10.0.0.1' });
    expect(f({ source_type: 'rtmpconn' })).toThrow('missing source_id');
    expect(f({ source_id: 'x', source_type: 'srtconn' })).toThrow('unknown media source');
    expect(f({ source_id: 'x', source_type: 'rtmpconn', query: 'params=%7Bnope' })).toThrow(/Invalid model params/);
    expect(f({ source_id: 'x', source_type: 'rtmpconn', query: 'params=%5B1%5D' })).toThrow(/Invalid model params/);
  });

  it('JSON start: rtmpUrl required, params as an object or JSON text, default pipeline noop', () => {
    expect(parseJsonStart('s1', { rtmpUrl: 'rtmp://h/app/k', params: '{"p":2}' })).toMatchObject({ pipeline: 'noop', params: { p: 2 }, source: { kind: 'pull', url: 'rtmp://h/app/k' }, origin: 'json' });
    expect(() => parseJsonStart('s1', { params: {} })).toThrow(LiveRequestError);
    expect(() => parseJsonStart('s1', { rtmpUrl: 'http://h/x' })).toThrow(/rtmp:\/\//);
    expect(() => parseJsonStart('bad name', { rtmpUrl: 'rtmp://h/a/k' })).toThrow(/invalid stream name/);
    expect(() => parseJsonStart('../x', { rtmpUrl: 'rtmp://h/a/k' })).toThrow(/invalid stream name/);
  });

  it("an RTMP publish's query carries the same keys", () => {
    expect(parseRtmpStart('cam', { pipeline: 'devnet/hue', params: '{"hue":90}', streamId: 'id1' })).toMatchObject({ stream: 'cam', pipeline: 'devnet/hue', params: { hue: 90 }, streamId: 'id1', source: { kind: 'push' } });
  });
});

describe('runner events and status', () => {
  it('unwraps queue types; status and stream_trace get their own queues; a missing type is unknown', () => {
    expect(parseRunnerEvent('{"queue_event_type":"stream_trace","event":{"type":"runner_receive_first_ingest_segment"}}')).toEqual({ queue: 'stream_trace', event: { type: 'runner_receive_first_ingest_segment' } });
    expect(parseRunnerEvent('{"type":"status","state":"ONLINE"}')?.queue).toBe('ai_stream_status');
    expect(parseRunnerEvent('{"x":1}')).toEqual({ queue: 'ai_stream_events', event: { x: 1, type: 'unknown' } });
    expect(parseRunnerEvent('not json')).toBeNull();
  });

  it('keeps last_params from the previous status when the runner sends it once, and only the first gateway error', () => {
    const s = new LiveStatus();
    expect(s.known).toBe(false);
    s.applyStatus({ type: 'status', inference_status: { last_params: { prompt: 'a' }, fps: 10 } });
    s.applyStatus({ type: 'status', inference_status: { last_params: null, fps: 12 } });
    expect(s.view()).toMatchObject({ inference_status: { last_params: { prompt: 'a' }, fps: 12 } });
    s.setError('first', 1);
    s.setError('second', 2);
    expect(s.view().gateway_status).toEqual({ error: { error_message: 'first', error_time: 1 } });
  });

  it("swap budget: two swaps within 3 minutes of each other, the third refused; a quiet 3 minutes resets it", () => {
    const b = new SwapBudget(0);
    expect(MAX_RECENT_SWAPS).toBe(2);
    expect(b.allow(1000)).toBe(true);
    expect(b.allow(2000)).toBe(true);
    expect(b.allow(3000)).toBe(false);
    const c = new SwapBudget(0);
    expect(c.allow(1000)).toBe(true);
    expect(c.allow(2000)).toBe(true);
    expect(c.allow(2000 + RECENT_SWAP_INTERVAL_MS)).toBe(true);
  });
});

describe('selection errors and the auth webhook', () => {
  it("classifies start failures as go-livepeer does", () => {
    expect(classifyLiveStartError('TicketParams expired')).toBe('retry-same');
    expect(classifyLiveStartError('HTTP 503 insufficient capacity')).toBe('other-o');
    expect(classifyLiveStartError('Invalid ticket senderNonce')).toBe('other-o');
    expect(classifyLiveStartError('HTTP 500 runner failed')).toBe('remove');
  });

  it("sends go-livepeer's body (with its //) and applies non-empty overrides; comfyui params are wrapped as a prompt", () => {
    const spec = parseRtmpStart('cam', { pipeline: 'noop', streamId: 'sid', params: '{"a":1}' });
    expect(webhookBody(spec, { gatewayHost: 'gw.example', whepUrl: '' })).toMatchObject({
      stream: 'cam',
      stream_key: 'cam',
      type: 'rtmp',
      status_url: 'https://gw.example/live/video-to-video/sid//status',
      update_url: 'https://gw.example/live/video-to-video/cam//update',
    });
    const out = applyWebhookAnswer(spec, { pipeline: 'comfyui', stream_id: '', pipeline_id: 'p1', rtmp_output_url: 'rtmp://o/out' });
    expect(out).toMatchObject({ pipeline: 'comfyui', streamId: 'sid', pipelineId: 'p1', params: { prompt: { a: 1 } }, rtmpOutputs: ['rtmp://o/out'] });
    expect(parseHeaderList('Authorization: Bearer x, X-Key:y')).toEqual({ Authorization: 'Bearer x', 'X-Key': 'y' });
  });
});

describe('RTMP outputs', () => {
  it("MediaMTX starts also push back to <source>-out and <source>-<requestID>-out (go-livepeer); other starts only where asked", () => {
    const hook = parseHookStart({ path: 'live/cam', fields: new URLSearchParams({ source_id: 'c', source_type: 'rtmpconn', query: 'rtmpOutput=rtmp%3A%2F%2Fo%2Fx' }), callerHost: '10.0.0.5' });
    expect(rtmpOutputsOf(hook, '1a2b3c4d', true)).toEqual(['rtmp://o/x', 'rtmp://10.0.0.5/live/cam-out', 'rtmp://10.0.0.5/live/cam-1a2b3c4d-out']);
    expect(rtmpOutputsOf(hook, '1a2b3c4d', false)).toEqual(['rtmp://o/x']);
    expect(rtmpOutputsOf(parseRtmpStart('cam', {}), 'r', true)).toEqual([]);
  });
});
