// Live AI test helpers: an RTMP publisher of flat colored video (ffmpeg, real time), HLS output readers, and
// per-frame color measurements, so a test can tell what a devnet runner did to the frames.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { httpRequest } from '../helpers/gateway.js';

/** Publishes `color` (RRGGBB) at 160×120, 15 fps, 1 s GOPs, with a sine tone, in real time until stopped; `listen` serves one RTMP client instead. */
export function publishColor(url: string, color: string, opts: { seconds?: number; listen?: boolean } = {}): ChildProcess {
  const p = spawn(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', `color=c=0x${color}:s=160x120:r=15`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', String(opts.seconds ?? 120),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', ...(opts.listen ? ['-listen', '1'] : []), url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  p.stderr!.resume();
  return p;
}

/** Stops a publisher and waits for it. */
export async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  await new Promise((r) => p.once('exit', r));
}

/** The media playlist's segment URIs (absolute) of an HLS master at `masterUrl`, newest last; [] before any. */
export async function hlsSegments(masterUrl: string): Promise<{ urls: string[]; discontinuities: number; media: string }> {
  const master = await httpRequest(masterUrl);
  if (master.status !== 200) return { urls: [], discontinuities: 0, media: '' };
  const variant = master.body.toString('utf8').split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'));
  if (!variant) return { urls: [], discontinuities: 0, media: '' };
  const mediaUrl = new URL(variant.trim(), masterUrl).toString();
  const media = await httpRequest(mediaUrl);
  if (media.status !== 200) return { urls: [], discontinuities: 0, media: '' };
  const text = media.body.toString('utf8');
  const lines = text.split('\n');
  return {
    urls: lines.filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => new URL(l.trim(), mediaUrl).toString()),
    discontinuities: lines.filter((l) => l.startsWith('#EXT-X-DISCONTINUITY')).length,
    media: text,
  };
}

/** Mean R, G, B and luma of the first frame of a TS segment. */
export async function frameColor(ts: Buffer): Promise<{ r: number; g: number; b: number; y: number }> {
  const rgb = await decode(ts, 'rgb24');
  const gray = await decode(ts, 'gray');
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    r += rgb[i]!;
    g += rgb[i + 1]!;
    b += rgb[i + 2]!;
  }
  const n = rgb.length / 3;
  let y = 0;
  for (const v of gray) y += v;
  return { r: r / n, g: g / n, b: b / n, y: y / gray.length };
}

function decode(ts: Buffer, pixFmt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'], {
      encoding: 'buffer',
      maxBuffer: 16 << 20,
    });
    const chunks: Buffer[] = [];
    p.stdout!.on('data', (c: Buffer) => chunks.push(c));
    p.stdin!.on('error', () => undefined);
    p.stdin!.end(ts);
    p.on('error', reject);
    p.on('close', (code) => (code === 0 && chunks.length > 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg decode exited ${code}`))));
  });
}
