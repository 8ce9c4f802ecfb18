import { describe, expect, it } from 'vitest';
import { parseStartBody } from './liveRoutes.js';
import { hueDegrees, isLivePipeline, liveFilter } from './liveRunner.js';

describe('devnet live runner, pure parts', () => {
  it('maps each pipeline and its params to a filter; a prompt picks a stable hue', () => {
    expect(liveFilter('noop', {})).toBeNull();
    expect(liveFilter('devnet/negate', { hue: 90 })).toBe('negate');
    expect(liveFilter('devnet/hue', { hue: 90 })).toBe('hue=h=90');
    expect(hueDegrees({ hue: -30 })).toBe(330);
    expect(hueDegrees({ prompt: 'a lighthouse' })).toBe(hueDegrees({ prompt: 'a lighthouse' }));
    expect(hueDegrees({ prompt: 'a lighthouse' })).not.toBe(hueDegrees({ prompt: 'a forest' }));
    expect(isLivePipeline('devnet/negate')).toBe(true);
    expect(isLivePipeline('streamdiffusion')).toBe(false);
  });

  it("parses go-livepeer's start body: model_id defaults to noop, params must be an object", () => {
    expect(parseStartBody({ gateway_request_id: 'r', stream_id: 's', publish_url: '', subscribe_url: '', params: { a: 1 } })).toEqual({ modelId: 'noop', streamId: 's', requestId: 'r', params: { a: 1 } });
    expect(parseStartBody({ model_id: 'devnet/hue' })).toMatchObject({ modelId: 'devnet/hue', params: {} });
    expect(parseStartBody({ params: [] })).toBe('params must be a JSON object');
    expect(parseStartBody('x')).toBe('expected a JSON object');
    expect(parseStartBody({ model_id: 3 })).toBe('model_id must be a string');
  });
});
