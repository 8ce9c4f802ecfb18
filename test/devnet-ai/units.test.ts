// Pure pieces of the devnet AI side: flags → options, AI quotes, billing units, the PNG/JPEG/WAV codecs, multipart.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { aiJobCapabilities, buildCapabilities, Rational } from '../../src/lib/protocol/index.js';
import { AiCatalog } from '../../src/devnet/orchestrator/ai/catalog.js';
import { defaultDevnetAi, parseAiModels, parseByoc } from '../../src/devnet/orchestrator/ai/config.js';
import { encodePng, encodeToneWav, imageInfo } from '../../src/devnet/orchestrator/ai/media.js';
import { encodeMultipart, multipartBoundary, parseMultipart } from '../../src/devnet/orchestrator/ai/multipart.js';
import { billingUnits, validateRequest, type ValidationError } from '../../src/devnet/orchestrator/ai/requests.js';
import { ByocRegistry } from '../../src/devnet/orchestrator/byoc/registry.js';
import { optionsFromFlags } from '../../src/devnet/orchestrator/orchestratorFlags.js';

describe('flags', () => {
  it('--ai, --ai-models, --ai-price and --byoc become orchestrator options', () => {
    const o = optionsFromFlags({ ai: true, 'ai-models': 'llm=warm:my/llm*3,cold:my/big', 'ai-price': 'llm=7/2,text-to-image=5', byoc: 'echo-a=echo,1000/1,2;nap=sleep,5,1' }, {});
    const llm = o.ai!.pipelines.find((p) => p.pipeline === 'llm')!;
    expect(llm).toEqual({ pipeline: 'llm', models: [{ id: 'my/llm', warm: true, capacity: 3 }, { id: 'my/big', warm: false, capacity: 1 }], price: { pricePerUnit: 7n, pixelsPerUnit: 2n } });
    expect(o.ai!.pipelines).toHaveLength(9);
    expect(o.ai!.pipelines.find((p) => p.pipeline === 'text-to-image')!.price).toEqual({ pricePerUnit: 5n, pixelsPerUnit: 1n });
    expect(o.byoc).toEqual([
      { name: 'echo-a', handler: 'echo', pricePerSecond: { pricePerUnit: 1000n, pixelsPerUnit: 1n }, capacity: 2 },
      { name: 'nap', handler: 'sleep', pricePerSecond: { pricePerUnit: 5n, pixelsPerUnit: 1n }, capacity: 1 },
    ]);
    expect(optionsFromFlags({}, {}).ai).toBeUndefined();
    expect(optionsFromFlags({ 'ai-models': 'upscale=warm:u' }, {}).ai!.pipelines.map((p) => p.pipeline)).toEqual(['upscale']);
    expect(() => optionsFromFlags({ 'ai-price': 'llm=1' }, {})).toThrow(/needs --ai/);
    expect(() => parseAiModels('live-video-to-video=warm:x')).toThrow(/unknown pipeline/);
    expect(() => parseAiModels('llm=hot:x')).toThrow(/warm:<model>/);
    expect(() => parseByoc('x=echo,1/0,1')).toThrow(/pixels per unit/);
  });
});

describe('AI quotes', () => {
  const catalog = new AiCatalog(defaultDevnetAi());

  it('sums the prices of the models named in job caps that carry capacities', () => {
    expect(catalog.quote(aiJobCapabilities({ capability: 27, modelId: 'devnet/sd-tiny', version: '' }))).toEqual(Rational.of(50_000n));
    const two = buildCapabilities({
      ids: [27, 33],
      capacities: new Map([[27, 1], [33, 1]]),
      perCapability: new Map<number, Record<string, object>>([[27, { 'devnet/sd-tiny': {}, 'devnet/sd-large': {} }], [33, { 'devnet/llm-tiny': {} }]]),
    });
    expect(catalog.quote(two)).toEqual(Rational.of(2n * 50_000n + 50_000_000n));
    // No capacities (transcoding-style job caps) or unknown models: nothing to sum.
    expect(catalog.quote(buildCapabilities({ ids: [27], perCapability: new Map([[27, { 'devnet/sd-tiny': {} }]]) })).isZero()).toBe(true);
    expect(catalog.quote(aiJobCapabilities({ capability: 27, modelId: 'nope', version: '' })).isZero()).toBe(true);
  });

  it('tracks capacity per (pipeline, model)', () => {
    expect(catalog.reserve('llm', 'devnet/llm-tiny')).toBe(true);
    expect(catalog.reserve('llm', 'devnet/llm-tiny')).toBe(false);
    expect(catalog.perCapability().get(33)!['devnet/llm-tiny']).toMatchObject({ capacityInUse: 1, capacity: 1 });
    catalog.release('llm', 'devnet/llm-tiny');
    expect(catalog.reserve('llm', 'unknown')).toBe(false);
  });
});

describe('billing units and validation', () => {
  const png = { filename: 'a.png', contentType: 'image/png', data: encodePng(10, 6, Buffer.alloc(180)) };
  const form = (fields: Record<string, string | typeof png>) => ({ kind: 'form' as const, value: parseMultipart(encodeMultipart(fields, 'b').body, 'b') });

  it('matches go-livepeer per pipeline', () => {
    const json = (value: Record<string, unknown>) => ({ kind: 'json' as const, value });
    expect(billingUnits(validateRequest('text-to-image', 'm', json({ prompt: 'p' })))).toBe(512n * 512n);
    expect(billingUnits(validateRequest('text-to-image', 'm', json({ prompt: 'p', width: 64, height: 32, num_images_per_prompt: 3 })))).toBe(64n * 32n * 3n);
    expect(billingUnits(validateRequest('image-to-image', 'm', form({ prompt: 'p', image: png, num_images_per_prompt: '2' })))).toBe(120n);
    expect(billingUnits(validateRequest('image-to-video', 'm', form({ image: png })))).toBe(576n * 1024n * 25n);
    expect(billingUnits(validateRequest('upscale', 'm', form({ prompt: 'p', image: png })))).toBe(60n);
    expect(billingUnits(validateRequest('audio-to-text', 'm', form({ audio: { ...png, filename: 'a.wav' } })), 2.9)).toBe(2000n);
    expect(billingUnits(validateRequest('llm', 'm', json({ messages: [{ role: 'user', content: 'hi' }] })))).toBe(400n);
    expect(billingUnits(validateRequest('llm', 'm', json({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 9 })))).toBe(9n);
    expect(billingUnits(validateRequest('text-to-speech', 'm', json({ text: 'naïve 🦊' })))).toBe(7000n);
  });

  it('names the offending field', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as ValidationError).field;
      }
      return undefined;
    };
    expect(field(() => validateRequest('text-to-image', 'm', { kind: 'json', value: { prompt: 'p', seed: 'x' } }))).toBe('seed');
    expect(field(() => validateRequest('image-to-image', 'm', form({ prompt: 'p', image: { ...png, data: Buffer.from('nope') } })))).toBe('image');
    expect(field(() => validateRequest('image-to-video', 'm', form({ image: png, fps: 'fast' })))).toBe('fps');
    expect(field(() => validateRequest('llm', 'm', { kind: 'json', value: { messages: [{ role: 'robot', content: 'x' }] } }))).toBe('messages[0].role');
    expect(field(() => validateRequest('segment-anything-2', 'm', form({ image: png, point_coords: '[[1,2]]', point_labels: '[1,0]' })))).toBe('point_labels');
  });
});

describe('codecs', () => {
  it('PNG round trip through ffmpeg, and JPEG/GIF headers', () => {
    const rgb = Buffer.alloc(5 * 3 * 3);
    for (let i = 0; i < 15; i++) rgb.set([i * 10, 255 - i * 10, 7], i * 3);
    const png = encodePng(5, 3, rgb);
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { input: png });
    expect(Buffer.compare(raw, rgb)).toBe(0);
    const jpeg = execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1'], { input: encodePng(40, 24, Buffer.alloc(40 * 24 * 3, 90)) });
    expect(imageInfo(jpeg)).toEqual({ format: 'jpeg', width: 40, height: 24 });
    expect(imageInfo(Buffer.from('GIF89a\x07\x00\x05\x00', 'latin1'))).toEqual({ format: 'gif', width: 7, height: 5 });
    expect(() => imageInfo(Buffer.from('hello world, not an image'))).toThrow('image: unknown format');
  });

  it('WAV tones have the expected length; multipart parses what it encodes', () => {
    expect(encodeToneWav([{ hz: 440, ms: 100 }, { hz: 0, ms: 50 }], 8000).length).toBe(44 + 1200 * 2);
    const { body, contentType } = encodeMultipart({ a: 'x y', f: { filename: 'q "1".bin', contentType: 'application/x', data: Buffer.from([0, 13, 10, 45, 45]) } });
    const parsed = parseMultipart(body, multipartBoundary(contentType));
    expect(parsed.fields.get('a')).toBe('x y');
    expect([...parsed.files.get('f')!.data]).toEqual([0, 13, 10, 45, 45]);
    expect(() => multipartBoundary('application/json')).toThrow(/multipart/);
  });
});

describe('BYOC registry', () => {
  it('parses go-livepeer registration JSON and rejects what the devnet cannot price', () => {
    const r = new ByocRegistry();
    const cap = r.register(JSON.stringify({ name: 'w', url: 'http://127.0.0.1:9/x', capacity: 2, price_per_unit: 10, price_scaling: 4, token: 't' }));
    expect([cap.price.num, cap.price.den, cap.capacity, cap.token]).toEqual([5n, 2n, 2, 't']);
    expect(r.reserve('w') && r.reserve('w')).toBe(true);
    expect(r.reserve('w')).toBe(false);
    expect(r.available('w')).toBe(0);
    expect(() => r.register('{"name":"w","url":"ftp://x"}')).toThrow(/url/);
    expect(() => r.register('{"name":"w","url":"devnet:echo","currency":"USD"}')).toThrow(/wei/);
    expect(r.prices()).toEqual([{ capability: 37, constraint: 'w', price: Rational.of(5n, 2n) }]);
  });
});
