// The devnet orchestrator's live-video-to-video: start a stream over HTTPS, publish real MPEG-TS segments on its
// trickle input with gw's publisher, read the transformed output and the runner's events with gw's subscriber.
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/lib/media/ffmpeg.js';
import { TricklePublisher } from '../../src/lib/trickle/publisher.js';
import { TrickleSubscriber } from '../../src/lib/trickle/subscriber.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { LiveStartError, startLiveStream } from '../../src/core/live/liveStart.js';

const run = promisify(execFile);
let o: DevnetOrchestrator;
let ffmpeg: string;

interface StartReply {
  control_url: string;
  events_url: string;
  manifest_id: string;
  publish_url: string;
  subscribe_url: string;
}

function post(path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${o.serviceUri}${path}`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One second of flat gray video (luma ≈ `y`) as a self-contained MPEG-TS segment starting at `startSec`. */
async function graySegment(y: number, startSec: number): Promise<Buffer> {
  const hex = y.toString(16).padStart(2, '0');
  const { stdout } = await run(
    ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=0x${hex}${hex}${hex}:s=64x48:r=10`, '-t', '1', '-output_ts_offset', String(startSec),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', '-f', 'mpegts', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 16 << 20 },
  );
  return stdout;
}

/** Mean luma of the first frame of a TS segment. */
async function meanLuma(ts: Buffer): Promise<number> {
  const p = execFile(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { encoding: 'buffer', maxBuffer: 16 << 20 });
  p.stdin?.end(ts);
  const out: Buffer = await new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    p.stdout?.on('data', (c: Buffer) => chunks.push(c));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg exited ${code}`))));
  });
  let sum = 0;
  for (const b of out) sum += b;
  return sum / out.length;
}

async function text(body: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  ffmpeg = (await resolveFfmpeg()).path;
  o = await startDevnetOrchestrator({ port: 0, pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, live: { capacity: 1, statusIntervalMs: 200 } });
});

afterAll(async () => {
  await o?.close();
});

describe('devnet live-video-to-video', () => {
  it('devnet/negate: segments in, negated segments out, with the runner events; capacity and bad bodies answered', async () => {
    const start = await post('/live-video-to-video', JSON.stringify({ model_id: 'devnet/negate', stream_id: 'my-stream', gateway_request_id: 'r1', params: {} }));
    expect(start.status).toBe(200);
    const urls = JSON.parse(start.text) as StartReply;
    expect(urls.publish_url).toBe(`${o.serviceUri}/ai/trickle/${urls.manifest_id}`);
    expect(urls.subscribe_url).toBe(`${urls.publish_url}-out`);
    expect(urls.manifest_id).toMatch(/^[0-9a-f]{8}$/);

    // One stream per pipeline here: a second is refused as go-livepeer refuses it.
    expect(await post('/live-video-to-video', JSON.stringify({ model_id: 'devnet/negate' }))).toEqual({ status: 503, text: 'insufficient capacity\n' });
    expect((await post('/live-video-to-video', '{"params": 5}')).status).toBe(400);
    expect((await post('/live-video-to-video', JSON.stringify({ model_id: 'no/such-pipeline' }))).status).toBe(503);

    // Read the events as a gateway does, from the start and all along (the ring keeps only 5).
    const events = new TrickleSubscriber({ url: urls.events_url, start: 0 });
    const types: string[] = [];
    const streamIds = new Set<string>();
    const collecting = (async () => {
      for (let seg = await events.read(); seg; seg = await events.read()) {
        const msg = JSON.parse(await text(seg.body)) as { queue_event_type: string; event: { type: string; stream_id: string } };
        streamIds.add(msg.event.stream_id);
        types.push(msg.queue_event_type === 'stream_trace' ? msg.event.type : `${msg.queue_event_type}:${msg.event.type}`);
      }
    })();
    const out = new TrickleSubscriber({ url: urls.subscribe_url, start: 0 });
    const pub = await TricklePublisher.open({ url: urls.publish_url });
    for (let i = 0; i < 2; i++) expect(await pub.publish(await graySegment(40, i))).toMatchObject({ seq: i, ok: true });

    for (let i = 0; i < 2; i++) {
      const seg = (await out.read())!;
      expect(seg.seq).toBe(i);
      const chunks: Buffer[] = [];
      for await (const c of seg.body) chunks.push(c as Buffer);
      // Negated: 255 − 40 = 215, give or take the encoder.
      expect(await meanLuma(Buffer.concat(chunks))).toBeGreaterThan(205);
    }

    while (!types.includes('runner_send_first_processed_segment') || !types.includes('ai_stream_status:status')) await new Promise((r) => setTimeout(r, 20));
    expect(types.slice(0, 2)).toEqual(['runner_receive_stream_request', 'ai_stream_status:status']);
    expect(types.indexOf('runner_receive_first_ingest_segment')).toBeLessThan(types.indexOf('runner_send_first_processed_segment'));
    expect([...streamIds]).toEqual(['my-stream']);

    // The gateway ends the stream by closing its input channel: the runner stops and the slot is free again.
    await pub.close();
    expect(await out.read()).toBeNull();
    let again = await post('/live-video-to-video', JSON.stringify({ model_id: 'devnet/negate' }));
    for (let i = 0; again.status === 503 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await post('/live-video-to-video', JSON.stringify({ model_id: 'devnet/negate' }));
    }
    expect(again.status).toBe(200);
    // The runner closed its events channel when it stopped: the reader ends.
    await collecting;
  });

  it("gw's live start: channels from the orchestrator's reply; a pipeline at capacity is a capacity error", async () => {
    const request = { modelId: 'noop', streamId: 's2', requestId: 'r2', params: {} };
    const ch = await startLiveStream({ transcoder: o.serviceUri, request });
    expect(ch.publishUrl).toBe(`${o.serviceUri}/ai/trickle/${ch.manifestId}`);
    expect(ch.controlUrl).toBe(`${ch.publishUrl}-control`);
    // noop passes the bytes through unchanged.
    const pub = await TricklePublisher.open({ url: ch.publishUrl });
    const out = new TrickleSubscriber({ url: ch.subscribeUrl, start: 0 });
    const seg = await graySegment(90, 0);
    await pub.publish(seg);
    const got = (await out.read())!;
    const chunks: Buffer[] = [];
    for await (const c of got.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(seg)).toBe(true);
    // The first test left a devnet/negate stream running on the one slot.
    const err = await startLiveStream({ transcoder: o.serviceUri, request: { ...request, modelId: 'devnet/negate' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiveStartError);
    expect(err).toMatchObject({ status: 503, code: 'capacity' });
    out.close();
    await pub.close();
  });
});
