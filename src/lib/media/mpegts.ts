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
