// The devnet orchestrator's AI side over real TLS + HTTP/2 (simulated chain): model advertisement and AI prices in
// GetOrchestrator, every pipeline's go-livepeer response shape, debits of exactly units × price, result URLs vs
// inline data URLs, and the rejections (402, 403, 400 balance, 400 naming the bad field).
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capability, decodeBitstring, Rational, ticketParamsEV } from '../../src/lib/protocol/index.js';
import { defaultDevnetAi, startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { encodePng, encodeToneWav, imageInfo } from '../../src/devnet/orchestrator/ai/media.js';
import { encodeMultipart } from '../../src/devnet/orchestrator/ai/multipart.js';
import { AiTestClient, ORCH_KEY, OTHER_KEY } from './helpers/aiClient.js';

let orch: DevnetOrchestrator;
let client: AiTestClient;
const PNG = (() => {
  const rgb = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < 64 * 48; i++) rgb.set([200, 30 + (i % 20), 30], i * 3);
  return encodePng(64, 48, rgb);
})();
const png = { filename: 'in.png', contentType: 'image/png', data: PNG };

beforeAll(async () => {
  orch = await startDevnetOrchestrator({
    pricePerUnit: 1200n,
    pixelsPerUnit: 1n,
    ethKey: ORCH_KEY,
    ai: defaultDevnetAi(),
    byoc: [{ name: 'devnet-echo', pricePerSecond: { pricePerUnit: 100_000_000n, pixelsPerUnit: 1n }, capacity: 2 }],
  });
  client = new AiTestClient(orch.serviceUri);
});

afterAll(async () => {
  client?.close();
  await orch?.close();
});

const balanceKey = (pipeline: string, model: string, cap: number) => `${client.signer.address}/${cap}_${model}`;
const balance = (key: string): Rational => Rational.parse(orch.stats().balanceBySession[key] ?? '0');

/** Calls a pipeline and checks the balance moved by tickets × EV − units × price (stats keep 3 decimals). */
async function paid(pipeline: string, model: string, body: Parameters<AiTestClient['call']>[2], units: bigint, price: bigint, aiAuth = true) {
  const cap = { 'text-to-image': 27, 'image-to-image': 28, 'image-to-video': 29, upscale: 30, 'audio-to-text': 31, 'segment-anything-2': 32, llm: 33, 'image-to-text': 34, 'text-to-speech': 36 }[pipeline]!;
  const key = balanceKey(pipeline, model, cap);
  const before = balance(key);
  const r = await client.call(pipeline, model, body, units, { aiAuth });
  expect(r.status, r.text).toBe(200);
  expect(r.info.priceInfo?.pricePerUnit).toBe(price);
  const expected = before.add(ticketParamsEV(r.info.ticketParams!).mul(BigInt(r.tickets))).sub(Rational.of(units * price));
  expect(balance(key).sub(expected).abs().lte(Rational.of(2, 1000)), `balance ${balance(key).toDecimalString(3)} vs ${expected.toDecimalString(3)}`).toBe(true);
  return { ...r, json: JSON.parse(r.text) as Record<string, unknown> };
}

function ffprobe(data: Buffer): Promise<{ width: number; height: number; frames: number; codec: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=width,height,nb_read_frames,codec_name', '-of', 'json', '-i', 'pipe:0'], (err, out) => {
      if (err) return reject(err);
      const s = (JSON.parse(out) as { streams: Array<{ width: number; height: number; nb_read_frames: string; codec_name: string }> }).streams[0]!;
      resolve({ width: s.width, height: s.height, frames: Number(s.nb_read_frames), codec: s.codec_name });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(data);
  });
}

describe('GetOrchestrator with AI', () => {
  it('advertises AI capabilities, warm/cold models with capacities, and quotes the model price for AI job caps', async () => {
    const info = await client.discover('text-to-image', 'devnet/sd-tiny');
    const caps = info.capabilities!;
    expect(decodeBitstring(caps.bitstring)).toEqual(expect.arrayContaining([12, 27, 28, 29, 30, 31, 32, 33, 34, 36]));
    expect(decodeBitstring(caps.bitstring)).not.toContain(35);
    expect(caps.capacities[27]).toBe(2);
    expect(caps.capacities[28]).toBe(1);
    const t2i = caps.constraints!.PerCapability[27]!.models;
    expect(t2i['devnet/sd-tiny']).toMatchObject({ warm: true, capacity: 1, capacityInUse: 0, runnerVersion: 'devnet-0.1' });
    expect(t2i['devnet/sd-large']).toMatchObject({ warm: false, capacity: 1, runnerVersion: 'devnet-0.1' });
    expect(Object.keys(caps.constraints!.PerCapability[33]!.models).sort()).toEqual(['devnet/llm-large', 'devnet/llm-tiny']);
    expect(info.priceInfo).toMatchObject({ pricePerUnit: 50_000n, pixelsPerUnit: 1n });
    expect(info.capabilitiesPrices).toHaveLength(0);
    expect((await client.discover('llm', 'devnet/llm-tiny')).priceInfo).toMatchObject({ pricePerUnit: 50_000_000n, pixelsPerUnit: 1n });
  });

  it('without caps: the transcoding price plus capabilities_prices for every (capability, model) and BYOC name', async () => {
    const info = await client.discover();
    expect(info.priceInfo).toMatchObject({ pricePerUnit: 1200n, pixelsPerUnit: 1n });
    const prices = info.capabilitiesPrices.map((p) => `${p.capability}:${p.constraint}:${p.pricePerUnit}/${p.pixelsPerUnit}`);
    expect(prices).toContain('27:devnet/sd-tiny:50000/1');
    expect(prices).toContain('27:devnet/sd-large:50000/1');
    expect(prices).toContain('36:devnet/tts-tiny:100000/1');
    expect(prices).toContain(`${Capability.BYOC}:devnet-echo:100000000/1`);
    expect(prices).toHaveLength(12);
  });
});

describe('pipelines', () => {
  it('text-to-image: N PNGs of width×height as O URLs, debit h × w × N; inline data URLs without the AI header', async () => {
    const body = { json: { model_id: 'devnet/sd-tiny', prompt: 'a red fox', width: 64, height: 48, num_images_per_prompt: 2, seed: 7 } };
    const r = await paid('text-to-image', 'devnet/sd-tiny', body, 64n * 48n * 2n, 50_000n);
    const images = r.json.images as Array<{ url: string; seed: number; nsfw: boolean }>;
    expect(images.map((i) => [i.seed, i.nsfw])).toEqual([[7, false], [8, false]]);
    expect(images[0]!.url).toMatch(new RegExp(`^${orch.serviceUri}/stream/[0-9a-f]{16}/0\\.png$`));
    const got = await client.get(images[0]!.url);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(imageInfo(got.body)).toEqual({ format: 'png', width: 64, height: 48 });

    const inline = await paid('text-to-image', 'devnet/sd-tiny', body, 64n * 48n * 2n, 50_000n, false);
    const urls = (inline.json.images as Array<{ url: string }>).map((i) => i.url);
    expect(urls[0]).toMatch(/^data:image\/png;base64,/);
    // Deterministic: same prompt and seed, same picture either way.
    expect(Buffer.from(urls[0]!.split(',')[1]!, 'base64').equals(got.body)).toBe(true);
  });

  it('image-to-image and upscale: PNGs from the input (upscale 2×), debit input pixels', async () => {
    const i2i = await paid('image-to-image', 'devnet/i2i-tiny', { form: encodeMultipart({ model_id: 'devnet/i2i-tiny', prompt: 'blue', image: png }) }, 64n * 48n, 50_000n);
    const img = (i2i.json.images as Array<{ url: string }>)[0]!;
    expect(imageInfo((await client.get(img.url)).body)).toMatchObject({ width: 64, height: 48 });
    const up = await paid('upscale', 'devnet/upscale-tiny', { form: encodeMultipart({ model_id: 'devnet/upscale-tiny', prompt: 'sharp', image: png }) }, 64n * 48n, 50_000n, false);
    const url = (up.json.images as Array<{ url: string }>)[0]!.url;
    expect(url).toMatch(/^data:image\/png;base64,/);
    expect(imageInfo(Buffer.from(url.split(',')[1]!, 'base64'))).toMatchObject({ width: 128, height: 96 });
  });

  it('image-to-video: a 25-frame H.264 MP4 URL (even without the AI header), debit h × w × 25', async () => {
    const form = encodeMultipart({ model_id: 'devnet/svd-tiny', image: png, width: '64', height: '64', fps: '8' });
    const r = await paid('image-to-video', 'devnet/svd-tiny', { form }, 64n * 64n * 25n, 1_000n, false);
    const url = (r.json.images as Array<{ url: string }>)[0]!.url;
    expect(url).toMatch(/\/stream\/[0-9a-f]{16}\/0\.mp4$/);
    const video = await client.get(url);
    expect(video.headers['content-type']).toBe('video/mp4');
    expect(await ffprobe(video.body)).toEqual({ width: 64, height: 64, frames: 25, codec: 'h264' });
  });

  it('audio-to-text: speech chunks between silences with timestamps, debit whole seconds × 1000', async () => {
    const wav = encodeToneWav([{ hz: 440, ms: 1000 }, { hz: 0, ms: 1000 }, { hz: 660, ms: 1000 }]);
    const form = encodeMultipart({ model_id: 'devnet/whisper-tiny', audio: { filename: 'a.wav', contentType: 'audio/wav', data: wav } });
    const r = await paid('audio-to-text', 'devnet/whisper-tiny', { form }, 3000n, 1_000_000n);
    const chunks = r.json.chunks as Array<{ timestamp: number[]; text: string }>;
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.timestamp[0]).toBeCloseTo(0, 1);
    expect(chunks[0]!.timestamp[1]).toBeCloseTo(1, 1);
    expect(chunks[1]!.timestamp[0]).toBeCloseTo(2, 1);
    expect(chunks[1]!.timestamp[1]).toBeCloseTo(3, 1);
    expect(r.json.text).toBe(chunks.map((c) => c.text).join('').trim());
  });

  it('segment-anything-2 and image-to-text: masks/scores/logits strings and a caption, debit input pixels', async () => {
    const sam = await paid('segment-anything-2', 'devnet/sam2-tiny', { form: encodeMultipart({ model_id: 'devnet/sam2-tiny', image: png, point_coords: '[[32, 24]]', point_labels: '[1]' }) }, 64n * 48n, 50_000n);
    for (const k of ['masks', 'scores', 'logits']) expect(typeof sam.json[k]).toBe('string');
    const masks = JSON.parse(sam.json.masks as string) as number[][][];
    expect([masks.length, masks[0]!.length, masks[0]![0]!.length]).toEqual([3, 16, 16]);
    expect(masks[0]![8]![8]).toBe(1);
    expect(masks[0]![0]![0]).toBe(0);
    expect(JSON.parse(sam.json.scores as string)).toHaveLength(3);
    const cap = await paid('image-to-text', 'devnet/caption-tiny', { form: encodeMultipart({ model_id: 'devnet/caption-tiny', image: png }) }, 64n * 48n, 50_000n);
    expect(cap.json).toEqual({ text: 'a landscape 64x48 image, mostly red' });
  });

  it('llm: an LLMResponse, debit max_tokens (400 when missing)', async () => {
    const messages = [{ role: 'user', content: 'tell me a story about foxes' }];
    const r = await paid('llm', 'devnet/llm-tiny', { json: { model: 'devnet/llm-tiny', messages, max_tokens: 4 } }, 4n, 50_000_000n);
    expect(r.json).toMatchObject({ model: 'devnet/llm-tiny', usage: { completion_tokens: 4 }, choices: [{ index: 0, message: { role: 'assistant', content: 'Devnet reply to: tell' }, finish_reason: 'length' }] });
    expect(r.json.id).toMatch(/^chatcmpl-/);
    const full = await paid('llm', 'devnet/llm-tiny', { json: { model: 'devnet/llm-tiny', messages } }, 400n, 50_000_000n);
    expect((full.json.choices as Array<{ finish_reason: string; message: { content: string } }>)[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Devnet reply to: tell me a story about foxes' } });
  });

  it('text-to-speech: a WAV URL, debit 1000 × characters (runes, not bytes)', async () => {
    const text = 'héllo wörld';
    const r = await paid('text-to-speech', 'devnet/tts-tiny', { json: { model_id: 'devnet/tts-tiny', text } }, 11_000n, 100_000n, false);
    const url = (r.json.audio as { url: string }).url;
    expect(url.startsWith(`${orch.serviceUri}/stream/`)).toBe(true);
    const wav = await client.get(url);
    expect(wav.headers['content-type']).toBe('audio/wav');
    expect(wav.body.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.body.length).toBe(44 + 11 * 400 * 2);
  });
});

describe('rejections', () => {
  it('402 bad payment, 403 SegData signed by someone else, 400 insufficient balance (no tickets)', async () => {
    const info = await client.discover('text-to-image', 'devnet/sd-tiny');
    const h = await client.aiHeaders(info, 'text-to-image', 'devnet/sd-tiny', { units: 1n });
    const body = { json: { model_id: 'devnet/sd-tiny', prompt: 'x', width: 8, height: 8 } };
    const bad = await client.post('text-to-image', body, { seg: h.seg, pay: '%%%' });
    expect([bad.status, bad.text]).toEqual([402, 'base64 decode error: illegal base64 data at input byte 0\n']);
    const other = new AiTestClient(orch.serviceUri, OTHER_KEY);
    const forged = await client.aiHeaders(info, 'text-to-image', 'devnet/sd-tiny', { units: 1n, signer: other.signer });
    other.close();
    const f = await client.post('text-to-image', body, { seg: forged.seg, pay: h.pay });
    expect([f.status, f.text]).toEqual([403, 'ErrSegSig\n']);
    const before = orch.stats().aiRejected;
    const broke = await client.call('text-to-image', 'devnet/sd-large', { json: { model_id: 'devnet/sd-large', prompt: 'x', width: 8, height: 8 } }, 64n, { numTickets: 0 });
    expect([broke.status, broke.text]).toEqual([400, 'Insufficient balance\n']);
    expect(orch.stats().aiRejected).toBe(before + 1);
    expect(orch.stats().aiInUse['text-to-image/devnet/sd-large']).toBe(0);
  });

  it('400 JSON naming the field the runner would reject; unknown model → 403 incompatible caps / 503', async () => {
    const model = 'devnet/sd-tiny';
    const missing = await client.call('text-to-image', model, { json: { model_id: model, width: 64 } }, 64n * 512n);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toEqual({ detail: { msg: 'prompt: field required', field: 'prompt' } });
    const odd = await client.call('text-to-image', model, { json: { model_id: model, prompt: 'x', width: 100 } }, 100n * 512n);
    expect(JSON.parse(odd.text).detail.field).toBe('width');
    const llm = await client.call('llm', 'devnet/llm-tiny', { json: { model: 'devnet/llm-tiny', messages: [] } }, 400n);
    expect(JSON.parse(llm.text).detail.field).toBe('messages');
    const noImage = await client.call('upscale', 'devnet/upscale-tiny', { form: encodeMultipart({ model_id: 'devnet/upscale-tiny', prompt: 'x' }) }, 1n);
    expect(JSON.parse(noImage.text).detail).toEqual({ msg: 'image: file required', field: 'image' });
    // Job caps naming a model O does not serve fail the SegData compatibility check.
    const info = await client.discover('text-to-image', 'other/model');
    const h = await client.aiHeaders(info, 'text-to-image', 'other/model', { units: 1n });
    const r = await client.post('text-to-image', { json: { model_id: 'other/model', prompt: 'x' } }, h);
    expect([r.status, r.text]).toEqual([403, 'incompatible capabilities\n']);
    // A model mismatch between SegData and body reaches the capacity check.
    const h2 = await client.aiHeaders(await client.discover('text-to-image', model), 'text-to-image', model, { units: 1n });
    const r2 = await client.post('text-to-image', { json: { model_id: 'other/model', prompt: 'x' } }, h2);
    expect([r2.status, r2.text]).toEqual([503, 'insufficient capacity\n']);
  });
});
