import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real H.264/AAC MPEG-TS test segment made by ffmpeg (testsrc + sine), keyframe every 2 s. */
export function makeTsSegment(opts: { seconds?: number; size?: string; offsetSeconds?: number } = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'gw-media-'));
  const out = join(dir, 'seg.ts');
  execFileSync('ffmpeg', [
    '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=${opts.size ?? '320x240'}:rate=30`,
    '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', String(opts.seconds ?? 2),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-c:a', 'aac',
    ...(opts.offsetSeconds ? ['-output_ts_offset', String(opts.offsetSeconds)] : []),
    '-f', 'mpegts', out,
  ]);
  return readFileSync(out);
}

/** ffprobe's view of the first video stream of a file or URL. */
export function probeVideo(input: string): { width: number; height: number; codec: string } {
  const json = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,codec_name', '-of', 'json', input]).toString();
  const s = (JSON.parse(json) as { streams: Array<{ width: number; height: number; codec_name: string }> }).streams[0];
  if (!s) throw new Error(`no video stream in ${input}`);
  return { width: s.width, height: s.height, codec: s.codec_name };
}
