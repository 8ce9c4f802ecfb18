import { describe, expect, it } from 'vitest';
import { encodeFormData, parseFormData } from '../../src/core/ai/formData.js';
import { imageInfo, wavDurationSeconds } from '../../src/core/ai/mediaInfo.js';
import {
  AiRequestError,
  MAX_IMAGE_BYTES,
  aiUnits,
  orchestratorFields,
  parseAiRequest,
  withAudioDuration,
  type AiRequest,
} from '../../src/core/ai/requests.js';
import { AI_PIPELINES, type AiPipeline } from '../../src/lib/pricing/pipelines.js';
import { form, jpeg, png, wav } from './media.js';

const JSON_CT = 'application/json';

function json(p: AiPipeline, body: unknown): AiRequest {
  return parseAiRequest(p, Buffer.from(JSON.stringify(body)), JSON_CT);
}

function multipart(p: AiPipeline, fields: Parameters<typeof form>[0]): AiRequest {
  const f = form(fields);
  return parseAiRequest(p, f.body, f.contentType);
}

/** The AiRequestError a parse throws (fails the test when it does not throw one). */
function rejection(fn: () => unknown): AiRequestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AiRequestError) return err;
    throw err;
  }
  throw new Error('expected an AiRequestError');
}

const img = (data = png(64, 48)) => ({ filename: 'in.png', type: 'image/png', data });

describe('multipart/form-data', () => {
  it('round-trips text and file parts byte for byte', () => {
    const bin = Buffer.from([0, 13, 10, 45, 45, 255, 13, 10]);
    const enc = encodeFormData([
      { name: 'prompt', data: Buffer.from('a "quoted" prompt\r\nwith lines') },
      { name: 'image', filename: 'x.png', contentType: 'image/png', data: bin },
    ]);
    const parts = parseFormData(enc.body, enc.contentType);
    expect(parts.map((p) => p.name)).toEqual(['prompt', 'image']);
    expect(parts[0]!.data.toString()).toBe('a "quoted" prompt\r\nwith lines');
    expect(parts[1]!.filename).toBe('x.png');
    expect(parts[1]!.contentType).toBe('image/png');
    expect(Buffer.compare(parts[1]!.data, bin)).toBe(0);
  });

  it('refuses a body without its closing boundary and a missing boundary parameter', () => {
    const enc = encodeFormData([{ name: 'a', data: Buffer.from('1') }]);
    expect(() => parseFormData(enc.body.subarray(0, enc.body.length - 20), enc.contentType)).toThrow(/closing boundary/);
    expect(() => parseFormData(enc.body, 'multipart/form-data')).toThrow(/boundary/);
  });
});

describe('media headers', () => {
  it('reads PNG and JPEG dimensions made by ffmpeg', () => {
    expect(imageInfo(png(64, 48))).toEqual({ format: 'png', width: 64, height: 48 });
    expect(imageInfo(jpeg(320, 200))).toEqual({ format: 'jpeg', width: 320, height: 200 });
    expect(imageInfo(Buffer.from('GIF89a....'))).toMatch(/not a PNG or JPEG/);
    expect(imageInfo(png(64, 48).subarray(0, 20))).toMatch(/truncated/);
    expect(imageInfo(jpeg(32, 32).subarray(0, 30))).toMatch(/JPEG/);
  });

  it('computes WAV duration from the header', () => {
    expect(wavDurationSeconds(wav(3.5))).toBeCloseTo(3.5, 6);
    expect(wavDurationSeconds(Buffer.from('RIFF....WAVEdata'))).toMatch(/data chunk|fmt/);
  });
});

describe('JSON pipelines', () => {
  it('text-to-image: gateway defaults 512×512×1 and go-livepeer units', () => {
    const r = json('text-to-image', { prompt: 'a cat' });
    expect(r.pipeline).toBe('text-to-image');
    if (r.pipeline !== 'text-to-image') return;
    expect([r.height, r.width, r.numImages, r.modelId]).toEqual([512, 512, 1, 'stabilityai/sdxl-turbo']);
    expect(aiUnits(r)).toBe(512n * 512n);
    const r2 = json('text-to-image', { prompt: 'x', height: 576, width: 1024, num_images_per_prompt: 3, model_id: 'm1' });
    expect(aiUnits(r2)).toBe(576n * 1024n * 3n);
    expect(r2.modelId).toBe('m1');
    // go-livepeer raises num_images to at least 1.
    expect(aiUnits(json('text-to-image', { prompt: 'x', num_images_per_prompt: 0 }))).toBe(512n * 512n);
    const fwd = orchestratorFields(r);
    expect(fwd.kind === 'json' && fwd.json).toMatchObject({ prompt: 'a cat', height: 512, width: 512, num_images_per_prompt: 1, model_id: 'stabilityai/sdxl-turbo' });
  });

  it('text-to-image: missing prompt, wrong types and bad JSON name the problem', () => {
    expect(rejection(() => json('text-to-image', {})).message).toBe('prompt: is required');
    expect(rejection(() => json('text-to-image', { prompt: '' })).field).toBe('prompt');
    const e = rejection(() => json('text-to-image', { prompt: 'x', height: '512' }));
    expect([e.field, e.status]).toEqual(['height', 400]);
    expect(e.message).toMatch(/height: must be an integer/);
    expect(rejection(() => json('text-to-image', { prompt: 'x', width: 10.5 })).field).toBe('width');
    expect(rejection(() => json('text-to-image', { prompt: 'x', width: 0 })).message).toMatch(/width: must be at least 1/);
    expect(rejection(() => json('text-to-image', { prompt: 'x', safety_check: 'yes' })).field).toBe('safety_check');
    expect(rejection(() => json('text-to-image', { prompt: 'x', loras: '{bad' })).field).toBe('loras');
    expect(rejection(() => parseAiRequest('text-to-image', Buffer.from('{"prompt":'), JSON_CT)).message).toMatch(/not valid JSON/);
    expect(rejection(() => parseAiRequest('text-to-image', Buffer.from('[]'), JSON_CT)).message).toMatch(/JSON object/);
    expect(rejection(() => parseAiRequest('text-to-image', Buffer.from('{}'), 'multipart/form-data; boundary=x')).message).toMatch(/expects a JSON body/);
  });

  it('llm: messages required and typed; max_tokens 256 by default; stream flag', () => {
    const r = json('llm', { messages: [{ role: 'user', content: 'hi' }] });
    if (r.pipeline !== 'llm') throw new Error('wrong pipeline');
    expect([r.maxTokens, r.stream, r.modelId]).toEqual([256, false, 'meta-llama/llama-3.1-8B-Instruct']);
    expect(aiUnits(r)).toBe(256n);
    const s = json('llm', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 40, stream: true, model: 'm' });
    expect(aiUnits(s)).toBe(40n);
    expect(s.pipeline === 'llm' && s.stream).toBe(true);
    expect(s.modelId).toBe('m');
    expect(rejection(() => json('llm', {})).field).toBe('messages');
    expect(rejection(() => json('llm', { messages: [] })).field).toBe('messages');
    expect(rejection(() => json('llm', { messages: 'hi' })).field).toBe('messages');
    expect(rejection(() => json('llm', { messages: [{ role: 'user', content: 5 }] })).field).toBe('messages[0].content');
    expect(rejection(() => json('llm', { messages: [{ content: 'x' }] })).field).toBe('messages[0].role');
    expect(rejection(() => json('llm', { messages: [{ role: 'user', content: 'x' }], max_tokens: 0 })).field).toBe('max_tokens');
    expect(rejection(() => json('llm', { messages: [{ role: 'user', content: 'x' }], stream: 'true' })).field).toBe('stream');
  });

  it("text-to-speech: text required; units are O's: 1000 × characters, not UTF-8 bytes (go-livepeer's under-payment)", () => {
    const r = json('text-to-speech', { text: 'héllo' });
    expect(aiUnits(r)).toBe(5000n);
    // an astral character is one character (one Go rune), not two UTF-16 units or four bytes
    expect(aiUnits(json('text-to-speech', { text: 'a🙂' }))).toBe(2000n);
    expect(rejection(() => json('text-to-speech', {})).field).toBe('text');
    expect(rejection(() => json('text-to-speech', { text: 12 })).field).toBe('text');
  });
});

describe('multipart pipelines', () => {
  it('image-to-image: input image size × num_images; prompt and image required', () => {
    const r = multipart('image-to-image', { prompt: 'p', image: img(png(64, 48)), num_images_per_prompt: '2' });
    expect(aiUnits(r)).toBe(64n * 48n * 2n);
    expect(r.pipeline === 'image-to-image' && r.image.info).toEqual({ format: 'png', width: 64, height: 48 });
    expect(aiUnits(multipart('image-to-image', { prompt: 'p', image: img(jpeg(320, 200)) }))).toBe(320n * 200n);
    expect(rejection(() => multipart('image-to-image', { image: img() })).field).toBe('prompt');
    expect(rejection(() => multipart('image-to-image', { prompt: 'p' })).field).toBe('image');
    expect(rejection(() => multipart('image-to-image', { prompt: 'p', image: img(), strength: 'lots' })).field).toBe('strength');
    expect(rejection(() => multipart('image-to-image', { prompt: 'p', image: img(), strength: '1.5' })).message).toMatch(/strength: must be at most 1/);
  });

  it('refuses non-image bytes and oversized images with 400 naming "image"', () => {
    const e = rejection(() => multipart('upscale', { prompt: 'p', image: { filename: 'x.png', data: Buffer.from('definitely not an image') } }));
    expect([e.field, e.status]).toEqual(['image', 400]);
    expect(e.message).toMatch(/not a PNG or JPEG/);
    const big = Buffer.concat([png(16, 16), Buffer.alloc(MAX_IMAGE_BYTES)]);
    const e2 = rejection(() => multipart('image-to-text', { image: { filename: 'big.png', data: big } }));
    expect(e2.field).toBe('image');
    expect(e2.message).toMatch(/exceeds the 20971520-byte/);
    expect(rejection(() => multipart('segment-anything-2', { image: { filename: 'e.png', data: Buffer.alloc(0) } })).message).toMatch(/image: is empty/);
    expect(rejection(() => parseAiRequest('upscale', Buffer.from('{}'), JSON_CT)).message).toMatch(/multipart\/form-data/);
  });

  it('image-to-video: height × width × 25 frames with 576×1024 defaults (not the input size)', () => {
    const r = multipart('image-to-video', { image: img(png(64, 48)) });
    expect(aiUnits(r)).toBe(576n * 1024n * 25n);
    expect(aiUnits(multipart('image-to-video', { image: img(), height: '256', width: '256' }))).toBe(256n * 256n * 25n);
    expect(rejection(() => multipart('image-to-video', { image: img(), fps: 'six' })).field).toBe('fps');
  });

  it('upscale, segment-anything-2 and image-to-text pay the input size', () => {
    expect(aiUnits(multipart('upscale', { prompt: 'p', image: img(png(64, 48)) }))).toBe(3072n);
    expect(aiUnits(multipart('segment-anything-2', { image: img(jpeg(320, 200)), point_coords: '[[1,2]]' }))).toBe(64000n);
    expect(aiUnits(multipart('image-to-text', { image: img(png(64, 48)), prompt: 'what is it' }))).toBe(3072n);
    expect(rejection(() => multipart('segment-anything-2', { image: img(), point_coords: '[[1,' })).field).toBe('point_coords');
    expect(rejection(() => multipart('segment-anything-2', { image: img(), multimask_output: 'maybe' })).field).toBe('multimask_output');
  });

  it('audio-to-text: WAV duration from the header, whole seconds × 1000, metadata duration forwarded', () => {
    const r = multipart('audio-to-text', { audio: { filename: 'a.wav', type: 'audio/wav', data: wav(3.7) } });
    if (r.pipeline !== 'audio-to-text') throw new Error('wrong pipeline');
    expect(r.audio.durationSeconds).toBeCloseTo(3.7, 5);
    expect(aiUnits(r)).toBe(3000n);
    const fwd = orchestratorFields(r);
    if (fwd.kind !== 'multipart') throw new Error('expected multipart');
    expect(fwd.parts.find((p) => p.name === 'metadata')!.data.toString()).toBe('{"duration":"3"}');
    expect(fwd.parts.at(-1)!.name).toBe('audio');
    expect(rejection(() => multipart('audio-to-text', {})).field).toBe('audio');
    expect(rejection(() => multipart('audio-to-text', { audio: { filename: 'a.wav', data: wav(0.5) } })).message).toMatch(/under 1 s/);
    // Non-WAV audio carries no duration until probed.
    const mp = multipart('audio-to-text', { audio: { filename: 'a.mp3', data: Buffer.from('ID3 not really') } });
    if (mp.pipeline !== 'audio-to-text') throw new Error('wrong pipeline');
    expect(mp.audio.durationSeconds).toBeUndefined();
    expect(aiUnits(withAudioDuration(mp, 12.9))).toBe(12000n);
    expect(rejection(() => withAudioDuration(mp, 0.2)).field).toBe('audio');
  });

  it('refuses a text value sent as a file and a JSON body for a multipart pipeline', () => {
    expect(rejection(() => multipart('upscale', { prompt: { filename: 'p.txt', data: Buffer.from('x') }, image: img() })).field).toBe('prompt');
  });

  it('every pipeline has a parser and a unit rule', () => {
    const samples: Record<AiPipeline, () => AiRequest> = {
      'text-to-image': () => json('text-to-image', { prompt: 'p' }),
      'image-to-image': () => multipart('image-to-image', { prompt: 'p', image: img() }),
      'image-to-video': () => multipart('image-to-video', { image: img() }),
      upscale: () => multipart('upscale', { prompt: 'p', image: img() }),
      'audio-to-text': () => multipart('audio-to-text', { audio: { filename: 'a.wav', data: wav(2) } }),
      'segment-anything-2': () => multipart('segment-anything-2', { image: img() }),
      llm: () => json('llm', { messages: [{ role: 'user', content: 'x' }] }),
      'image-to-text': () => multipart('image-to-text', { image: img() }),
      'text-to-speech': () => json('text-to-speech', { text: 'abc' }),
    };
    for (const p of AI_PIPELINES) {
      const r = samples[p]();
      expect(r.pipeline).toBe(p);
      expect(aiUnits(r) > 0n).toBe(true);
    }
  });
});
