import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import {
  FfmpegNotFoundError,
  findOnPath,
  listingHas,
  parseFfmpegVersion,
  probeFfmpeg,
  resolveFfmpeg,
  resolveFfprobe,
} from '../../src/lib/media/ffmpeg.js';

const installerPath = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const systemFfmpeg = findOnPath('ffmpeg');

describe('resolveFfmpeg', () => {
  it('finds Debian ffmpeg on PATH (ffmpeg-static is not installed)', async () => {
    expect(systemFfmpeg).toBe('/usr/bin/ffmpeg');
    const r = await resolveFfmpeg({ env: { PATH: process.env.PATH } });
    expect(r).toEqual({ path: '/usr/bin/ffmpeg', source: 'path' });
  });

  it('prefers an explicit path, then GW_FFMPEG', async () => {
    expect(await resolveFfmpeg({ explicitPath: installerPath, env: { GW_FFMPEG: '/usr/bin/ffmpeg' } })).toEqual({
      path: installerPath,
      source: 'explicit',
    });
    expect(await resolveFfmpeg({ env: { GW_FFMPEG: installerPath, PATH: process.env.PATH } })).toEqual({
      path: installerPath,
      source: 'env',
    });
  });

  it('rejects an explicit path or GW_FFMPEG that is not executable, with install advice', async () => {
    await expect(resolveFfmpeg({ explicitPath: '/nonexistent/ffmpeg' })).rejects.toThrow(FfmpegNotFoundError);
    await expect(resolveFfmpeg({ env: { GW_FFMPEG: '/etc/passwd' } })).rejects.toThrow(/GW_FFMPEG.*apt-get install -y ffmpeg.*brew install ffmpeg/);
  });

  it('falls back to @ffmpeg-installer/ffmpeg when PATH has no ffmpeg', async () => {
    expect(await resolveFfmpeg({ env: { PATH: '/nonexistent' } })).toEqual({ path: installerPath, source: 'ffmpeg-installer' });
  });
});

describe('resolveFfprobe', () => {
  it('uses PATH, else the directory of ffmpeg, else null', () => {
    expect(resolveFfprobe({ env: { PATH: process.env.PATH } })).toEqual({ path: '/usr/bin/ffprobe', source: 'path' });
    expect(resolveFfprobe({ env: { PATH: '' }, ffmpegPath: '/usr/bin/ffmpeg' })).toEqual({ path: '/usr/bin/ffprobe', source: 'sibling' });
    expect(resolveFfprobe({ env: { PATH: '' }, ffmpegPath: installerPath })).toBeNull();
  });
});

describe('probeFfmpeg', () => {
  it('reports version and features of the system ffmpeg, cached per path', async () => {
    const p = await probeFfmpeg({ path: '/usr/bin/ffmpeg', source: 'path' });
    expect(p).toMatchObject({ path: '/usr/bin/ffmpeg', source: 'path', hasLibx264: true, hasRtmp: true, hasSegmentMuxer: true });
    expect(p.version).toMatch(/^5\.1/);
    const again = await probeFfmpeg('/usr/bin/ffmpeg');
    expect(again).toEqual({ ...p, source: 'explicit' });
  });

  it('probes the bundled static build too', async () => {
    const p = await probeFfmpeg({ path: installerPath, source: 'ffmpeg-installer' });
    expect(p).toMatchObject({ hasLibx264: true, hasRtmp: true, hasSegmentMuxer: true });
    expect(p.version).not.toBe('unknown');
  });

  it('rejects for a binary that cannot run', async () => {
    await expect(probeFfmpeg('/nonexistent/ffmpeg')).rejects.toThrow(/nonexistent/);
  });
});

describe('listing parsers', () => {
  it('matches names only in the name column', () => {
    const muxers = ' E mpegts          MPEG-TS (MPEG-2 Transport Stream)\n E stream_segment,ssegment streaming segment muxer\n';
    expect(listingHas(muxers, 'segment')).toBe(false);
    expect(listingHas(muxers, 'ssegment')).toBe(true);
    expect(listingHas(' V....D libx264  libx264 H.264 / AVC\n', 'libx264')).toBe(true);
    expect(listingHas('Input:\n  rtmp\n  rtmps\n', 'rtmp')).toBe(true);
    expect(parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026')).toBe('5.1.9-0+deb12u1');
  });
});
