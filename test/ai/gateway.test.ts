// The AI gateway end to end against real devnet orchestrators (off-chain): every pipeline through the gateway's
// HTTP routes with go-livepeer's response shapes and re-hosted results, routing to the orchestrator that has the
// model, warm before cold, failover, LLM streaming arriving incrementally, async image-to-video, 400s that leave
// the server up, 503 with reasons, the marketplace listing, AI jobs as sessions, metrics and the control routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GwEvent } from '../../src/api/events.js';
import type { AddressInfo } from 'node:net';
import { createControlApp } from '../../src/core/control/app.js';
import { aiControlRoutes } from '../../src/core/control/routes/ai.js';
import { createGatewayHttpServer } from '../../src/core/gateway/httpServer.js';
import { HlsStore } from '../../src/core/hls/streamStore.js';
import { defaultDevnetAi, startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { call, callStreaming, postJson, startAiGateway, type TestAiGateway } from './harness.js';
import { form, jpeg, mp3, png, wav } from './media.js';

let o1: DevnetOrchestrator;
let o2: DevnetOrchestrator;
let gw: TestAiGateway;
const events: GwEvent[] = [];

beforeAll(async () => {
  const base = { pricePerUnit: 1n, pixelsPerUnit: 1n, offchain: true } as const;
  o1 = await startDevnetOrchestrator({ ...base, ai: { ...defaultDevnetAi(), llmTokenDelayMs: 40 } });
  o2 = await startDevnetOrchestrator({
    ...base,
    ai: {
      pipelines: [
        { pipeline: 'text-to-image', models: [{ id: 'devnet/sd-large', warm: true, capacity: 4 }, { id: 'devnet/o2-only', warm: true, capacity: 2 }] },
        { pipeline: 'llm', models: [{ id: 'devnet/llm-large', warm: true, capacity: 2 }] },
      ],
    },
  });
  gw = await startAiGateway([o1.serviceUri, o2.serviceUri]);
  gw.bus.subscribe((ev) => events.push(ev));
});

afterAll(async () => {
  await gw?.close();
  await Promise.all([o1?.close(), o2?.close()]);
});

const PNG = () => ({ filename: 'in.png', type: 'image/png', data: png(64, 48) });

async function postForm(path: string, fields: Parameters<typeof form>[0], headers: Record<string, string> = {}) {
  const f = form(fields);
  return call(`${gw.url}${path}`, { headers: { 'content-type': f.contentType, ...headers }, body: f.body });
}

/** Fetches every media URL of a response from the gateway and checks it is ours, not an orchestrator's. */
async function fetchMedia(urls: string[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const u of urls) {
    expect(u.startsWith('/stream/'), u).toBe(true);
    expect(u).not.toContain('127.0.0.1');
    const r = await call(`${gw.url}${u}`, { method: 'GET' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(0);
    out.push(r.body);
  }
  return out;
}

const requests = (o: DevnetOrchestrator) => o.stats().aiRequests;

describe('every pipeline through the gateway', () => {
  it('text-to-image: ImageResponse, 512×512 PNG hosted by the gateway', async () => {
    const r = await postJson(`${gw.url}/text-to-image`, { prompt: 'a red cat', model_id: 'devnet/sd-tiny', num_images_per_prompt: 2 });
    expect(r.status, r.text).toBe(200);
    const body = r.json<{ images: Array<{ url: string; seed: number; nsfw: boolean }> }>();
    expect(body.images).toHaveLength(2);
    expect(typeof body.images[0]!.seed).toBe('number');
    expect(typeof body.images[0]!.nsfw).toBe('boolean');
    const [img] = await fetchMedia(body.images.map((i) => i.url));
    expect(img!.subarray(1, 4).toString()).toBe('PNG');
    expect(img!.readUInt32BE(16)).toBe(512);
  });

  it('image-to-image, upscale, image-to-text, segment-anything-2 with multipart uploads', async () => {
    const i2i = await postForm('/image-to-image', { prompt: 'p', image: PNG(), model_id: 'devnet/i2i-tiny' });
    expect(i2i.status, i2i.text).toBe(200);
    await fetchMedia(i2i.json<{ images: Array<{ url: string }> }>().images.map((i) => i.url));
    const up = await postForm('/upscale', { prompt: 'p', image: { filename: 'in.jpg', type: 'image/jpeg', data: jpeg(32, 24) }, model_id: 'devnet/upscale-tiny' });
    expect(up.status, up.text).toBe(200);
    await fetchMedia(up.json<{ images: Array<{ url: string }> }>().images.map((i) => i.url));
    const i2t = await postForm('/image-to-text', { image: PNG(), prompt: 'what', model_id: 'devnet/caption-tiny' });
    expect(i2t.status, i2t.text).toBe(200);
    expect(typeof i2t.json<{ text: string }>().text).toBe('string');
    const sam = await postForm('/segment-anything-2', { image: PNG(), point_coords: '[[10,10]]', point_labels: '[1]', model_id: 'devnet/sam2-tiny' });
    expect(sam.status, sam.text).toBe(200);
    const masks = sam.json<{ masks: unknown; scores: unknown; logits: unknown }>();
    expect(Object.keys(masks).sort()).toEqual(['logits', 'masks', 'scores']);
  });

  it('image-to-video: video URLs in an ImageResponse, hosted by the gateway', async () => {
    const r = await postForm('/image-to-video', { image: PNG(), model_id: 'devnet/svd-tiny', height: '64', width: '64' });
    expect(r.status, r.text).toBe(200);
    const [video] = await fetchMedia(r.json<{ images: Array<{ url: string }> }>().images.map((i) => i.url));
    expect(video!.subarray(4, 8).toString()).toBe('ftyp');
  });

  it('audio-to-text: WAV and MP3 (duration by ffprobe) give TextResponse', async () => {
    for (const audio of [{ filename: 'a.wav', type: 'audio/wav', data: wav(2) }, { filename: 'a.mp3', type: 'audio/mpeg', data: mp3(2) }]) {
      const r = await postForm('/audio-to-text', { audio, model_id: 'devnet/whisper-tiny' });
      expect(r.status, r.text).toBe(200);
      const body = r.json<{ text: string; chunks: Array<{ timestamp: unknown; text: string }> }>();
      expect(typeof body.text).toBe('string');
      expect(Array.isArray(body.chunks)).toBe(true);
    }
  });

  it('text-to-speech: AudioResponse with a hosted WAV', async () => {
    const r = await postJson(`${gw.url}/text-to-speech`, { text: 'hello there', model_id: 'devnet/tts-tiny' });
    expect(r.status, r.text).toBe(200);
    const [audio] = await fetchMedia([r.json<{ audio: { url: string } }>().audio.url]);
    expect(audio!.subarray(0, 4).toString()).toBe('RIFF');
  });

  it('llm without streaming: LLMResponse with usage and choices', async () => {
    const r = await postJson(`${gw.url}/llm`, { messages: [{ role: 'user', content: 'hi' }], model: 'devnet/llm-tiny', max_tokens: 8 });
    expect(r.status, r.text).toBe(200);
    const body = r.json<{ id: string; model: string; created: number; usage: { total_tokens: number }; choices: Array<{ message: { content: string }; finish_reason: string }> }>();
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });
});

describe('routing', () => {
  it('sends a model only one orchestrator has to that orchestrator', async () => {
    const before = [requests(o1), requests(o2)];
    for (let i = 0; i < 3; i++) {
      const r = await postJson(`${gw.url}/text-to-image`, { prompt: 'x', model_id: 'devnet/o2-only', height: 64, width: 64 });
      expect(r.status, r.text).toBe(200);
    }
    expect([requests(o1) - before[0]!, requests(o2) - before[1]!]).toEqual([0, 3]);
  });

  it('prefers the orchestrator with the model warm over one with it cold', async () => {
    // devnet/sd-large is cold on o1 and warm on o2; devnet/llm-large likewise.
    const before = [requests(o1), requests(o2)];
    for (let i = 0; i < 4; i++) {
      const r = await postJson(`${gw.url}/text-to-image`, { prompt: 'x', model_id: 'devnet/sd-large', height: 64, width: 64 });
      expect(r.status, r.text).toBe(200);
    }
    expect([requests(o1) - before[0]!, requests(o2) - before[1]!]).toEqual([0, 4]);
    const pools = gw.ai.sessions.poolsInfo()['27_devnet/sd-large']!;
    expect(pools.warm.orchestrators.map((o) => o.url)).toEqual([o2.serviceUri]);
    expect(pools.cold.orchestrators.map((o) => o.url)).toEqual([o1.serviceUri]);
  });

  it('fails over to the other orchestrator when one errors (and suspends the failing one)', async () => {
    o2.faults.failNext(1);
    const before = requests(o1);
    const r = await postJson(`${gw.url}/llm`, { messages: [{ role: 'user', content: 'hi' }], model: 'devnet/llm-large', max_tokens: 4 });
    expect(r.status, r.text).toBe(200);
    // warm o2 failed first, then the cold o1 answered.
    expect(requests(o1) - before).toBe(1);
    const failover = events.find((e) => e.type === 'failover' && e.from === o2.serviceUri && e.to === o1.serviceUri);
    expect(failover).toBeDefined();
    expect(gw.ai.sessions.poolsInfo()['33_devnet/llm-large']!.suspended.list[o2.serviceUri]).toBeGreaterThan(0);
  });

  it('answers 503 naming why each orchestrator was rejected when none serves the model', async () => {
    const r = await postJson(`${gw.url}/text-to-image`, { prompt: 'x', model_id: 'nobody/has-this' });
    expect(r.status).toBe(503);
    const err = r.json<{ error: { message: string; orchestrators: Array<{ url: string; reason: string }> } }>().error;
    expect(err.message).toMatch(/^no orchestrators available/);
    expect(err.orchestrators.map((o) => o.url).sort()).toEqual([o1.serviceUri, o2.serviceUri].sort());
    for (const o of err.orchestrators) expect(o.reason).toMatch(/incompatible|does not serve/);
  });

  it('the 503 names the pipeline and model asked for, a default-filled model, and the models the network serves', async () => {
    type Missing = { message: string; pipeline: string; model_id: string; model_defaulted: boolean; served_models: Array<{ model_id: string; warm: number; cold: number }> };
    const named = await postJson(`${gw.url}/text-to-image`, { prompt: 'x', model_id: 'nobody/has-this' });
    expect(named.status).toBe(503);
    const a = named.json<{ error: Missing }>().error;
    expect(a).toMatchObject({ pipeline: 'text-to-image', model_id: 'nobody/has-this', model_defaulted: false });
    // sd-large is cold on o1 and warm on o2; sd-tiny is o1's warm default
    expect(a.served_models).toContainEqual({ model_id: 'devnet/sd-large', warm: 1, cold: 1 });
    expect(a.served_models).toContainEqual({ model_id: 'devnet/sd-tiny', warm: 1, cold: 0 });
    expect(a.message).toMatch(/^no orchestrators available for text-to-image model nobody\/has-this/);
    expect(a.message).toContain('devnet/sd-large (warm on 1, cold on 1)');

    // no model: go-livepeer's default is filled in, which devnet orchestrators do not serve
    const dflt = await postJson(`${gw.url}/llm`, { messages: [{ role: 'user', content: 'hi' }] });
    expect(dflt.status).toBe(503);
    const b = dflt.json<{ error: Missing }>().error;
    expect(b).toMatchObject({ pipeline: 'llm', model_id: 'meta-llama/llama-3.1-8B-Instruct', model_defaulted: true });
    expect(b.served_models.map((m) => m.model_id)).toContain('devnet/llm-tiny');
    expect(b.message).toMatch(/model meta-llama\/llama-3\.1-8B-Instruct \(the default, as the request named no model\)/);
    expect(b.message).toContain('devnet/llm-tiny');
  });
});

describe('LLM streaming', () => {
  it('relays server-sent events as they arrive (first chunk well before the last)', async () => {
    const r = await callStreaming(`${gw.url}/llm`, { messages: [{ role: 'user', content: 'count' }], model: 'devnet/llm-tiny', max_tokens: 12, stream: true });
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/text\/event-stream/);
    const text = r.chunks.map((c) => c.text).join('');
    const frames = text.split('\n\n').filter((f) => f.startsWith('data: '));
    expect(frames.length).toBeGreaterThan(3);
    const last = JSON.parse(frames.at(-1)!.slice(6)) as { choices: Array<{ finish_reason: string | null }> };
    expect(last.choices[0]!.finish_reason).toBeTruthy();
    // 40 ms between tokens at O: the first chunk reaches the client long before the stream ends.
    expect(r.chunks.length).toBeGreaterThan(3);
    expect(r.chunks.at(-1)!.at - r.chunks[0]!.at).toBeGreaterThan((frames.length - 2) * 40 * 0.6);
  });
});

describe('async image-to-video', () => {
  it('answers 202 with a request id, then complete with hosted video URLs on polling', async () => {
    const r = await postForm('/image-to-video', { image: PNG(), model_id: 'devnet/svd-tiny', height: '64', width: '64' }, { prefer: 'respond-async' });
    expect(r.status, r.text).toBe(202);
    const id = r.json<{ request_id: string }>().request_id;
    let done: { status: string; result?: { images: Array<{ url: string }> } } | undefined;
    for (let i = 0; i < 100 && !done; i++) {
      const p = await postJson(`${gw.url}/image-to-video/result`, { request_id: id });
      if (p.status === 200) done = p.json();
      else {
        expect(p.status).toBe(202);
        expect(p.json<{ status: string }>().status).toBe('processing');
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    expect(done?.status).toBe('complete');
    await fetchMedia(done!.result!.images.map((i) => i.url));
    expect((await postJson(`${gw.url}/image-to-video/result`, { request_id: 'nope' })).status).toBe(404);
  });
});

describe('bad requests', () => {
  it('answers 400 naming the field and keeps serving', async () => {
    const cases: Array<[Promise<Awaited<ReturnType<typeof call>>>, RegExp]> = [
      [postJson(`${gw.url}/text-to-image`, {}), /prompt/],
      [postJson(`${gw.url}/text-to-image`, { prompt: 'x', height: 'tall' }), /height/],
      [call(`${gw.url}/llm`, { headers: { 'content-type': 'application/json' }, body: '{"messages": [' }), /JSON/],
      [postForm('/upscale', { prompt: 'p', image: { filename: 'x.png', data: Buffer.from('not an image at all') } }), /image/],
      [postForm('/image-to-image', { image: PNG() }), /prompt/],
      [postForm('/audio-to-text', { audio: { filename: 'x.bin', data: Buffer.from('garbage bytes, not audio') } }), /audio/],
      [postJson(`${gw.url}/upscale`, { prompt: 'p' }), /multipart/],
    ];
    for (const [p, re] of cases) {
      const r = await p;
      expect(r.status, r.text).toBe(400);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(re);
    }
    expect((await call(`${gw.url}/text-to-image`, { method: 'GET' })).status).toBe(405);
    // Valid for the gateway, refused by the orchestrator's runner: its 400 goes back, and O is not blamed.
    const refused = await postJson(`${gw.url}/text-to-image`, { prompt: 'x', model_id: 'devnet/sd-tiny', height: 100, width: 64 });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/divisible by 8/);
    expect(gw.ai.sessions.poolsInfo()['27_devnet/sd-tiny']!.suspended.list).toEqual({});
    const ok = await postJson(`${gw.url}/text-to-image`, { prompt: 'still up', model_id: 'devnet/sd-tiny', height: 64, width: 64 });
    expect(ok.status).toBe(200);
  });
});

describe('views', () => {
  it('lists pipelines and models with warm/cold counts at GET /capabilities', async () => {
    const r = await call(`${gw.url}/capabilities`, { method: 'GET' });
    expect(r.status).toBe(200);
    const body = r.json<{ pipelines: Array<{ pipeline: string; model_id: string; warm: boolean; orchestrators: { warm: number; cold: number } }> }>();
    const large = body.pipelines.find((p) => p.pipeline === 'text-to-image' && p.model_id === 'devnet/sd-large');
    expect(large).toMatchObject({ warm: true, orchestrators: { warm: 1, cold: 1 } });
    expect(body.pipelines.filter((p) => p.pipeline === 'llm').map((p) => p.model_id).sort()).toEqual(['devnet/llm-large', 'devnet/llm-tiny']);
  });

  it('reports AI jobs as sessions of kind "ai", metrics and control routes', async () => {
    const views = gw.ai.views();
    expect(views.length).toBeGreaterThan(10);
    expect(views.every((v) => v.kind === 'ai')).toBe(true);
    expect(views.some((v) => v.renditions[0] === 'llm/devnet/llm-large' && v.segmentsOk === 1)).toBe(true);
    expect(gw.ai.activeJobs()).toBe(0);
    const failed = views.find((v) => v.renditions[0] === 'text-to-image/nobody/has-this');
    expect(failed?.segmentsFailed).toBe(1);
    const text = await gw.metrics.metrics();
    expect(text).toMatch(/livepeer_ai_models_requested\{pipeline="text-to-image",model_name="devnet\/sd-large"\} 4/);
    expect(text).toMatch(/livepeer_ai_request_errors\{[^}]*error_code="no orchestrators available"/);
    const app = createControlApp(
      { token: 't', bus: gw.bus, config: gw.config, status: () => ({}) as never, shutdown: () => ({ drainTimeoutMs: 0 }), closing: new Promise(() => undefined) },
      [aiControlRoutes(gw.ai.control)],
    );
    const auth = { headers: { authorization: 'Bearer t' } };
    const pools = (await (await app.request('/getAISessionPoolsInfo', auth)).json()) as Record<string, unknown>;
    expect(Object.keys(pools)).toContain('27_devnet/sd-large');
    const net = (await (await app.request('/v1/ai/network?pipeline=llm&model=devnet/llm-large', auth)).json()) as { orchestrators: Array<{ uri: string; warm: boolean }> };
    expect(net.orchestrators.map((o) => [o.uri, o.warm]).sort()).toEqual([[o1.serviceUri, false], [o2.serviceUri, true]].sort());
    const caps = (await (await app.request('/getNetworkCapabilities', auth)).json()) as { capabilities_names: Record<string, string>; orchestrators: Array<{ local_address: string }> };
    expect(caps.capabilities_names['33']).toBe('Llm');
    expect(caps.orchestrators).toHaveLength(2);
  });

  it('mounts on the gateway HTTP port through createGatewayHttpServer routes', async () => {
    const server = createGatewayHttpServer({ hls: new HlsStore(), pushSegment: () => Promise.reject(new Error('no video in this test')), routes: [gw.ai.route] });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await postJson(`${base}/llm`, { messages: [{ role: 'user', content: 'hi' }], model: 'devnet/llm-tiny', max_tokens: 4 });
      expect(r.status, r.text).toBe(200);
      expect((await call(`${base}/capabilities`, { method: 'GET' })).status).toBe(200);
      expect((await call(`${base}/healthz`, { method: 'GET' })).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('without orchestrators', () => {
  it('answers 503 for AI and BYOC and lists nothing', async () => {
    const empty = await startAiGateway([]);
    try {
      const r = await postJson(`${empty.url}/llm`, { messages: [{ role: 'user', content: 'hi' }] });
      expect(r.status).toBe(503);
      expect(r.json<{ error: { message: string } }>().error.message).toBe('no orchestrators available');
      const job = Buffer.from(JSON.stringify({ capability: 'echo', timeout_seconds: 5, request: '{}', parameters: '{}' })).toString('base64');
      const b = await call(`${empty.url}/process/request/x`, { headers: { livepeer: job }, body: '{}' });
      expect(b.status).toBe(503);
      const caps = await call(`${empty.url}/capabilities`, { method: 'GET' });
      expect(caps.json()).toMatchObject({ pipelines: [], byoc: [] });
    } finally {
      await empty.close();
    }
  });
});

