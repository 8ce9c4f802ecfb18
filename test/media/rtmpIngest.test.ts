import { describe, it, expect, afterAll } from 'vitest';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { inspectTs } from '../../src/lib/media/mpegts.js';
import { startSegmenter } from '../../src/core/media/segmenter.js';
import type { Segment } from '../../src/core/media/segmenter.js';
import { maskStreamPaths, startRtmpIngest } from '../../src/core/ingest/rtmpServer.js';
import type { IngestStream, RtmpIngest } from '../../src/core/ingest/rtmpServer.js';
import { FFMPEG, probe, pushRtmp, videoOf } from './helpers.js';

interface Seen {
  stream: IngestStream;
  segments: Segment[];
  done: Promise<void>;
}

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a !== null ? a.port : 0 });
    });
  });
}

describe('startRtmpIngest', () => {
  it('reports a taken port as an error instead of exiting the process', async () => {
    const { server, port } = await occupyPort();
    cleanups.push(() => new Promise((r) => server.close(r)));
    await expect(startRtmpIngest({ host: '127.0.0.1', port, onStream: () => {} })).rejects.toThrow(/address already in use/);
  });

  it('ingests concurrent pushes into ~2 s segments, refuses unauthorized keys, resumes reconnects, closes on demand', async () => {
    const seen = new Map<string, Seen>();
    let lazyStream: IngestStream | undefined;
    const streamCalls: string[] = [];
    const logs: string[] = [];
    const ingest: RtmpIngest = await startRtmpIngest({
      host: '127.0.0.1',
      port: 0,
      reconnectGraceMs: 1500,
      maxBufferedBytes: 64 * 1024,
      log: (_level, msg) => logs.push(msg),
      authorize: async (key, app) => {
        await new Promise((r) => setTimeout(r, 50)); // data arriving meanwhile must be held, not lost
        return app === 'live' && key !== 'bad';
      },
      onStream(stream) {
        streamCalls.push(stream.key);
        if (stream.key === 'lazy') {
          lazyStream = stream; // never read until the end: dropped once 64 KiB are buffered
          return;
        }
        const segments: Segment[] = [];
        const seg = startSegmenter({ ffmpeg: FFMPEG, input: stream.flv, onSegment: (s) => void segments.push(s) });
        seen.set(stream.key, { stream, segments, done: seg.done });
        cleanups.push(() => seg.stop());
      },
    });
    cleanups.push(() => ingest.close());
    expect(ingest.port).toBeGreaterThan(0);
    await expect(startRtmpIngest({ host: '127.0.0.1', port: 0, onStream: () => {} })).rejects.toThrow(/already running/);

    const url = (key: string): string => `rtmp://127.0.0.1:${ingest.port}/live/${key}`;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const a = pushRtmp(url('test'), 6);
    const b = pushRtmp(url('two?token=abc'), 6);
    const bad = pushRtmp(url('bad'), 6);
    const kick = pushRtmp(url('kick'), 6);
    const lazy = pushRtmp(url('lazy'), 6);
    cleanups.push(() => [a, b, bad, kick, lazy].forEach((p) => p.kill()));
    // resume: the same client publishes 3 s, drops, and publishes 3 s more within the grace window
    const resumed = (async () => {
      const first = pushRtmp(url('resume'), 3);
      cleanups.push(() => first.kill());
      expect(await first.exit).toBe(0);
      const second = pushRtmp(url('resume'), 3);
      cleanups.push(() => second.kill());
      expect(await second.exit).toBe(0);
    })();
    // the consumer closes "kick" after its first segment
    const kicked = (async () => {
      while (seen.get('kick')?.segments.length !== 1) await new Promise((r) => setTimeout(r, 50));
      seen.get('kick')!.stream.close();
    })();

    expect(await a.exit).toBe(0);
    expect(await b.exit).toBe(0);
    expect(await bad.exit).not.toBe(0);
    expect(await kick.exit).not.toBe(0);
    expect(await lazy.exit).not.toBe(0);
    const cpu = process.cpuUsage(cpu0);
    await Promise.all([resumed, kicked]);
    await Promise.all([...seen.values()].map((s) => s.done));
    console.log(
      `ingest process CPU during 6 s of 6 pushes: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; ` +
        `all done after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    expect(streamCalls.sort()).toEqual(['kick', 'lazy', 'resume', 'test', 'two']);
    // what was buffered before the drop is still readable, then the stream ends
    let lazyBytes = 0;
    lazyStream!.flv.on('data', (c: Buffer) => (lazyBytes += c.length));
    await new Promise((resolve) => lazyStream!.flv.once('end', resolve));
    expect(lazyBytes).toBeGreaterThan(48 * 1024);
    expect(lazyBytes).toBeLessThan(256 * 1024);
    expect(logs.some((l) => /dropped: consumer fell more than 65536 bytes behind/.test(l))).toBe(true);
    expect(seen.get('two')!.stream.query).toEqual({ token: 'abc' });
    expect(seen.get('two')!.stream.app).toBe('live');

    for (const key of ['test', 'two']) {
      const segs = seen.get(key)!.segments;
      console.log(`${key}: segments ${segs.map((s) => `${s.seq}@${s.startMs}+${s.durationMs}`).join(' ')}`);
      expect(segs.length).toBeGreaterThanOrEqual(3);
      expect(segs.length).toBeLessThanOrEqual(4);
      for (const s of segs.slice(0, 3)) expect(Math.abs(s.durationMs - 2000)).toBeLessThanOrEqual(100);
      for (let i = 1; i < segs.length; i++) expect(segs[i]!.startMs).toBe(segs[i - 1]!.startMs + segs[i - 1]!.durationMs);
      const v = videoOf(await probe(segs[1]!.data));
      expect([v.codec_name, v.width, v.height]).toEqual(['h264', 320, 240]);
      expect(Number(v.nb_read_frames)).toBe(inspectTs(segs[1]!.data).videoFrames);
    }

    const resume = seen.get('resume')!.segments;
    const total = resume.reduce((sum, s) => sum + s.durationMs, 0);
    console.log(`resume: segments ${resume.map((s) => `${s.seq}@${s.startMs}+${s.durationMs}`).join(' ')}`);
    expect(total).toBeGreaterThan(5000);
    expect(total).toBeLessThan(7000);
    for (let i = 1; i < resume.length; i++) expect(resume[i]!.startMs).toBe(resume[i - 1]!.startMs + resume[i - 1]!.durationMs);

    expect(seen.get('kick')!.segments.length).toBeLessThanOrEqual(2);
    expect(ingest.activeStreams()).toEqual([]);
    expect(logs.join('\n')).not.toMatch(/\/live\/(test|two|bad|kick|resume|lazy)\b/);

    await ingest.close();
    // node-media-server state was reset: a new ingest can start in the same process
    const again = await startRtmpIngest({ host: '127.0.0.1', port: 0, onStream: () => {} });
    await again.close();
  });

  it('masks stream keys in log lines', () => {
    expect(maskStreamPaths('RTMP session x push /live/s3cr3t-key error')).toBe('RTMP session x push /live/*** error');
  });
});
