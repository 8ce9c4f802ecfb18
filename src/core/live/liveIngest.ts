// The input of a live stream, cut into self-contained MPEG-TS segments at keyframes with continuous timestamps
// (live-ai.md §c.4): FLV from gw's own RTMP server, or an RTMP URL gw pulls with ffmpeg (MediaMTX hook, JSON start).
// Either way one segmenter (ffmpeg's segment muxer, stream copy) does the cutting.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { startSegmenter, type Segment } from '../media/segmenter.js';

export interface LiveIngest {
  /** Resolves when the input has ended (publisher gone, pull finished), with why. */
  readonly done: Promise<string>;
  /** Stops the input now. */
  stop(): Promise<void>;
}

export interface IngestOptions {
  readonly ffmpeg: string;
  /** Target segment length; cuts happen on keyframes (go-livepeer's segmenter: 2 s). */
  readonly segmentSeconds?: number;
  onSegment(seg: Segment): void;
}

/** Segments an FLV stream (a publish to gw's RTMP app); `close` disconnects the publisher. */
export function ingestFlv(flv: Readable, close: () => void, opts: IngestOptions): LiveIngest {
  const seg = startSegmenter({ ffmpeg: opts.ffmpeg, input: flv, segmentSeconds: opts.segmentSeconds ?? 2, onSegment: (s) => opts.onSegment(s) });
  const done = seg.done.then(
    () => 'publisher disconnected',
    (err: unknown) => `ingest failed: ${(err as Error).message}`,
  );
  return {
    done,
    stop: async () => {
      close();
      await seg.stop().catch(() => undefined);
    },
  };
}

/** ffmpeg arguments that pull an RTMP URL and pass it on as FLV, stream copy (go-livepeer: `-c:a copy -c:v copy`). */
export function pullArgs(url: string): string[] {
  return ['-hide_banner', '-nostats', '-loglevel', 'error', '-rw_timeout', '10000000', '-i', url, '-map', '0:v', '-map', '0:a?', '-c', 'copy', '-f', 'flv', 'pipe:1'];
}

/** Pulls an RTMP URL and segments it; ends when the source ends or cannot be read. */
export function ingestPull(url: string, opts: IngestOptions): LiveIngest {
  const proc: ChildProcess = spawn(opts.ffmpeg, pullArgs(url), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
  const exited = new Promise<string>((resolve) => {
    proc.once('error', (err) => resolve(`cannot run ffmpeg: ${err.message}`));
    proc.once('exit', (code, sig) => resolve(code === 0 ? 'source ended' : `pull of ${redact(url)} failed (${sig ?? `exit ${code}`}): ${stderr.trim().split('\n').pop() ?? ''}`));
  });
  const flv = proc.stdout!;
  const inner = ingestFlv(flv, () => proc.kill('SIGTERM'), opts);
  const done = Promise.all([exited, inner.done]).then(([why]) => why);
  return {
    done,
    stop: async () => {
      proc.kill('SIGTERM');
      await inner.stop();
    },
  };
}

/** An RTMP URL for logs: its stream key (the last path element) and query are secrets. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    const parts = u.pathname.split('/');
    if (parts.length > 2) parts[parts.length - 1] = '***';
    return `${u.protocol}//${u.host}${parts.join('/')}`;
  } catch {
    return 'rtmp://***';
  }
}
