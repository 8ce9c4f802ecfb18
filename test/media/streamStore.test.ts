import { describe, it, expect } from 'vitest';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHlsPath } from '../../src/core/hls/playlist.js';
import { HlsStore, MemoryBudget, StreamStore } from '../../src/core/hls/streamStore.js';
import { estimateBandwidth } from '../../src/core/hls/variantTraits.js';
import { FFMPEG, run, testSourceArgs } from './helpers.js';

const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);

function media(text: string | undefined): types.MediaPlaylist {
  if (text === undefined) throw new Error('no playlist');
  return HLS.parse(text) as types.MediaPlaylist;
}

describe('StreamStore', () => {
  it('keeps a bounded window in memory and serves a sliding playlist', () => {
    const s = new StreamStore({ id: 'abc', playlistWindow: 6, memorySegments: 10 });
    for (let seq = 0; seq < 15; seq++) expect(s.addSegment('source', { seq, durationMs: 2000, data: bytes(10, seq) })).toBe(true);
    expect(s.getSegment('source', 4)).toBeUndefined();
    expect(s.getSegment('source', 5)?.[0]).toBe(5);
    expect(s.getSegment('source', 14)?.[0]).toBe(14);
    const pl = media(s.mediaPlaylist('source'));
    expect(pl.mediaSequenceBase).toBe(9);
    expect(pl.segments.map((x) => x.uri.replace(/\?i=\w+$/, ''))).toEqual([9, 10, 11, 12, 13, 14].map((n) => `source/${n}.ts`));
    expect(s.mediaPlaylist('nope')).toBeUndefined();
  });

  it('orders late segments, ignores duplicates and ones older than the window', () => {
    const s = new StreamStore({ id: 'abc', playlistWindow: 3, memorySegments: 3 });
    s.addSegment('r', { seq: 1, durationMs: 2000, data: bytes(1) });
    s.addSegment('r', { seq: 3, durationMs: 2000, data: bytes(1) });
    s.addSegment('r', { seq: 2, durationMs: 2000, data: bytes(1) });
    expect(s.addSegment('r', { seq: 2, durationMs: 2000, data: bytes(1) })).toBe(false);
    s.addSegment('r', { seq: 4, durationMs: 2000, data: bytes(1) });
    expect(s.addSegment('r', { seq: 0, durationMs: 2000, data: bytes(1) })).toBe(false);
    expect(media(s.mediaPlaylist('r')).segments.map((x) => x.uri.replace(/\?i=\w+$/, ''))).toEqual(['r/2.ts', 'r/3.ts', 'r/4.ts']);
  });

  it('carries discontinuities into the playlist and its discontinuity sequence', () => {
    const s = new StreamStore({ id: 'abc', playlistWindow: 2, memorySegments: 3 });
    s.addSegment('r', { seq: 0, durationMs: 2000, data: bytes(1) });
    s.addSegment('r', { seq: 1, durationMs: 2000, data: bytes(1), discontinuity: true });
    s.addSegment('r', { seq: 2, durationMs: 2000, data: bytes(1) });
    let pl = media(s.mediaPlaylist('r'));
    expect(pl.segments[0]!.discontinuity).toBe(true);
    expect(pl.discontinuitySequenceBase ?? 0).toBe(0);
    s.addSegment('r', { seq: 3, durationMs: 2000, data: bytes(1) }); // seq 1 hidden (still in memory)
    pl = media(s.mediaPlaylist('r'));
    expect(pl.discontinuitySequenceBase).toBe(1);
    s.addSegment('r', { seq: 4, durationMs: 2000, data: bytes(1) }); // seq 1 dropped from memory
    s.addSegment('r', { seq: 5, durationMs: 2000, data: bytes(1) });
    pl = media(s.mediaPlaylist('r'));
    expect(pl.discontinuitySequenceBase).toBe(1);
    expect(pl.segments.every((x) => x.discontinuity !== true)).toBe(true);
  });

  it('builds the master playlist in declaration order, from renditions that have a segment, with measured peak and mean bit rates', () => {
    const s = new StreamStore({ id: 'abc', renditions: [{ name: 'source' }, { name: 'P240p30fps16x9', width: 426, height: 240, bandwidth: 600_000 }] });
    s.addSegment('source', { seq: 0, durationMs: 2000, data: bytes(250_000) });
    s.addSegment('source', { seq: 1, durationMs: 2000, data: bytes(50_000) });
    s.addSegment('extra', { seq: 0, durationMs: 2000, data: bytes(10) });
    let pl = HLS.parse(s.masterPlaylist()) as types.MasterPlaylist;
    // P240p30fps16x9 has no segment yet: not announced
    expect(pl.variants.map((v) => [v.uri, v.bandwidth, v.averageBandwidth])).toEqual([
      ['abc/source.m3u8', 1_000_000, 600_000],
      ['abc/extra.m3u8', 40, 40],
    ]);
    s.addSegment('P240p30fps16x9', { seq: 0, durationMs: 2000, data: bytes(100_000) });
    pl = HLS.parse(s.masterPlaylist()) as types.MasterPlaylist;
    expect(pl.variants.map((v) => [v.uri, v.bandwidth, v.resolution])).toEqual([
      ['abc/source.m3u8', 1_000_000, undefined],
      ['abc/P240p30fps16x9.m3u8', 400_000, { width: 426, height: 240 }],
      ['abc/extra.m3u8', 40, undefined],
    ]);
    expect(estimateBandwidth([])).toBe(0);
  });

  it('announces CODECS, RESOLUTION and FRAME-RATE read from the first segment (H.264 SPS, AAC)', async () => {
    const ts = await run(FFMPEG, ['-hide_banner', ...testSourceArgs(1, '640x360', 25), '-f', 'mpegts', 'pipe:1']);
    const s = new StreamStore({ id: 'abc' });
    s.addSegment('source', { seq: 0, durationMs: 1000, data: ts });
    const v = (HLS.parse(s.masterPlaylist()) as types.MasterPlaylist).variants[0]!;
    expect(v.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    expect(v.resolution).toEqual({ width: 640, height: 360 });
    expect(v.frameRate).toBe(25);
    expect(s.masterPlaylist()).toMatch(/FRAME-RATE=25\.000/);
  });

  it('keeps the target duration constant for the stream', () => {
    const s = new StreamStore({ id: 'abc', playlistWindow: 3, targetDurationSec: 2 });
    const targets: number[] = [];
    for (const [seq, ms] of [[0, 800], [1, 2400], [2, 1900], [3, 2100], [4, 1000], [5, 2000]] as const) {
      s.addSegment('r', { seq, durationMs: ms, data: bytes(1) });
      targets.push(media(s.mediaPlaylist('r')).targetDuration);
    }
    expect(new Set(targets)).toEqual(new Set([2]));
    // without a configured length it follows the longest segment so far and never goes down
    const d = new StreamStore({ id: 'abc', playlistWindow: 2 });
    d.addSegment('r', { seq: 0, durationMs: 3000, data: bytes(1) });
    for (let seq = 1; seq < 5; seq++) d.addSegment('r', { seq, durationMs: 1000, data: bytes(1) });
    expect(media(d.mediaPlaylist('r')).targetDuration).toBe(3);
  });

  it('keeps a segment servable for its duration plus the playlist it was in after it leaves the playlist', () => {
    const s = new StreamStore({ id: 'abc', playlistWindow: 6 });
    const left = new Map<number, number>(); // seq → timeline ms when it left the playlist
    const gone = new Map<number, number>();
    let clock = 0;
    for (let seq = 0; seq < 40; seq++) {
      clock += 2000;
      s.addSegment('r', { seq, durationMs: 2000, data: bytes(1) });
      const shown = new Set(media(s.mediaPlaylist('r')).segments.map((x) => Number(/(\d+)\.ts\b/.exec(x.uri)![1])));
      for (let k = 0; k <= seq; k++) {
        if (!shown.has(k) && !left.has(k)) left.set(k, clock);
        if (s.getSegment('r', k) === undefined && !gone.has(k)) gone.set(k, clock);
      }
    }
    expect(gone.size).toBeGreaterThan(0);
    for (const [seq, at] of gone) expect(at - left.get(seq)!).toBeGreaterThanOrEqual(2000 + 6 * 2000);
  });

  it('serves /stream/ requests and adds ENDLIST once ended', async () => {
    const store = new HlsStore({ playlistWindow: 6 });
    const s = store.create('abc', [{ name: 'source' }]);
    expect(store.create('abc')).toBe(s);
    s.addSegment('source', { seq: 0, durationMs: 2000, data: bytes(188, 0x47) });
    expect(store.lookup(parseHlsPath('/stream/abc.m3u8')!)?.contentType).toBe('application/x-mpegURL');
    expect((store.lookup(parseHlsPath('/stream/abc/source.m3u8')!) as { body: string }).body).toContain('source/0.ts');
    expect(store.lookup(parseHlsPath('/stream/abc/source.m3u8')!)?.cacheControl).toBe('no-cache');
    expect(store.lookup(parseHlsPath('/stream/abc.m3u8')!)?.cacheControl).toBe('max-age=1');
    expect(store.lookup(parseHlsPath('/stream/abc/source/0.ts')!)?.cacheControl).toMatch(/immutable/);
    // segment URIs carry the stream instance: a restart under the same id never reuses a cached segment URL
    const again = new HlsStore({}).create('abc');
    again.addSegment('source', { seq: 0, durationMs: 2000, data: bytes(188, 0x47) });
    expect(again.mediaPlaylist('source')).not.toBe(s.mediaPlaylist('source'));
    const seg = store.lookup(parseHlsPath('/stream/abc/source/0.ts')!);
    expect(seg?.contentType).toBe('video/MP2T');
    expect((seg as { body: Uint8Array }).body.length).toBe(188);
    expect(store.lookup(parseHlsPath('/stream/abc/source/1.ts')!)).toBeUndefined();
    expect(store.lookup(parseHlsPath('/stream/zzz.m3u8')!)).toBeUndefined();
    expect(await store.end('abc')).toBeNull();
    expect(media(s.mediaPlaylist('source')).endlist).toBe(true);
    expect(s.addSegment('source', { seq: 1, durationMs: 2000, data: bytes(1) })).toBe(false);
    expect(store.remove('abc')).toBe(true);
    expect(store.ids()).toEqual([]);
  });

  it('rejects unsafe ids and rendition names', () => {
    expect(() => new StreamStore({ id: '../x' })).toThrow(/stream id/);
    const s = new StreamStore({ id: 'ok' });
    expect(() => s.addSegment('a/b', { seq: 0, durationMs: 1, data: bytes(1) })).toThrow(/rendition/);
  });

  it('records every segment to disk and writes VOD playlists at the end', async () => {
    const recordDir = await mkdtemp(join(tmpdir(), 'gw-test-rec-'));
    try {
      const s = new StreamStore({ id: 'abc', memorySegments: 6, playlistWindow: 6, recordDir, renditions: [{ name: 'source' }, { name: 'low', width: 256, height: 144, bandwidth: 400_000 }] });
      for (let seq = 0; seq < 12; seq++) {
        s.addSegment('source', { seq, durationMs: 2000 + seq, data: bytes(188, seq) });
        if (seq !== 5) s.addSegment('low', { seq, durationMs: 2000, data: bytes(188, 100 + seq), discontinuity: seq === 8 });
      }
      const res = await s.end();
      expect(res).not.toBeNull();
      expect(res!.errors).toBe(0);
      expect(res!.renditions.map((r) => [r.name, r.segments])).toEqual([['source', 12], ['low', 11]]);
      expect((await readdir(join(recordDir, 'abc', 'source'))).length).toBe(12);
      expect((await readFile(join(recordDir, 'abc', 'low', '7.ts')))[0]).toBe(107);

      const vod = media(await readFile(join(recordDir, 'abc', 'source.m3u8'), 'utf8'));
      expect(vod.endlist).toBe(true);
      expect(vod.playlistType).toBe('VOD');
      expect(vod.segments).toHaveLength(12);
      expect(vod.segments[11]).toMatchObject({ uri: 'source/11.ts', duration: 2.011 });
      const low = media(await readFile(join(recordDir, 'abc', 'low.m3u8'), 'utf8'));
      expect(low.segments.map((x) => x.uri.replace(/\?i=\w+$/, ''))).not.toContain('low/5.ts');
      expect(low.segments.find((x) => x.uri === 'low/8.ts')?.discontinuity).toBe(true);
      const master = HLS.parse(await readFile(res!.masterPath, 'utf8')) as types.MasterPlaylist;
      expect(master.variants.map((v) => v.uri)).toEqual(['source.m3u8', 'low.m3u8']);
    } finally {
      await rm(recordDir, { recursive: true, force: true });
    }
  });

  it('reports recording failures without breaking live playback', async () => {
    const errors: Error[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'gw-test-rec-'));
    try {
      // a regular file where a directory should be: every write fails with ENOTDIR
      await writeFile(join(dir, 'file'), 'x');
      const s = new StreamStore({ id: 'abc', recordDir: join(dir, 'file'), onRecordError: (e) => errors.push(e) });
      s.addSegment('source', { seq: 0, durationMs: 2000, data: bytes(1) });
      s.addSegment('source', { seq: 1, durationMs: 2000, data: bytes(1) });
      expect(s.getSegment('source', 1)).toBeDefined();
      await expect(s.end()).rejects.toThrow(/ENOTDIR/);
      expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOTDIR', 'ENOTDIR']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('spooled segments', () => {
  it('moves written segments out of memory into files, serves them from there, and deletes what leaves the window', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'gw-spool-'));
    const hls = new HlsStore({ spoolDir, memorySegments: 2, playlistWindow: 2 });
    const store = hls.create('sp');
    for (let seq = 0; seq < 3; seq++) store.addSegment('source', { seq, durationMs: 2000, data: new Uint8Array(1000).fill(seq) });
    await new Promise((r) => setTimeout(r, 100));
    expect(store.getSegment('source', 2)).toBeUndefined();
    const found = store.lookup({ kind: 'segment', streamId: 'sp', rendition: 'source', seq: 2 });
    expect(found).toEqual({ contentType: 'video/MP2T', file: join(spoolDir, 'sp', 'source', '2.ts'), size: 1000, cacheControl: 'public, max-age=31536000, immutable' });
    expect(readFileSync(join(spoolDir, 'sp', 'source', '2.ts'))[0]).toBe(2);
    expect(existsSync(join(spoolDir, 'sp', 'source', '0.ts'))).toBe(false);
    expect(store.masterPlaylist()).toContain('BANDWIDTH=4000');
    hls.remove('sp');
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(spoolDir, 'sp'))).toBe(false);
  });

  it('with a memory budget, spools only while memory is over it, and gives the budget back as segments leave', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'gw-spool-'));
    const budget = new MemoryBudget(2500);
    const hls = new HlsStore({ spoolDir, memorySegments: 3, playlistWindow: 3, memoryBudget: budget });
    const a = hls.create('a');
    const b = hls.create('b');
    a.addSegment('source', { seq: 0, durationMs: 2000, data: new Uint8Array(1000).fill(1) });
    b.addSegment('source', { seq: 0, durationMs: 2000, data: new Uint8Array(1000).fill(2) });
    await new Promise((r) => setTimeout(r, 50));
    // 2000 bytes held, under the budget: both stay in memory, nothing on disk
    expect(budget.bytes).toBe(2000);
    expect(a.getSegment('source', 0)).toBeDefined();
    expect(existsSync(join(spoolDir, 'a'))).toBe(false);
    // 3000 > 2500: this one goes to disk, and leaves memory once written
    a.addSegment('source', { seq: 1, durationMs: 2000, data: new Uint8Array(1000).fill(3) });
    await new Promise((r) => setTimeout(r, 100));
    expect(a.getSegment('source', 1)).toBeUndefined();
    expect(readFileSync(join(spoolDir, 'a', 'source', '1.ts'))[0]).toBe(3);
    expect(budget.bytes).toBe(2000);
    // segments leaving the window give their bytes back
    for (let seq = 2; seq < 5; seq++) a.addSegment('source', { seq, durationMs: 2000, data: new Uint8Array(10) });
    await new Promise((r) => setTimeout(r, 100));
    expect(budget.bytes).toBe(1030);
    hls.remove('a');
    hls.remove('b');
    expect(budget.bytes).toBe(0);
  });

  it('tells its observer of every stored segment (not duplicates or late ones) and of the end, once', async () => {
    const seen: string[] = [];
    const hls = new HlsStore({
      memorySegments: 2,
      playlistWindow: 2,
      observer: { segment: (id, r, seg) => seen.push(`${id}/${r}/${seg.seq}`), ended: (id) => seen.push(`${id} ended`) },
    });
    const s = hls.create('obs');
    const seg = (seq: number) => ({ seq, durationMs: 2000, data: new Uint8Array(188) });
    s.addSegment('source', seg(0));
    s.addSegment('source', seg(0));
    s.addSegment('source', seg(1));
    s.addSegment('source', seg(2));
    s.addSegment('source', seg(0));
    await hls.end('obs');
    await hls.end('obs');
    s.addSegment('source', seg(3));
    expect(seen).toEqual(['obs/source/0', 'obs/source/1', 'obs/source/2', 'obs ended']);
  });
});
