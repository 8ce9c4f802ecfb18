import { describe, it, expect } from 'vitest';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import {
  hlsPaths,
  parseHlsPath,
  writeMasterPlaylist,
  writeMediaPlaylist,
} from './playlist.js';
import type { PlaylistSegment } from './playlist.js';

function segs(from: number, to: number, durationMs = 2000): PlaylistSegment[] {
  const out: PlaylistSegment[] = [];
  for (let seq = from; seq <= to; seq++) out.push({ seq, durationMs, uri: hlsPaths.segmentUri('P240p30fps16x9', seq) });
  return out;
}

function parseMedia(text: string): types.MediaPlaylist {
  const pl = HLS.parse(text);
  if (pl.isMasterPlaylist) throw new Error('expected a media playlist');
  return pl as types.MediaPlaylist;
}

describe('writeMediaPlaylist', () => {
  it('writes a live sliding window with version 3, target duration and media sequence', () => {
    const list = segs(0, 9);
    list[7]!.durationMs = 2023;
    const text = writeMediaPlaylist(list, { window: 6 });
    expect(text).toContain('#EXT-X-VERSION:3\n');
    expect(text).toContain('#EXTINF:2.023,\nP240p30fps16x9/7.ts\n');
    expect(text).not.toContain('ENDLIST');
    const pl = parseMedia(text);
    expect(pl.version).toBe(3);
    expect(pl.targetDuration).toBe(2); // RFC 8216: EXTINF rounded to the nearest integer ≤ target
    expect(pl.mediaSequenceBase).toBe(4);
    expect(pl.endlist).toBe(false);
    expect(pl.segments.map((s) => s.uri)).toEqual([4, 5, 6, 7, 8, 9].map((n) => `P240p30fps16x9/${n}.ts`));
    expect(pl.segments.map((s) => s.duration)).toEqual([2, 2, 2, 2.023, 2, 2]);

    // sliding: two more segments move the window by two
    const slid = parseMedia(writeMediaPlaylist(segs(0, 11), { window: 6 }));
    expect(slid.mediaSequenceBase).toBe(6);
    expect(slid.segments[0]!.uri).toBe('P240p30fps16x9/6.ts');
    expect(slid.targetDuration).toBe(2);
  });

  it('keeps a given constant target duration unless a shown segment would exceed it', () => {
    expect(parseMedia(writeMediaPlaylist(segs(0, 3, 1000), { targetDurationSec: 2 })).targetDuration).toBe(2);
    const long = segs(0, 3);
    long[2]!.durationMs = 3600;
    expect(parseMedia(writeMediaPlaylist(long, { targetDurationSec: 2 })).targetDuration).toBe(4);
  });

  it('marks discontinuities and counts the ones that left the window', () => {
    const list = segs(0, 9);
    list[2]!.discontinuity = true; // slides out of a 6-window
    list[6]!.discontinuity = true; // stays
    const text = writeMediaPlaylist(list, { window: 6 });
    expect(text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
    const pl = parseMedia(text);
    expect(pl.discontinuitySequenceBase).toBe(1);
    expect(pl.segments.map((s) => s.discontinuity === true)).toEqual([false, false, true, false, false, false]);

    const withBase = parseMedia(writeMediaPlaylist(list, { window: 6, discontinuitiesBefore: 2 }));
    expect(withBase.discontinuitySequenceBase).toBe(3);
  });

  it('writes a VOD playlist with ENDLIST and all segments', () => {
    const text = writeMediaPlaylist(segs(0, 2, 1999), { endList: true, playlistType: 'VOD' });
    expect(text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const pl = parseMedia(text);
    expect(pl.endlist).toBe(true);
    expect(pl.playlistType).toBe('VOD');
    expect(pl.segments).toHaveLength(3);
    expect(pl.mediaSequenceBase).toBe(0);
  });

  it('handles an empty playlist and rejects unordered segments', () => {
    const pl = parseMedia(writeMediaPlaylist([]));
    expect(pl.segments).toEqual([]);
    expect(() => writeMediaPlaylist([...segs(3, 3), ...segs(2, 2)])).toThrow(/ascending/);
  });
});

describe('writeMasterPlaylist', () => {
  it('lists one variant per rendition with bandwidth, resolution and name', () => {
    const text = writeMasterPlaylist([
      { name: 'source', uri: hlsPaths.variantUri('abc', 'source'), bandwidth: 1_234_567.4 },
      { name: 'P240p30fps16x9', uri: hlsPaths.variantUri('abc', 'P240p30fps16x9'), bandwidth: 600_000, width: 426, height: 240 },
    ]);
    expect(text).toContain('NAME="P240p30fps16x9"');
    const pl = HLS.parse(text) as types.MasterPlaylist;
    expect(pl.isMasterPlaylist).toBe(true);
    expect(pl.variants.map((v) => [v.uri, v.bandwidth, v.resolution])).toEqual([
      ['abc/source.m3u8', 1_234_567, undefined],
      ['abc/P240p30fps16x9.m3u8', 600_000, { width: 426, height: 240 }],
    ]);
  });
});

describe('URL layout', () => {
  it('builds and parses go-livepeer /stream/ paths', () => {
    expect(hlsPaths.master('abc')).toBe('/stream/abc.m3u8');
    expect(hlsPaths.media('abc', 'source')).toBe('/stream/abc/source.m3u8');
    expect(hlsPaths.segment('abc', 'P240p30fps16x9', 12)).toBe('/stream/abc/P240p30fps16x9/12.ts');
    expect(parseHlsPath('/stream/abc.m3u8')).toEqual({ kind: 'master', streamId: 'abc' });
    expect(parseHlsPath('/stream/abc/source.m3u8')).toEqual({ kind: 'media', streamId: 'abc', rendition: 'source' });
    expect(parseHlsPath('/stream/abc/P240p30fps16x9/12.ts')).toEqual({
      kind: 'segment',
      streamId: 'abc',
      rendition: 'P240p30fps16x9',
      seq: 12,
    });
    expect(parseHlsPath('/stream/../etc/passwd')).toBeNull();
    expect(parseHlsPath('/stream/abc/x/1.mp4')).toBeNull();
    expect(parseHlsPath('/other/abc.m3u8')).toBeNull();
  });
});
