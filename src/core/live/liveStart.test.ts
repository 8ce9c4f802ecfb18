import { describe, expect, it } from 'vitest';
import { liveStartBody, parseLiveStartReply } from './liveStart.js';

describe('live start request and reply', () => {
  it("sends go-livepeer's body, with the URL fields empty", () => {
    expect(JSON.parse(liveStartBody({ modelId: 'noop', streamId: 'my-stream-id', requestId: '1a2b3c4d', params: { a: 1 } }))).toEqual({
      gateway_request_id: '1a2b3c4d',
      model_id: 'noop',
      params: { a: 1 },
      publish_url: '',
      stream_id: 'my-stream-id',
      subscribe_url: '',
    });
  });

  it('takes absolute URLs as they are and puts host-less ones on the transcoder', () => {
    const reply = {
      control_url: 'https://o:8935/ai/trickle/2153e39d-control',
      events_url: '/ai/trickle/2153e39d-events',
      manifest_id: '2153e39d',
      publish_url: 'https://o:8935/ai/trickle/2153e39d',
      subscribe_url: '/ai/trickle/2153e39d-out',
    };
    expect(parseLiveStartReply(reply, 'https://10.0.0.5:9935')).toEqual({
      controlUrl: 'https://o:8935/ai/trickle/2153e39d-control',
      eventsUrl: 'https://10.0.0.5:9935/ai/trickle/2153e39d-events',
      manifestId: '2153e39d',
      publishUrl: 'https://o:8935/ai/trickle/2153e39d',
      subscribeUrl: 'https://10.0.0.5:9935/ai/trickle/2153e39d-out',
    });
  });

  it('refuses a reply without a control URL, and one that is not an object', () => {
    expect(() => parseLiveStartReply({ publish_url: '/a', subscribe_url: '/b' }, 'https://o:1')).toThrow(/no control_url/);
    expect(() => parseLiveStartReply([], 'https://o:1')).toThrow(/not a JSON object/);
  });
});
