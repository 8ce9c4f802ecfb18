// Real media for AI tests, made by ffmpeg (PNG, JPEG, MP3) or written by hand (WAV), cached per process.
import { execFileSync } from 'node:child_process';

const cache = new Map<string, Buffer>();

function ffmpeg(args: string[]): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** A real PNG of w×h pixels. */
export function png(w: number, h: number): Buffer {
  const key = `png${w}x${h}`;
  let b = cache.get(key);
  if (!b) cache.set(key, (b = ffmpeg(['-f', 'lavfi', '-i', `testsrc=s=${w}x${h}`, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'])));
  return b;
}

/** A real baseline JPEG of w×h pixels. */
export function jpeg(w: number, h: number): Buffer {
  const key = `jpg${w}x${h}`;
  let b = cache.get(key);
  if (!b) cache.set(key, (b = ffmpeg(['-f', 'lavfi', '-i', `testsrc=s=${w}x${h}`, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'mjpeg', '-pix_fmt', 'yuvj420p', '-'])));
  return b;
}

/** A 16-bit PCM mono WAV of the given length at 8 kHz (silence). */
export function wav(seconds: number, rate = 8000): Buffer {
  const samples = Math.round(seconds * rate);
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  return b;
}

/** A real MP3 of the given length (sine tone). */
export function mp3(seconds: number): Buffer {
  const key = `mp3${seconds}`;
  let b = cache.get(key);
  if (!b) cache.set(key, (b = ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', '-'])));
  return b;
}

/** A multipart/form-data body like a browser or curl would send. */
export function form(fields: Record<string, string | { filename: string; type?: string; data: Buffer }>): { contentType: string; body: Buffer } {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, v] of Object.entries(fields)) {
    if (typeof v === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\nContent-Type: ${v.type ?? 'application/octet-stream'}\r\n\r\n`), v.data, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
