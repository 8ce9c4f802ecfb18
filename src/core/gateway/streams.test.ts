import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../eventBus.js';
import { HlsStore } from '../hls/streamStore.js';
import { SegmentFailure } from './segmentErrors.js';
import { ActivityProjection } from './activityProjection.js';
import { StreamRegistry, type StreamSpec } from './streams.js';

const spec = (id: string): StreamSpec => ({ id, ingest: 'http-push', profiles: ['P240p30fps16x9'], profileSizes: [{ name: 'P240p30fps16x9', width: 426, height: 240, bitrate: 600_000 }] });
const seg = (seq: number) => ({ seq, durationMs: 2000, data: new Uint8Array([seq]) });

function registry(opts: { maxSessions?: number; endedRetentionMs?: number } = {}) {
  const hls = new HlsStore();
  const closed: string[] = [];
  const bus = new EventBus();
  const reg = new StreamRegistry({
    bus,
    activity: new ActivityProjection(bus),
    log: pino({ level: 'silent' }),
    hls,
    metrics: null,
    maxSessions: () => opts.maxSessions ?? 10,
    endedRetentionMs: opts.endedRetentionMs,
    // The transcoding context is the segment pipeline's job; here every rendition echoes the source.
    openTranscoder: async (s) => ({
      transcode: async (g) => ({ renditions: s.profiles.map((p) => ({ profile: p, data: g.data })) }),
      close: async () => void closed.push(s.id),
    }),
  });
  return { reg, hls, closed };
}

describe('StreamRegistry', () => {
  it('stores source and renditions, ends the stream with teardown, and enforces max sessions', async () => {
    const { reg, hls, closed } = registry({ maxSessions: 1 });
    await reg.process(spec('a'), seg(0));
    expect(hls.get('a')?.getSegment('source', 0)).toEqual(new Uint8Array([0]));
    expect(hls.get('a')?.getSegment('P240p30fps16x9', 0)).toEqual(new Uint8Array([0]));
    await expect(reg.process(spec('b'), seg(0))).rejects.toBeInstanceOf(SegmentFailure);
    await reg.end('a', 'test');
    expect(closed).toEqual(['a']);
    expect(hls.get('a')?.mediaPlaylist('source')).toContain('#EXT-X-ENDLIST');
    await reg.close();
  });

  it('starts a fresh HLS store when an ended stream id is reused, and frees ended streams after the retention', async () => {
    const { reg, hls } = registry({ endedRetentionMs: 50 });
    await reg.process(spec('again'), seg(0));
    await reg.end('again', 'publisher left');
    await reg.process(spec('again'), seg(1));
    expect(hls.get('again')?.getSegment('source', 1)).toEqual(new Uint8Array([1]));
    expect(hls.get('again')?.mediaPlaylist('source')).not.toContain('#EXT-X-ENDLIST');
    // The retention timer runs on fake time: the store is kept just short of it and freed once it passes.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await reg.end('again', 'done');
      await vi.advanceTimersByTimeAsync(49);
      expect(hls.get('again')).toBeDefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(hls.get('again')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
    await reg.close();
  });
});
