// Live AI's operator surface against real receivers: the auth webhook refuses and rewrites streams (its answer's
// pipeline, stream id and RTMP output are used), the RTMP output receives the transformed stream with AAC audio, the
// concurrency cap answers 503, the heartbeat kill-switch stops a stream it names, go-livepeer's live metric names are
// served, and PUT /live/video-to-video/smoketest pushes a test card that starts a stream.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { tsAudioCodec } from '../../src/lib/media/mpegts.js';
import { httpRequest, startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';
import { frameColor, publishColor, stopProcess } from './helpers.js';

let o: DevnetOrchestrator;
let gw: TestGateway;
let hooks: Server;
const webhookCalls: Array<{ body: Record<string, string>; headers: Record<string, string | string[] | undefined> }> = [];
const heartbeats: Array<{ ids: string[] | null }> = [];
let terminate: string[] = [];
let outPort = 0;

beforeAll(async () => {
  outPort = 20_000 + Math.floor(Math.random() * 20_000);
  hooks = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (req.url === '/auth') {
        webhookCalls.push({ body: body as Record<string, string>, headers: req.headers });
        if (body.stream === 'denied') return void res.writeHead(403).end('no');
        const answer = body.stream === 'hooked' ? { pipeline: 'devnet/negate', stream_id: 'from-hook', rtmp_output_url: `rtmp://127.0.0.1:${outPort}/out/x` } : {};
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      }
      heartbeats.push(body as { ids: string[] | null });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ terminatedStreamIds: terminate }));
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  o = await startDevnetOrchestrator({ port: 0, pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, live: { capacity: 2, statusIntervalMs: 1000 } });
  gw = await startTestGateway({
    orchAddr: [o.serviceUri],
    liveAuthWebhookUrl: `${base}/auth`,
    liveAuthApiKey: 'sekret-key',
    liveHeartbeatUrl: `${base}/heartbeat`,
    liveHeartbeatHeaders: 'X-Gateway:test',
    liveHeartbeatInterval: 500,
    liveMaxStreams: 1,
    gatewayHost: 'gw.example',
  });
}, 60_000);

let stopped = false;

afterAll(async () => {
  if (!stopped) await gw?.stop();
  await o?.close();
  await new Promise((r) => hooks?.close(r));
});

describe('live AI operator surface', () => {
  it('webhook, RTMP output, concurrency cap, heartbeat kill-switch and metrics', async () => {
    const denied = publishColor(`rtmp://127.0.0.1:${gw.rtmpPort}/ai/denied?pipeline=noop`, '404040', { seconds: 5 });
    await waitFor(() => webhookCalls.some((c) => c.body.stream === 'denied'), 'webhook asked about denied');
    await stopProcess(denied);
    expect((await gw.client.liveStreams()).some((s) => s.stream === 'denied')).toBe(false);
    const call = webhookCalls.find((c) => c.body.stream === 'denied')!;
    expect(call.headers['x-api-key']).toBe('sekret-key');
    expect(call.headers.authorization).toBe('sekret-key');
    expect(call.body).toMatchObject({ stream_key: 'denied', type: 'rtmp', gateway_host: 'gw.example', update_url: 'https://gw.example/live/video-to-video/denied//update' });

    // The RTMP output: ffmpeg listens and records what gw pushes.
    const dir = mkdtempSync(join(tmpdir(), 'gw-live-out-'));
    const outFile = join(dir, 'out.ts');
    const receiver = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${outPort}/out/x`, '-c', 'copy', '-f', 'mpegts', outFile], { stdio: 'ignore' });
    const pub = publishColor(`rtmp://127.0.0.1:${gw.rtmpPort}/ai/hooked?pipeline=noop`, '404040');
    try {
      await waitFor(async () => (await gw.client.liveStream('hooked').catch(() => undefined))?.state === 'running', 'hooked running', 30_000);
      const v = await gw.client.liveStream('hooked');
      expect(v).toMatchObject({ pipeline: 'devnet/negate', streamId: 'from-hook', rtmpOutputs: [`rtmp://127.0.0.1:${outPort}/out/x`] });

      // A second stream is over the cap of one.
      const r = await httpRequest(`${gw.state.httpUrl}/live/video-to-video/second/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ rtmpUrl: 'rtmp://127.0.0.1:1/x/y' })),
      });
      expect(r.status).toBe(503);
      expect(r.body.toString()).toContain('liveMaxStreams');

      await waitFor(() => {
        try {
          return statSync(outFile).size > 100_000;
        } catch {
          return false;
        }
      }, 'RTMP output recorded', 30_000);
      await waitFor(() => heartbeats.some((h) => h.ids?.includes('from-hook') === true), 'heartbeat names the stream');

      // The kill-switch.
      terminate = ['from-hook'];
      await waitFor(async () => (await gw.client.liveStream('hooked')).state === 'ended', 'hooked stopped by the heartbeat', 10_000);
      expect((await gw.client.liveStream('hooked')).endReason).toBe('stream terminated: credit_exhaustion');
      terminate = [];
    } finally {
      await stopProcess(pub);
      await stopProcess(receiver);
    }
    const recorded = readFileSync(outFile);
    const usable = recorded.subarray(0, recorded.length - (recorded.length % 188));
    expect(tsAudioCodec(usable)).toBe('aac');
    // The output is the runner's: negated.
    const frame = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', outFile, '-frames:v', '1', '-f', 'mpegts', '-c:v', 'libx264', 'pipe:1'], { maxBuffer: 16 << 20 });
    expect((await frameColor(frame)).y).toBeGreaterThan(170);

    const metrics = await gw.client.metrics();
    expect(metrics).toMatch(/livepeer_ai_live_attempt\{[^}]*model_name="devnet\/negate"[^}]*\} 1/);
    expect(metrics).toContain('livepeer_ai_current_live_pipelines');
    expect(metrics).toMatch(/livepeer_ai_first_segment_delay_ms_count\{[^}]*\} [1-9]/);
  }, 120_000);

  it('PUT /live/video-to-video/smoketest pushes a test card that starts a live stream; bad bodies get 400', async () => {
    const bad = await httpRequest(`${gw.state.httpUrl}/live/video-to-video/smoketest`, { method: 'PUT', body: Buffer.from('{"stream_url":"http://x"}') });
    expect(bad.status).toBe(400);
    expect((await httpRequest(`${gw.state.httpUrl}/live/video-to-video/smoketest`, { method: 'POST', body: Buffer.from('{}') })).status).toBe(405);
    const r = await httpRequest(`${gw.state.httpUrl}/live/video-to-video/smoketest`, {
      method: 'PUT',
      body: Buffer.from(JSON.stringify({ stream_url: `rtmp://127.0.0.1:${gw.rtmpPort}/ai/smoke?pipeline=noop`, duration_secs: 8 })),
    });
    expect(r.status).toBe(200);
    await waitFor(async () => ((await gw.client.liveStream('smoke').catch(() => undefined))?.outputSegments ?? 0) >= 1, 'smoketest stream output', 45_000);
    await gw.client.liveStop('smoke');
  }, 90_000);

  it('gw stop ends running live streams cleanly: the orchestrator sees its input channel closed, the daemon exits', async () => {
    const pub = publishColor(`rtmp://127.0.0.1:${gw.rtmpPort}/ai/last?pipeline=noop`, '404040');
    try {
      await waitFor(async () => ((await gw.client.liveStream('last').catch(() => undefined))?.outputSegments ?? 0) >= 1, 'last output', 30_000);
      const mid = (await gw.client.liveStream('last')).orchestrator!.manifestId;
      const t0 = Date.now();
      await gw.stop();
      stopped = true;
      expect(Date.now() - t0).toBeLessThan(8000);
      await waitFor(() => o.stats().live!.streams.some((x) => x.manifestId === mid && x.closedReason === 'input closed'), 'the orchestrator saw the stream end');
    } finally {
      await stopProcess(pub);
    }
  }, 60_000);
});
