import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { inspectTs } from '../../src/lib/media/mpegts.js';
import { buildSegmenterArgs, parseSegmentListLine, SegmenterError, startSegmenter } from '../../src/core/media/segmenter.js';
import type { Segment } from '../../src/core/media/segmenter.js';
import { FFMPEG, makeMedia, probe, videoOf } from './helpers.js';

let flv6s: Uint8Array;

beforeAll(async () => {
  flv6s = await makeMedia(6, 'flv');
});

describe('parseSegmentListLine', () => {
  it('parses plain and quoted CSV entries', () => {
    expect(parseSegmentListLine('3.ts,6.023000,8.023000')).toEqual({ file: '3.ts', startSeconds: 6.023, endSeconds: 8.023 });
    expect(parseSegmentListLine('"a,""b"".ts",1.5,3.5\r')).toEqual({ file: 'a,"b".ts', startSeconds: 1.5, endSeconds: 3.5 });
    expect(parseSegmentListLine('')).toBeNull();
    expect(parseSegmentListLine('garbage')).toBeNull();
  });

  it('builds a stream-copy segment command with a CSV list on stdout', () => {
    const args = buildSegmenterArgs('/tmp/x', 2);
    expect(args.join(' ')).toContain('-f flv -i pipe:0 -map 0:v -map 0:a? -c copy -f segment -segment_time 2');
    expect(args.join(' ')).toContain('-reset_timestamps 0 -segment_list pipe:1 -segment_list_type csv /tmp/x/%d.ts');
  });
});

describe('startSegmenter', () => {
  it('cuts 6 s of FLV into three ~2 s contiguous, decodable TS segments and cleans up', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'gw-test-seg-'));
    try {
      const segs: Segment[] = [];
      const s = startSegmenter({ ffmpeg: FFMPEG, input: Readable.from([Buffer.from(flv6s)]), outDir, onSegment: (x) => void segs.push(x) });
      await s.done;
      expect(segs.map((x) => x.seq)).toEqual([0, 1, 2]);
      console.log('segment durations (ms):', segs.map((x) => x.durationMs).join(', '));
      for (const x of segs) expect(Math.abs(x.durationMs - 2000)).toBeLessThanOrEqual(50);
      for (let i = 1; i < segs.length; i++) expect(segs[i]!.startMs).toBe(segs[i - 1]!.startMs + segs[i - 1]!.durationMs);
      // timestamps are not reset per segment
      const pts = segs.map((x) => inspectTs(x.data).minVideoPts!);
      expect(pts[1]! - pts[0]!).toBeCloseTo(segs[0]!.durationMs / 1000, 1);
      const v = videoOf(await probe(segs[1]!.data));
      expect([v.codec_name, v.width, Number(v.nb_read_frames)]).toEqual(['h264', 320, 60]);
      expect(await readdir(outDir)).toEqual([]);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });

  it('stop() flushes the last partial segment of a live input', async () => {
    const input = new PassThrough();
    const segs: Segment[] = [];
    const s = startSegmenter({ ffmpeg: FFMPEG, input, onSegment: (x) => void segs.push(x) });
    // first ~3 s worth of the file (FLV tags are cut mid-way: ffmpeg must cope with a truncated tail)
    input.write(Buffer.from(flv6s.subarray(0, Math.floor(flv6s.length / 2))));
    await new Promise((r) => setTimeout(r, 300));
    await s.stop();
    await s.done;
    expect(segs.length).toBe(2);
    expect(segs[1]!.durationMs).toBeGreaterThan(500);
    expect(segs[1]!.durationMs).toBeLessThan(1500);
  });

  it('rejects done with the stderr tail when ffmpeg fails', async () => {
    const s = startSegmenter({ ffmpeg: FFMPEG, input: Readable.from([Buffer.from('not an flv stream at all')]), onSegment: () => {} });
    const err = await s.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SegmenterError);
    expect((err as SegmenterError).message).toMatch(/exit code 1.*pipe:0/s);
  });

  it('rejects done when onSegment throws, and stops ffmpeg', async () => {
    const s = startSegmenter({
      ffmpeg: FFMPEG,
      input: Readable.from([Buffer.from(flv6s)]),
      onSegment: () => {
        throw new Error('consumer broke');
      },
    });
    await expect(s.done).rejects.toThrow('consumer broke');
  });
});
