// Minimal MPEG-TS reader: finds the video elementary stream and counts its frames without decoding.
// ffmpeg's mpegts muxer writes exactly one PES packet per video frame, so PES starts on the video PID = frames.
import { GwError } from '../errors.js';

export const TS_PACKET_SIZE = 188;
const SYNC_BYTE = 0x47;

/** PMT stream_type values that carry video (MPEG-1/2, MPEG-4 part 2, H.264, HEVC). */
const VIDEO_STREAM_TYPES = new Set([0x01, 0x02, 0x10, 0x1b, 0x24]);

export interface TsInfo {
  packets: number;
  videoPid: number | null;
  /** PMT stream_type of the video stream (0x1b = H.264). */
  videoStreamType: number | null;
  videoFrames: number;
  /** Smallest/largest video PTS in seconds (90 kHz clock, not unwrapped), null without video PTS. */
  minVideoPts: number | null;
  maxVideoPts: number | null;
}

/** Thrown for bytes that are not a 188-byte-aligned transport stream. */
export class TsParseError extends GwError {
  override name = 'TsParseError';
  constructor(message: string) {
    super('bad_segment', message);
  }
}

function readPts(b: Uint8Array, i: number): number {
  // 33 bits spread over 5 bytes with marker bits; multiply instead of shifting to stay above 32 bits.
  const hi = (b[i]! >> 1) & 0x07;
  const mid = (b[i + 1]! << 7) | (b[i + 2]! >> 1);
  const lo = (b[i + 3]! << 7) | (b[i + 4]! >> 1);
  return hi * 2 ** 30 + mid * 2 ** 15 + lo;
}

/** Start of the PSI section in a packet payload (after pointer_field), or -1. */
function sectionStart(b: Uint8Array, payload: number, end: number): number {
  const pointer = b[payload]!;
  const start = payload + 1 + pointer;
  return start < end ? start : -1;
}

/** One elementary stream of the program map: its type, PID and descriptor loop. */
export interface PmtEntry {
  readonly streamType: number;
  readonly pid: number;
  readonly descriptors: Uint8Array;
}

/** The payload start of a packet that begins a PES packet or PSI section, or -1. */
function unitStart(data: Uint8Array, off: number): number {
  const end = off + TS_PACKET_SIZE;
  if ((data[off + 1]! & 0x40) === 0) return -1;
  const afc = (data[off + 3]! >> 4) & 0x03;
  if ((afc & 0x01) === 0) return -1;
  const payload = off + 4 + ((afc & 0x02) !== 0 ? 1 + data[off + 4]! : 0);
  return payload < end ? payload : -1;
}

/** The elementary streams of the first program map in the buffer ([] when none is found). */
export function pmtEntries(data: Uint8Array): PmtEntry[] {
  const pmtPids = new Set<number>();
  for (let off = 0; off + TS_PACKET_SIZE <= data.length; off += TS_PACKET_SIZE) {
    if (data[off] !== SYNC_BYTE) throw new TsParseError(`lost MPEG-TS sync at byte ${off}`);
    const end = off + TS_PACKET_SIZE;
    const payload = unitStart(data, off);
    if (payload < 0) continue;
    const pid = ((data[off + 1]! & 0x1f) << 8) | data[off + 2]!;
    if (pid !== 0 && !pmtPids.has(pid)) continue;
    const s = sectionStart(data, payload, end);
    if (s < 0 || data[s] !== (pid === 0 ? 0x00 : 0x02)) continue;
    const sectionEnd = Math.min(end, s + 3 + (((data[s + 1]! & 0x0f) << 8) | data[s + 2]!) - 4);
    if (pid === 0) {
      for (let e = s + 8; e + 4 <= sectionEnd; e += 4) {
        const program = (data[e]! << 8) | data[e + 1]!;
        if (program !== 0) pmtPids.add(((data[e + 2]! & 0x1f) << 8) | data[e + 3]!);
      }
      continue;
    }
    const entries: PmtEntry[] = [];
    const programInfoLength = ((data[s + 10]! & 0x0f) << 8) | data[s + 11]!;
    for (let e = s + 12 + programInfoLength; e + 5 <= sectionEnd; ) {
      const infoLength = ((data[e + 3]! & 0x0f) << 8) | data[e + 4]!;
      entries.push({ streamType: data[e]!, pid: ((data[e + 1]! & 0x1f) << 8) | data[e + 2]!, descriptors: data.subarray(e + 5, Math.min(sectionEnd, e + 5 + infoLength)) });
      e += 5 + infoLength;
    }
    return entries;
  }
  return [];
}

/** Parses a transport stream buffer and reports its video stream and frame count. */
export function inspectTs(data: Uint8Array): TsInfo {
  if (data.length % TS_PACKET_SIZE !== 0) {
    throw new TsParseError(`MPEG-TS length ${data.length} is not a multiple of ${TS_PACKET_SIZE}`);
  }
  const video = pmtEntries(data).find((e) => VIDEO_STREAM_TYPES.has(e.streamType));
  const info: TsInfo = {
    packets: data.length / TS_PACKET_SIZE,
    videoPid: video?.pid ?? null,
    videoStreamType: video?.streamType ?? null,
    videoFrames: 0,
    minVideoPts: null,
    maxVideoPts: null,
  };
  if (!video) return info;
  for (let off = 0; off < data.length; off += TS_PACKET_SIZE) {
    if (data[off] !== SYNC_BYTE) throw new TsParseError(`lost MPEG-TS sync at byte ${off}`);
    if ((((data[off + 1]! & 0x1f) << 8) | data[off + 2]!) !== video.pid) continue;
    const payload = unitStart(data, off);
    if (payload < 0) continue;
    info.videoFrames += 1;
    // PES header: 00 00 01 id len(2) flags flags hdrlen PTS(5)
    if (payload + 14 <= off + TS_PACKET_SIZE && data[payload] === 0 && data[payload + 1] === 0 && data[payload + 2] === 1 && (data[payload + 7]! & 0x80) !== 0) {
      const pts = readPts(data, payload + 9) / 90_000;
      if (info.minVideoPts === null || pts < info.minVideoPts) info.minVideoPts = pts;
      if (info.maxVideoPts === null || pts > info.maxVideoPts) info.maxVideoPts = pts;
    }
  }
  return info;
}

/** Frame rate and duration of a segment's video from its timestamps: (frames − 1) over the PTS span, plus one frame. */
export function videoTiming(info: TsInfo): { frameRate: number; durationMs: number } | undefined {
  if (info.minVideoPts === null || info.maxVideoPts === null || info.videoFrames < 2 || info.maxVideoPts <= info.minVideoPts) return undefined;
  const span = info.maxVideoPts - info.minVideoPts;
  const frameRate = (info.videoFrames - 1) / span;
  return { frameRate, durationMs: Math.round((span + 1 / frameRate) * 1000) };
}

/** The audio codec a transport stream carries, from its PMT (no decoding). */
export type TsAudioCodec = 'aac' | 'opus' | 'mp3' | 'ac3' | 'other' | null;

/** Finds the first audio stream in the PMT: AAC (ADTS or LATM), Opus (private data registered as "Opus"), …; null without audio. */
export function tsAudioCodec(data: Uint8Array): TsAudioCodec {
  let entries: PmtEntry[];
  try {
    entries = pmtEntries(data);
  } catch {
    return null;
  }
  for (const e of entries) {
    if (e.streamType === 0x0f || e.streamType === 0x11) return 'aac';
    if (e.streamType === 0x03 || e.streamType === 0x04) return 'mp3';
    if (e.streamType === 0x81) return 'ac3';
    if (e.streamType === 0x06 && hasRegistration(e.descriptors, 'Opus')) return 'opus';
  }
  return null;
}

/** True when a descriptor loop holds a registration descriptor (tag 5) with this format identifier. */
function hasRegistration(descriptors: Uint8Array, id: string): boolean {
  for (let i = 0; i + 2 <= descriptors.length; i += 2 + descriptors[i + 1]!) {
    if (descriptors[i] === 0x05 && descriptors[i + 1]! >= 4 && String.fromCharCode(...descriptors.subarray(i + 2, i + 6)) === id) return true;
  }
  return false;
}

/** What a player needs to know about an H.264 stream (from its first SPS). */
export interface H264Info {
  /** RFC 6381 codec string, e.g. "avc1.64001f" */
  codec: string;
  profileIdc: number;
  levelIdc: number;
  width: number;
  height: number;
  /** from the SPS VUI timing info, when present */
  frameRate: number | null;
}

/** Bit reader over an RBSP (emulation-prevention bytes already removed). */
class BitReader {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.b[this.pos >> 3];
      if (byte === undefined) throw new RangeError('SPS truncated');
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new RangeError('bad Exp-Golomb code');
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0 && out[out.length - 1] === 0 && out[out.length - 2] === 0) continue;
    out.push(nal[i]!);
  }
  return Uint8Array.from(out);
}

/** Parses an H.264 sequence parameter set NAL unit (starting with its NAL header byte). */
export function parseH264Sps(nal: Uint8Array): H264Info {
  if (nal.length < 4 || (nal[0]! & 0x1f) !== 7) throw new RangeError('not an H.264 SPS NAL unit');
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profileIdc = r.u(8);
  const constraints = r.u(8);
  const levelIdc = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chroma = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profileIdc)) {
    chroma = r.ue();
    if (chroma === 3) r.u(1);
    r.ue();
    r.ue();
    r.u(1);
    if (r.u(1) === 1) {
      for (let i = 0; i < (chroma !== 3 ? 8 : 12); i++) {
        if (r.u(1) === 0) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) next = (last + r.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.u(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.u(1);
  const widthMbs = r.ue() + 1;
  const heightUnits = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (frameMbsOnly === 0) r.u(1);
  r.u(1);
  let crop = [0, 0, 0, 0];
  if (r.u(1) === 1) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  const cropX = chroma === 0 || chroma === 3 ? 1 : 2;
  const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  const width = widthMbs * 16 - (crop[0]! + crop[1]!) * cropX;
  const height = (2 - frameMbsOnly) * heightUnits * 16 - (crop[2]! + crop[3]!) * cropY;
  let frameRate: number | null = null;
  try {
    if (r.u(1) === 1) {
      if (r.u(1) === 1 && r.u(8) === 255) r.u(32);
      if (r.u(1) === 1) r.u(1);
      if (r.u(1) === 1) {
        r.u(4);
        if (r.u(1) === 1) r.u(24);
      }
      if (r.u(1) === 1) {
        r.ue();
        r.ue();
      }
      if (r.u(1) === 1) {
        const units = r.u(32);
        const scale = r.u(32);
        if (units > 0 && scale > 0) frameRate = Math.round((scale / (2 * units)) * 1000) / 1000;
      }
    }
  } catch {
    frameRate = null; // a truncated VUI only loses the frame rate
  }
  return { codec: `avc1.${hex(profileIdc)}${hex(constraints)}${hex(levelIdc)}`, profileIdc, levelIdc, width, height, frameRate };
}

/** The first SPS NAL unit in an Annex B byte stream, or null. */
function findSps(es: Uint8Array): Uint8Array | null {
  for (let i = 0; i + 3 < es.length; i++) {
    if (es[i] !== 0 || es[i + 1] !== 0 || es[i + 2] !== 1) continue;
    const start = i + 3;
    if ((es[start]! & 0x1f) !== 7) continue;
    let end = start + 1;
    while (end + 2 < es.length && !(es[end] === 0 && es[end + 1] === 0 && (es[end + 2] === 1 || es[end + 2] === 0))) end++;
    return es.subarray(start, end + 2 < es.length ? end : es.length);
  }
  return null;
}

/**
 * Codec, resolution and frame rate of the H.264 video in a transport stream, from the first SPS of its first
 * PES packets (no decoding); null without H.264 video or SPS. The frame rate falls back to frames / PTS span.
 */
export function tsH264Info(data: Uint8Array): H264Info | null {
  let info: TsInfo;
  try {
    info = inspectTs(data);
  } catch {
    return null;
  }
  if (info.videoPid === null || info.videoStreamType !== 0x1b) return null;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (let off = 0; off + TS_PACKET_SIZE <= data.length && bytes < 64 * 1024; off += TS_PACKET_SIZE) {
    if ((((data[off + 1]! & 0x1f) << 8) | data[off + 2]!) !== info.videoPid) continue;
    const afc = (data[off + 3]! >> 4) & 0x03;
    if ((afc & 0x01) === 0) continue;
    let payload = off + 4 + ((afc & 0x02) !== 0 ? 1 + data[off + 4]! : 0);
    if (payload >= off + TS_PACKET_SIZE) continue;
    if ((data[off + 1]! & 0x40) !== 0) {
      if (data[payload] !== 0 || data[payload + 1] !== 0 || data[payload + 2] !== 1) continue;
      payload += 9 + data[payload + 8]!;
      if (chunks.length > 0) {
        const sps = findSps(concat(chunks));
        if (sps) return withFrameRate(parseOrNull(sps), info);
      }
    }
    if (payload < off + TS_PACKET_SIZE) {
      chunks.push(data.subarray(payload, off + TS_PACKET_SIZE));
      bytes += off + TS_PACKET_SIZE - payload;
    }
  }
  const sps = findSps(concat(chunks));
  return sps ? withFrameRate(parseOrNull(sps), info) : null;
}

function parseOrNull(sps: Uint8Array): H264Info | null {
  try {
    return parseH264Sps(sps);
  } catch {
    return null;
  }
}

function withFrameRate(h: H264Info | null, ts: TsInfo): H264Info | null {
  if (!h || h.frameRate !== null) return h;
  const t = videoTiming(ts);
  if (t) h.frameRate = Math.round(t.frameRate * 1000) / 1000;
  return h;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
