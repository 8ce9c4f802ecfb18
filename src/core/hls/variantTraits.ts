// What the master playlist announces about a rendition, measured from its segments: peak and mean bit rates (the
// same way for every variant) and the codecs, resolution and frame rate read from the bytes. Pure.
import { tsAudioCodec, tsH264Info } from '../../lib/media/mpegts.js';

/** What the master playlist says about a rendition, read from its first segment. */
export interface StreamTraits {
  codecs: string[];
  width?: number;
  height?: number;
  frameRate?: number;
}

/** Peak bit/s over the stored segments (0 without data). */
export function estimateBandwidth(entries: ReadonlyArray<{ durationMs: number; size?: number; data?: Uint8Array | undefined }>): number {
  let peak = 0;
  for (const e of entries) {
    const bytes = e.size ?? e.data?.length ?? 0;
    if (e.durationMs > 0) peak = Math.max(peak, (bytes * 8 * 1000) / e.durationMs);
  }
  return Math.round(peak);
}

/** Mean bit/s over the segments (0 without data). */
export function averageBandwidth(entries: ReadonlyArray<{ durationMs: number; size: number }>): number {
  let bits = 0;
  let ms = 0;
  for (const e of entries) {
    bits += e.size * 8;
    ms += e.durationMs;
  }
  return ms > 0 ? Math.round((bits * 1000) / ms) : 0;
}

/** Codecs, resolution and frame rate of a segment (H.264 SPS, AAC from the PMT); null when unreadable. */
export function readTraits(data: Uint8Array): StreamTraits | null {
  const video = tsH264Info(data);
  const audio = tsAudioCodec(data);
  if (!video && audio === null) return null;
  const codecs: string[] = [];
  if (video) codecs.push(video.codec);
  if (audio === 'aac') codecs.push('mp4a.40.2');
  else if (audio === 'mp3') codecs.push('mp4a.40.34');
  else if (audio === 'ac3') codecs.push('ac-3');
  else if (audio !== null) return { codecs: [] }; // an audio codec we cannot name: no CODECS rather than a wrong one
  return {
    codecs,
    ...(video ? { width: video.width, height: video.height } : {}),
    ...(video !== null && video.frameRate !== null ? { frameRate: video.frameRate } : {}),
  };
}
