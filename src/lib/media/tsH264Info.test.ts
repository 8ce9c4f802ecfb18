import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseH264Sps, tsH264Info } from './mpegts.js';

function ts(args: string[]): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=426x240:rate=30', '-t', '0.5', '-pix_fmt', 'yuv420p', ...args, '-f', 'mpegts', 'pipe:1'], { maxBuffer: 8 << 20 });
}

describe('tsH264Info', () => {
  it('reads the codec string, cropped resolution and frame rate from the first SPS', () => {
    const high = tsH264Info(ts(['-c:v', 'libx264', '-profile:v', 'high', '-level', '3.1']));
    expect(high).toMatchObject({ codec: 'avc1.64001f', profileIdc: 100, levelIdc: 31, width: 426, height: 240, frameRate: 30 });
    const baseline = tsH264Info(ts(['-c:v', 'libx264', '-profile:v', 'baseline', '-level', '3.0', '-vf', 'scale=640:360']));
    expect(baseline).toMatchObject({ codec: 'avc1.42c01e', width: 640, height: 360 });
  });

  it('is null for non-H.264 video, no video and non-TS bytes', () => {
    expect(tsH264Info(ts(['-c:v', 'mpeg2video']))).toBeNull();
    expect(tsH264Info(Buffer.from('not a transport stream'))).toBeNull();
  });

  it('rejects NAL units that are not an SPS', () => {
    expect(() => parseH264Sps(Uint8Array.from([0x68, 1, 2, 3]))).toThrow(RangeError);
  });
});
