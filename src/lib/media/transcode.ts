// Transcodes one MPEG-TS segment into several renditions with a single ffmpeg process.
//
// Outputs go to extra pipes (fd 3, 4, …) rather than temp files: no disk I/O, nothing to clean up after a crash,
// and all renditions stream back concurrently. This relies on fd inheritance, which ffmpeg supports on
// Linux/macOS (`pipe:N`); Windows is not a target for the media path.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { inspectTs } from './mpegts.js';
import { GwError } from '../errors.js';

/** A rendition to produce; a local, minimal shape (the Livepeer VideoProfile maps onto it). */
export interface TranscodeProfile {
  name: string;
  width: number;
  height: number;
  /** bit/s */
  bitrate: number;
  /** 0 = keep the source frame rate */
  fps: number;
  /** 0 = 1 */
  fpsDen: number;
}

export interface TranscodedRendition {
  name: string;
  /** MPEG-TS bytes */
  data: Uint8Array;
  width: number;
  height: number;
  /** encoded video frames in `data` */
  frames: number;
  /** width × height × frames */
  pixels: bigint;
}

export type X264Preset = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';

export interface TranscodeOptions {
  /** ffmpeg binary path (see resolveFfmpeg) */
  ffmpeg: string;
  signal?: AbortSignal;
  /** Skip ffmpeg and return the input bytes for every profile (benchmarks). */
  passthrough?: boolean;
  /** libx264 preset, default veryfast */
  preset?: X264Preset;
}

/** ffmpeg failed; carries the exit status and the tail of its stderr. */
export class TranscodeError extends GwError {
  override name = 'TranscodeError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super('transcode_failed', stderrTail === '' ? message : `${message}: ${stderrTail}`);
  }
}

const STDERR_TAIL_BYTES = 4096;
const FIRST_OUTPUT_FD = 3;

function assertProfile(p: TranscodeProfile): void {
  const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;
  if (!positiveInt(p.width) || !positiveInt(p.height)) {
    throw new RangeError(`profile ${p.name}: width/height must be positive integers, got ${p.width}x${p.height}`);
  }
  if (p.width % 2 !== 0 || p.height % 2 !== 0) {
    throw new RangeError(`profile ${p.name}: H.264 4:2:0 needs even dimensions, got ${p.width}x${p.height}`);
  }
  if (!positiveInt(p.bitrate)) throw new RangeError(`profile ${p.name}: bitrate must be a positive integer bit/s`);
  if (!Number.isInteger(p.fps) || p.fps < 0 || !Number.isInteger(p.fpsDen) || p.fpsDen < 0) {
    throw new RangeError(`profile ${p.name}: fps/fpsDen must be non-negative integers`);
  }
}

/** ffmpeg arguments for one TS-in, N-TS-out transcode; output i goes to `pipe:${3 + i}`. */
export function buildTranscodeArgs(profiles: readonly TranscodeProfile[], preset: X264Preset = 'veryfast'): string[] {
  // -copyts + mpegts_copyts keep the source PTS, so renditions of consecutive segments stay contiguous in HLS.
  const args = ['-hide_banner', '-nostats', '-loglevel', 'error', '-copyts', '-f', 'mpegts', '-i', 'pipe:0'];
  profiles.forEach((p, i) => {
    assertProfile(p);
    const filters = [`scale=${p.width}:${p.height}`];
    if (p.fps > 0) filters.push(`fps=${p.fps}/${p.fpsDen === 0 ? 1 : p.fpsDen}`);
    args.push(
      '-map', '0:v:0', '-map', '0:a?',
      '-vf', filters.join(','),
      '-c:v', 'libx264', '-preset', preset, '-pix_fmt', 'yuv420p',
      '-b:v', String(p.bitrate), '-maxrate', String(p.bitrate), '-bufsize', String(2 * p.bitrate),
      '-c:a', 'copy',
      '-mpegts_copyts', '1',
      '-f', 'mpegts', `pipe:${FIRST_OUTPUT_FD + i}`,
    );
  });
  return args;
}

function rendition(p: TranscodeProfile, data: Uint8Array): TranscodedRendition {
  const frames = inspectTs(data).videoFrames;
  return {
    name: p.name,
    data,
    width: p.width,
    height: p.height,
    frames,
    pixels: BigInt(p.width) * BigInt(p.height) * BigInt(frames),
  };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('transcode aborted', 'AbortError');
}

function collect(stream: Readable): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    stream.once('error', reject);
  });
}

/**
 * Transcodes an MPEG-TS segment into every profile (same order as `profiles`). Timestamps follow the source.
 * With `passthrough`, returns a copy of the input per profile and counts frames from the TS itself.
 */
export async function transcodeSegment(
  input: Uint8Array,
  profiles: readonly TranscodeProfile[],
  opts: TranscodeOptions,
): Promise<TranscodedRendition[]> {
  if (opts.signal?.aborted) throw abortError(opts.signal);
  if (profiles.length === 0) return [];
  if (opts.passthrough === true) {
    return profiles.map((p) => rendition(p, input.slice()));
  }
  const args = buildTranscodeArgs(profiles, opts.preset);
  const child = spawn(opts.ffmpeg, args, {
    stdio: ['pipe', 'ignore', 'pipe', ...profiles.map(() => 'pipe' as const)],
  });

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_TAIL_BYTES);
  });
  const outputs = profiles.map((_, i) => collect(child.stdio[FIRST_OUTPUT_FD + i] as Readable));
  // The exit status decides success; mark collectors handled so a broken pipe is not an unhandled rejection.
  for (const o of outputs) o.catch(() => {});
  // ffmpeg may exit before reading all input (bad data); the exit status reports that, not EPIPE.
  child.stdin?.on('error', () => {});
  child.stdin?.end(input);

  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (err) => reject(new TranscodeError(`cannot run ${opts.ffmpeg}: ${err.message}`, null, '')));
      child.once('close', (code, sig) => resolve({ code, sig }));
    });
    if (opts.signal?.aborted) throw abortError(opts.signal);
    if (exit.code !== 0) {
      const why = exit.code === null ? `killed by ${exit.sig}` : `exit code ${exit.code}`;
      throw new TranscodeError(`ffmpeg transcode failed (${why})`, exit.code, stderr.trim());
    }
    const datas = await Promise.all(outputs);
    return profiles.map((p, i) => rendition(p, datas[i]!));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
