import { describe, expect, it } from 'vitest';
import { probeAudioSeconds } from '../../src/core/ai/audioProbe.js';
import {
  PriceConfigError,
  entryPrice,
  jobMaxPrice,
  lookupPrice,
  parseCapabilityPrices,
  resolveCapabilityPrices,
  serializeCapabilityPrices,
  upsertCapabilityPrice,
} from '../../src/lib/pricing/capabilityPrices.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { mp3 } from './media.js';

const GO_EXAMPLE = `{"capabilities_prices": [
  {"pipeline": "text-to-image", "model_id": "stabilityai/sd-turbo", "price_per_unit": 1000, "pixels_per_unit": 1},
  {"pipeline": "text-to-image", "price_per_unit": 2000, "pixels_per_unit": 3},
  {"pipeline": "upscale", "model_id": "default", "price_per_unit": 1200, "pixels_per_unit": 1, "currency": "WEI"},
  {"pipeline": "llm", "model_id": "big", "price_per_unit": 0.000000001, "currency": "ETH"},
  {"pipeline": "audio-to-text", "model_id": "w", "price_per_unit": 0}
]}`;

describe('per-capability prices (go-livepeer -maxPricePerCapability)', () => {
  it('parses go-livepeer JSON: missing model → default, exact decimals, currencies', () => {
    const e = parseCapabilityPrices(GO_EXAMPLE);
    expect(e.map((x) => [x.pipeline, x.modelId, x.pricePerUnit, x.pixelsPerUnit, x.currency])).toEqual([
      ['text-to-image', 'stabilityai/sd-turbo', '1000', '1', 'wei'],
      ['text-to-image', 'default', '2000', '3', 'wei'],
      ['upscale', 'default', '1200', '1', 'wei'],
      ['llm', 'big', '0.000000001', '0', 'ETH'],
      ['audio-to-text', 'w', '0', '0', 'wei'],
    ]);
  });

  it('keeps integer digits JSON numbers cannot hold', () => {
    const [e] = parseCapabilityPrices('{"capabilities_prices":[{"pipeline":"llm","price_per_unit":123456789012345678901234567890,"pixels_per_unit":7}]}');
    expect(e!.pricePerUnit).toBe('123456789012345678901234567890');
    expect(entryPrice(e!, { maxPricePerUnit: 0n, pixelsPerUnit: 1n })!.eq(Rational.of(123456789012345678901234567890n, 7n))).toBe(true);
  });

  it('applies go-livepeer fallbacks: pixels ≤ 0 → global pixelsPerUnit; price ≤ 0 → global max or ignored', () => {
    const entries = parseCapabilityPrices(GO_EXAMPLE);
    const noGlobal = resolveCapabilityPrices(entries, { maxPricePerUnit: 0n, pixelsPerUnit: 1n });
    expect(lookupPrice(noGlobal, 'llm', 'big')!.toString()).toBe('1000000000/1');
    expect(lookupPrice(noGlobal, 'audio-to-text', 'w')).toBeUndefined();
    const withGlobal = resolveCapabilityPrices(entries, { maxPricePerUnit: 600n, pixelsPerUnit: 4n });
    expect(lookupPrice(withGlobal, 'audio-to-text', 'w')!.toString()).toBe('150/1');
    expect(lookupPrice(withGlobal, 'llm', 'big')!.toString()).toBe('250000000/1');
  });

  it('job max: exact model, else "default", else the global cap (null = any price)', () => {
    const g = { maxPricePerUnit: 10n, pixelsPerUnit: 1n };
    const t = resolveCapabilityPrices(parseCapabilityPrices(GO_EXAMPLE), g);
    expect(jobMaxPrice(t, [{ pipeline: 'text-to-image', modelId: 'stabilityai/sd-turbo' }], g)!.toString()).toBe('1000/1');
    expect(jobMaxPrice(t, [{ pipeline: 'text-to-image', modelId: 'other' }], g)!.toString()).toBe('2000/3');
    expect(jobMaxPrice(t, [{ pipeline: 'image-to-text', modelId: 'x' }], g)!.toString()).toBe('10/1');
    expect(jobMaxPrice(t, [{ pipeline: 'image-to-text', modelId: 'x' }], { maxPricePerUnit: 0n, pixelsPerUnit: 1n })).toBeNull();
    // Several (capability, model) pairs: the sum of their caps.
    expect(jobMaxPrice(t, [{ pipeline: 'text-to-image', modelId: 'stabilityai/sd-turbo' }, { pipeline: 'upscale', modelId: 'u' }], g)!.eq(Rational.of(2200))).toBe(true);
  });

  it('serialises back to go-livepeer JSON that parses to the same entries', () => {
    const entries = upsertCapabilityPrice(parseCapabilityPrices(GO_EXAMPLE), { pipeline: 'llm', modelId: 'big', pricePerUnit: '5', pixelsPerUnit: '2', currency: 'wei' });
    const text = serializeCapabilityPrices(entries);
    expect(JSON.parse(text).capabilities_prices[4]).toEqual({ pipeline: 'llm', model_id: 'big', price_per_unit: 5, pixels_per_unit: 2, currency: 'wei' });
    expect(parseCapabilityPrices(text)).toEqual(entries);
  });

  it('rejects unknown pipelines, fiat currencies and malformed lists', () => {
    expect(() => parseCapabilityPrices('{"capabilities_prices":[{"pipeline":"dance"}]}')).toThrow(PriceConfigError);
    expect(() => parseCapabilityPrices('{"capabilities_prices":[{"pipeline":"llm","price_per_unit":1,"currency":"EUR"}]}')).toThrow(/EUR/);
    expect(() => parseCapabilityPrices('{"prices":[]}')).toThrow(/capabilities_prices/);
    expect(() => parseCapabilityPrices('{"capabilities_prices":[{"pipeline":"llm","price_per_unit":"cheap"}]}')).toThrow(/price_per_unit/);
  });
});

describe('audio duration by ffprobe', () => {
  it('measures a real MP3 and refuses bytes that are not audio', async () => {
    const s = await probeAudioSeconds('ffprobe', mp3(3));
    expect(s).toBeGreaterThan(2.9);
    expect(s).toBeLessThan(3.2);
    await expect(probeAudioSeconds('ffprobe', Buffer.from('hello, not audio at all'))).rejects.toThrow(/duration/);
  });
});
