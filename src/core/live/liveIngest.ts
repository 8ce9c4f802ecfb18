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

/** Attempts to reach a source that is not up yet (go-livepeer retries its MediaMTX check 3 times too). */
const PULL_ATTEMPTS = 4;

/**
 * Pulls an RTMP URL and segments it; ends when the source ends or cannot be read. A source that cannot be reached
 * at first (a publisher still connecting) is tried again with backoff before the stream is given up.
 */
export function ingestPull(url: string, opts: IngestOptions): LiveIngest {
  let current: LiveIngest | undefined;
  let proc: ChildProcess | undefined;
  let stopped = false;
  let segments = 0;
  const onSegment = (seg: Segment) => {
    segments++;
    opts.onSegment(seg);
  };
  const done = (async (): Promise<string> => {
    for (let attempt = 1; ; attempt++) {
      const p: ChildProcess = spawn(opts.ffmpeg, pullArgs(url), { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      let stderr = '';
      p.stderr?.setEncoding('utf8');
      p.stderr?.on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
      const exited = new Promise<string>((resolve) => {
        p.once('error', (err) => resolve(`cannot run ffmpeg: ${err.message}`));
        p.once('exit', (code, sig) => resolve(code === 0 ? 'source ended' : `pull of ${redact(url)} failed (${sig ?? `exit ${code}`}): ${stderr.trim().split('\n').pop() ?? ''}`));
      });
      current = ingestFlv(p.stdout!, () => p.kill('SIGTERM'), { ...opts, onSegment });
      const [why] = await Promise.all([exited, current.done]);
      if (stopped || segments > 0 || why === 'source ended' || attempt >= PULL_ATTEMPTS) return why;
      await new Promise((r) => setTimeout(r, 500 * 2 ** (attempt - 1)));
      if (stopped) return why;
    }
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
      proc?.kill('SIGTERM');
      await current?.stop();
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
