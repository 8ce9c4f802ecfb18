// Cuts a live FLV stream into MPEG-TS segments with one ffmpeg process (stream copy, no re-encode).
//
// ffmpeg's segment muxer writes each finished segment to a temp dir and prints a CSV line
// "file,start,end" on stdout (`-segment_list pipe:1`) only after the file is closed, so every line is a
// complete segment: we read it, delete it and hand it over in order.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { GwError } from '../../lib/errors.js';

export interface Segment {
  /** 0, 1, 2, … in stream order */
  seq: number;
  /** MPEG-TS bytes (timestamps are the stream's own: not reset per segment) */
  data: Uint8Array;
  /** start time on the stream's timeline, ms */
  startMs: number;
  durationMs: number;
}

export interface SegmenterOptions {
  ffmpeg: string;
  /** FLV bytes, e.g. an RTMP ingest stream */
  input: Readable;
  /** Work dir for in-flight segments; default a fresh dir in os.tmpdir(), removed at the end. */
  outDir?: string;
  /** Target segment length (cuts happen on keyframes), default 2. */
  segmentSeconds?: number;
  /** Keep the input's timestamps (-copyts): a resumed publish continues the previous segments' timeline. */
  copyTimestamps?: boolean;
  /** Called once per segment, in order; the next segment waits for a returned promise. */
  onSegment(seg: Segment): void | Promise<void>;
}

export interface Segmenter {
  /** Ends the input, lets ffmpeg flush the last segment and waits for it (kills ffmpeg after 10 s). */
  stop(): Promise<void>;
  /** Resolves after the last segment was delivered; rejects if ffmpeg fails (with its stderr tail) or onSegment throws. */
  done: Promise<void>;
}

/** ffmpeg exited abnormally while segmenting. */
export class SegmenterError extends GwError {
  override name = 'SegmenterError';
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super('segmenter_failed', stderrTail === '' ? message : `${message}: ${stderrTail}`);
  }
}

export interface SegmentListEntry {
  file: string;
  startSeconds: number;
  endSeconds: number;
}

/** Parses one line of ffmpeg's CSV segment list ("name,start,end"; a name with commas is quoted). */
export function parseSegmentListLine(line: string): SegmentListEntry | null {
  const m = /^(?:"((?:[^"]|"")*)"|([^,]*)),([-0-9.eE+]+),([-0-9.eE+]+)\s*$/.exec(line.trim());
  if (m === null) return null;
  const file = m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '');
  const startSeconds = Number(m[3]);
  const endSeconds = Number(m[4]);
  if (file === '' || !Number.isFinite(startSeconds) || !Number.isFinite(endSeconds)) return null;
  return { file, startSeconds, endSeconds };
}

/** ffmpeg arguments for FLV on stdin → `<outDir>/<n>.ts` segments with a CSV list on stdout. */
export function buildSegmenterArgs(outDir: string, segmentSeconds: number, copyTimestamps = false): string[] {
  return [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    ...(copyTimestamps ? ['-copyts'] : []),
    '-analyzeduration', '500000', '-f', 'flv', '-i', 'pipe:0',
    '-map', '0:v', '-map', '0:a?', '-c', 'copy',
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', 'mpegts',
    '-reset_timestamps', '0',
    '-segment_list', 'pipe:1', '-segment_list_type', 'csv',
    join(outDir, '%d.ts'),
  ];
}

/** Segment length the RTMP ingest cuts at (on the next keyframe): the live playlists' target duration. */
export const DEFAULT_SEGMENT_SECONDS = 2;

const STDERR_TAIL_BYTES = 4096;
const STOP_TIMEOUT_MS = 10_000;

/** Starts one ffmpeg segmenter for one stream. */
export function startSegmenter(opts: SegmenterOptions): Segmenter {
  const segmentSeconds = opts.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  if (!(segmentSeconds > 0)) throw new RangeError(`segmentSeconds must be > 0, got ${segmentSeconds}`);

  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  let stopRequested: (() => void) | undefined;
  const stopSignal = new Promise<void>((resolve) => {
    stopRequested = resolve;
  });

  const done = (async (): Promise<void> => {
    const ownDir = opts.outDir === undefined;
    const dir = opts.outDir ?? (await mkdtemp(join(tmpdir(), 'gw-seg-')));
    try {
      await runFfmpeg(dir);
    } finally {
      clearTimeout(killTimer);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    }
  })();

  async function runFfmpeg(dir: string): Promise<void> {
    if (stopping) return;
    const proc = spawn(opts.ffmpeg, buildSegmenterArgs(dir, segmentSeconds, opts.copyTimestamps === true), { stdio: ['pipe', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_TAIL_BYTES);
    });
    // EPIPE when ffmpeg dies first: the exit status tells the story.
    proc.stdin.on('error', () => {});
    opts.input.on('error', () => proc.stdin.end());
    opts.input.pipe(proc.stdin);
    void stopSignal.then(() => {
      opts.input.unpipe(proc.stdin);
      proc.stdin.end();
    });

    const exited = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve, reject) => {
      proc.once('error', (err) => reject(new SegmenterError(`cannot run ${opts.ffmpeg}: ${err.message}`, '')));
      proc.once('exit', (code, sig) => {
        opts.input.unpipe(proc.stdin);
        resolve({ code, sig });
      });
    });
    exited.catch(() => {});

    let seq = 0;
    let deliveryError: unknown;
    const lines = createInterface({ input: proc.stdout, crlfDelay: Infinity });
    for await (const line of lines) {
      if (deliveryError !== undefined) continue; // drain stdout so ffmpeg is not blocked while it exits
      const entry = parseSegmentListLine(line);
      if (entry === null) continue;
      try {
        const path = join(dir, entry.file);
        const data = new Uint8Array(await readFile(path));
        await unlink(path);
        await opts.onSegment({
          seq: seq++,
          data,
          startMs: Math.round(entry.startSeconds * 1000),
          durationMs: Math.round((entry.endSeconds - entry.startSeconds) * 1000),
        });
      } catch (err) {
        deliveryError = err;
        opts.input.unpipe(proc.stdin);
        proc.kill('SIGKILL');
      }
    }
    const { code, sig } = await exited;
    if (deliveryError !== undefined) throw deliveryError;
    if (code !== 0 && !(stopping && sig === 'SIGKILL')) {
      const why = code === null ? `killed by ${sig}` : `exit code ${code}`;
      throw new SegmenterError(`ffmpeg segmenter failed (${why})`, stderr.trim());
    }
  }

  return {
    done,
    async stop(): Promise<void> {
      if (!stopping) {
        stopping = true;
        stopRequested?.();
        killTimer = setTimeout(() => child?.kill('SIGKILL'), STOP_TIMEOUT_MS);
        killTimer.unref();
      }
      await done.catch(() => {});
    },
  };
}
