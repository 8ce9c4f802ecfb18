// Test fixtures generated with ffmpeg at test time, and an ffprobe wrapper.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FFMPEG = 'ffmpeg';
export const FFPROBE = 'ffprobe';

/** Runs a binary with the given stdin and returns stdout (rejects with stderr on failure). */
export function run(bin: string, args: string[], stdin?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(bin, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} failed: ${err.message}\n${stderr.toString()}`));
      else resolve(stdout);
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdin);
  });
}

/** lavfi test pattern + sine audio, H.264 (GOP 2 s) + AAC, in the given container. */
export function testSourceArgs(seconds: number, size = '320x240', rate = 30): string[] {
  return [
    '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(2 * rate), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac',
  ];
}

/** Generates `seconds` of test media in `format` ('mpegts' | 'flv') and returns the bytes. */
export async function makeMedia(seconds: number, format: 'mpegts' | 'flv', size?: string): Promise<Uint8Array> {
  return new Uint8Array(await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', ...testSourceArgs(seconds, size), '-f', format, 'pipe:1']));
}

/** Splits TS bytes into ~2 s segments with stream copy (timestamps kept), like the live segmenter does. */
export async function splitTs(ts: Uint8Array): Promise<Uint8Array[]> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-test-split-'));
  try {
    const list = await run(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0', '-c', 'copy',
      '-f', 'segment', '-segment_time', '2', '-segment_format', 'mpegts', '-reset_timestamps', '0',
      '-segment_list', 'pipe:1', '-segment_list_type', 'flat', join(dir, '%d.ts'),
    ], ts);
    const names = list.toString().split('\n').filter((l) => l.trim() !== '');
    return Promise.all(names.map(async (n) => new Uint8Array(await readFile(join(dir, n.trim())))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  start_time?: string;
  duration?: string;
  nb_read_frames?: string;
}

/** ffprobe of in-memory media: streams with decoded frame counts (so it also proves the data decodes). */
export async function probe(data: Uint8Array): Promise<ProbedStream[]> {
  const out = await run(FFPROBE, ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', '-i', 'pipe:0'], data);
  return (JSON.parse(out.toString()) as { streams: ProbedStream[] }).streams;
}

export function videoOf(streams: ProbedStream[]): ProbedStream {
  const v = streams.find((s) => s.codec_type === 'video');
  if (!v) throw new Error('no video stream');
  return v;
}

/** Starts an ffmpeg RTMP publisher of the test pattern; resolves with its exit code. */
export function pushRtmp(url: string, seconds: number): { exit: Promise<number | null>; kill(): void } {
  const child = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-re', ...testSourceArgs(seconds), '-f', 'flv', url], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.resume();
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { exit, kill: () => child.kill('SIGKILL') };
}
