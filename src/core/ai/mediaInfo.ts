// What the gateway needs to know about AI inputs before paying for them, read from the file headers only:
// image dimensions (PNG, JPEG) and WAV duration. Pure; no decoding of pixel or sample data.

export interface ImageInfo {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG IHDR or a JPEG SOFn header; a reason string when the bytes are neither. */
export function imageInfo(data: Uint8Array): ImageInfo | string {
  if (data.length >= 8 && PNG_SIGNATURE.every((b, i) => data[i] === b)) return pngInfo(data);
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return jpegInfo(data);
  return 'not a PNG or JPEG image';
}

function u32be(d: Uint8Array, at: number): number {
  return ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
}

function u16be(d: Uint8Array, at: number): number {
  return (d[at]! << 8) | d[at + 1]!;
}

function pngInfo(d: Uint8Array): ImageInfo | string {
  if (d.length < 33) return 'truncated PNG header';
  const ihdr = String.fromCharCode(d[12]!, d[13]!, d[14]!, d[15]!);
  if (ihdr !== 'IHDR' || u32be(d, 8) !== 13) return 'PNG without an IHDR chunk first';
  const width = u32be(d, 16);
  const height = u32be(d, 20);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) return `invalid PNG size ${width}x${height}`;
  return { format: 'png', width, height };
}

/** Start-of-frame markers carry the size: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegInfo(d: Uint8Array): ImageInfo | string {
  let pos = 2;
  while (pos < d.length) {
    if (d[pos] !== 0xff) return 'corrupt JPEG: marker expected';
    while (pos < d.length && d[pos] === 0xff) pos++;
    const marker = d[pos];
    pos++;
    if (marker === undefined) break;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9 || marker === 0xda) return 'JPEG without a frame header before its image data';
    if (pos + 2 > d.length) break;
    const len = u16be(d, pos);
    if (len < 2) return 'corrupt JPEG: bad segment length';
    if (isSof(marker)) {
      if (pos + 7 > d.length) break;
      const height = u16be(d, pos + 3);
      const width = u16be(d, pos + 5);
      if (width === 0 || height === 0) return `invalid JPEG size ${width}x${height}`;
      return { format: 'jpeg', width, height };
    }
    pos += len;
  }
  return 'truncated JPEG: no frame header';
}

function u32le(d: Uint8Array, at: number): number {
  return (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) >>> 0;
}

function u16le(d: Uint8Array, at: number): number {
  return d[at]! | (d[at + 1]! << 8);
}

/** True when the bytes start like a RIFF/WAVE file. */
export function isWav(d: Uint8Array): boolean {
  return d.length >= 12 && String.fromCharCode(d[0]!, d[1]!, d[2]!, d[3]!) === 'RIFF' && String.fromCharCode(d[8]!, d[9]!, d[10]!, d[11]!) === 'WAVE';
}

/**
 * Duration in seconds of a RIFF/WAVE file from its `fmt ` byte rate and `data` size (a streamed file's unknown or
 * oversized data length counts the bytes present); a reason string when the headers do not allow it.
 */
export function wavDurationSeconds(d: Uint8Array): number | string {
  if (!isWav(d)) return 'not a WAV file';
  let pos = 12;
  let byteRate: number | undefined;
  while (pos + 8 <= d.length) {
    const id = String.fromCharCode(d[pos]!, d[pos + 1]!, d[pos + 2]!, d[pos + 3]!);
    const size = u32le(d, pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > d.length) return 'truncated WAV fmt chunk';
      const channels = u16le(d, body + 2);
      byteRate = u32le(d, body + 8);
      if (channels === 0 || byteRate === 0) return 'WAV fmt chunk with zero channels or byte rate';
    } else if (id === 'data') {
      if (byteRate === undefined) return 'WAV data chunk before its fmt chunk';
      const available = d.length - body;
      const bytes = size === 0xffffffff || size > available ? available : size;
      return bytes / byteRate;
    }
    pos = body + size + (size & 1);
  }
  return 'WAV without a data chunk';
}
