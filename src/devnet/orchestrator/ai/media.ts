// Small media codecs for the devnet runners, pure and dependency-free: a PNG encoder (RGB, node:zlib), image header
// parsing for the billing units (PNG, JPEG, GIF — go-livepeer's image.DecodeConfig), and a sine-tone WAV writer.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG of an 8-bit RGB image; `rgb` holds width × height × 3 bytes, row by row. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`invalid image size ${width}x${height}`);
  if (rgb.length !== width * height * 3) throw new RangeError(`rgb buffer: ${rgb.length} bytes, want ${width * height * 3}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))]);
}

/** Format and dimensions from an image header. */
export interface ImageInfo {
  format: 'png' | 'jpeg' | 'gif';
  width: number;
  height: number;
}

function jpegSize(b: Buffer): ImageInfo | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { format: 'jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return undefined;
}

/** Image dimensions like Go's image.DecodeConfig; throws "image: unknown format" otherwise. */
export function imageInfo(bytes: Uint8Array): ImageInfo {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let info: ImageInfo | undefined;
  if (b.length >= 24 && b.subarray(0, 8).equals(PNG_SIGNATURE) && b.toString('ascii', 12, 16) === 'IHDR') {
    info = { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  } else if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    info = jpegSize(b);
  } else if (b.length >= 10 && (b.toString('ascii', 0, 6) === 'GIF87a' || b.toString('ascii', 0, 6) === 'GIF89a')) {
    info = { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (!info || info.width === 0 || info.height === 0) throw new Error('image: unknown format');
  return info;
}

/** Mono 16-bit PCM WAV: one sine tone per entry (frequency Hz, duration ms), with short fades against clicks. */
export function encodeToneWav(tones: readonly { hz: number; ms: number }[], sampleRate = 16_000): Buffer {
  const counts = tones.map((t) => Math.round((t.ms / 1000) * sampleRate));
  const total = counts.reduce((a, b) => a + b, 0);
  const out = Buffer.alloc(44 + total * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + total * 2, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(total * 2, 40);
  let pos = 44;
  tones.forEach((t, k) => {
    const n = counts[k] as number;
    const fade = Math.min(Math.floor(n / 4), Math.round(sampleRate * 0.005));
    for (let i = 0; i < n; i++) {
      const env = fade === 0 ? 1 : Math.min(1, i / fade, (n - 1 - i) / fade);
      const v = t.hz > 0 ? Math.sin((2 * Math.PI * t.hz * i) / sampleRate) * 0.4 * env : 0;
      out.writeInt16LE(Math.round(v * 32767), pos);
      pos += 2;
    }
  });
  return out;
}
