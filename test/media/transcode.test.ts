import { describe, it, expect, beforeAll } from 'vitest';
import { createRequire } from 'node:module';
import { inspectTs, TsParseError } from '../../src/lib/media/mpegts.js';
import { buildTranscodeArgs, transcodeSegment, TranscodeError } from '../../src/lib/media/transcode.js';
import type { TranscodeProfile } from '../../src/lib/media/transcode.js';
import { FFMPEG, makeMedia, probe, run, splitTs, videoOf } from './helpers.js';

const P144: TranscodeProfile = { name: 'P144p30fps16x9', width: 256, height: 144, bitrate: 400_000, fps: 30, fpsDen: 1 };
const P240: TranscodeProfile = { name: 'P240p30fps16x9', width: 426, height: 240, bitrate: 600_000, fps: 30, fpsDen: 0 };
const P240_15: TranscodeProfile = { name: 'low15', width: 320, height: 240, bitrate: 300_000, fps: 15, fpsDen: 1 };

let segments: Uint8Array[] = [];

beforeAll(async () => {
  segments = await splitTs(await makeMedia(6, 'mpegts'));
});

describe('inspectTs', () => {
  it('counts video frames and PTS like ffprobe', async () => {
    expect(segments).toHaveLength(3);
    const seg = segments[1]!;
    const info = inspectTs(seg);
    const v = videoOf(await probe(seg));
    expect(info.videoStreamType).toBe(0x1b);
    expect(info.videoFrames).toBe(Number(v.nb_read_frames));
    expect(info.videoFrames).toBe(60);
    expect(info.minVideoPts).toBeCloseTo(Number(v.start_time), 3);
  });

  it('rejects data that is not a transport stream', () => {
    expect(() => inspectTs(new Uint8Array(100))).toThrow(TsParseError);
    expect(() => inspectTs(new Uint8Array(188))).toThrow(/sync/);
  });
});

describe('buildTranscodeArgs', () => {
  it('maps profile i to pipe:3+i, keeps source timestamps and validates sizes', () => {
    const args = buildTranscodeArgs([P144, P240]);
    expect(args).toContain('-copyts');
    expect(args.filter((a) => a === '-mpegts_copyts')).toHaveLength(2);
    expect(args.slice(-1)).toEqual(['pipe:4']);
    expect(args).toContain('scale=256:144,fps=30/1');
    expect(args).toContain('scale=426:240,fps=30/1');
    expect(() => buildTranscodeArgs([{ ...P144, width: 255 }])).toThrow(/even/);
    expect(buildTranscodeArgs([{ ...P144, fps: 0 }])).toContain('scale=256:144');
  });
});

describe('transcodeSegment', () => {
  it('transcodes a 2 s 320x240 segment into 2 profiles with one ffmpeg, keeping PTS', async () => {
    const seg = segments[1]!;
    const src = inspectTs(seg);
    const t0 = performance.now();
    const out = await transcodeSegment(seg, [P144, P240], { ffmpeg: FFMPEG });
    const ms = performance.now() - t0;
    console.log(`transcode 2 s 320x240 → 2 profiles: ${ms.toFixed(0)} ms`);

    expect(out.map((r) => r.name)).toEqual([P144.name, P240.name]);
    for (const [i, p] of [P144, P240].entries()) {
      const r = out[i]!;
      const streams = await probe(r.data);
      const v = videoOf(streams);
      expect(v.codec_name).toBe('h264');
      expect([v.width, v.height]).toEqual([p.width, p.height]);
      expect(streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
      expect(Number(v.nb_read_frames)).toBe(r.frames);
      expect(r.frames).toBe(60);
      expect(r.pixels).toBe(BigInt(p.width * p.height * 60));
      // fps filter snaps to the 1/30 s grid: within one frame of the source start
      expect(Math.abs(Number(v.start_time) - src.minVideoPts!)).toBeLessThan(1 / 30 + 1e-6);
    }
  });

  it('keeps renditions of consecutive segments contiguous and honours fps', async () => {
    const [a, b] = await Promise.all([
      transcodeSegment(segments[1]!, [P240_15], { ffmpeg: FFMPEG, preset: 'ultrafast' }),
      transcodeSegment(segments[2]!, [P240_15], { ffmpeg: FFMPEG, preset: 'ultrafast' }),
    ]);
    const ia = inspectTs(a[0]!.data);
    const ib = inspectTs(b[0]!.data);
    expect(a[0]!.frames).toBe(30);
    expect(b[0]!.frames).toBe(30);
    // next segment starts one frame interval (1/15 s) after the previous one's last frame
    expect(ib.minVideoPts! - ia.maxVideoPts!).toBeCloseTo(1 / 15, 2);
  });

  it('handles video-only input', async () => {
    const ts = new Uint8Array(
      await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', 'pipe:1']),
    );
    const out = await transcodeSegment(ts, [{ ...P144, fps: 0 }], { ffmpeg: FFMPEG, preset: 'ultrafast' });
    const streams = await probe(out[0]!.data);
    expect(streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(out[0]!.frames).toBe(25);
  });

  it('works with the bundled static ffmpeg build as well', async () => {
    const installer = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const out = await transcodeSegment(segments[0]!, [P144], { ffmpeg: installer, preset: 'ultrafast' });
    expect(videoOf(await probe(out[0]!.data)).width).toBe(256);
    expect(out[0]!.frames).toBe(inspectTs(segments[0]!).videoFrames);
  });

  it('passthrough copies the input for every profile and counts its frames', async () => {
    const seg = segments[0]!;
    const out = await transcodeSegment(seg, [P144, P240], { ffmpeg: '/nonexistent', passthrough: true });
    expect(out).toHaveLength(2);
    expect(Buffer.from(out[1]!.data).equals(Buffer.from(seg))).toBe(true);
    expect(out[1]!.data).not.toBe(seg);
    expect(out[0]!.pixels).toBe(BigInt(256 * 144 * inspectTs(seg).videoFrames));
  });

  it('rejects with ffmpeg stderr on bad input, and on abort', async () => {
    const err = await transcodeSegment(new Uint8Array(188 * 10), [P144], { ffmpeg: FFMPEG }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TranscodeError);
    expect((err as TranscodeError).exitCode).not.toBe(0);
    expect((err as TranscodeError).stderrTail).not.toBe('');

    const ac = new AbortController();
    const pending = transcodeSegment(segments[1]!, [P144, P240], { ffmpeg: FFMPEG, signal: ac.signal });
    ac.abort(new Error('stop now'));
    await expect(pending).rejects.toThrow('stop now');
    await expect(transcodeSegment(segments[1]!, [P144], { ffmpeg: FFMPEG, signal: ac.signal })).rejects.toThrow('stop now');
    await expect(transcodeSegment(segments[1]!, [P144], { ffmpeg: '/nonexistent/ffmpeg' })).rejects.toThrow(/cannot run/);
  });
});
