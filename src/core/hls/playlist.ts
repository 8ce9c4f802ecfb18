// HLS playlist text (RFC 8216, protocol version 3) and the gateway's playback URL layout. Pure functions.

/** go-livepeer's live window: 6 segments per media playlist. */
export const DEFAULT_PLAYLIST_WINDOW = 6;

/** The name of the untranscoded rendition in the master playlist and in URLs. */
export const SOURCE_RENDITION = 'source';

export interface PlaylistSegment {
  seq: number;
  durationMs: number;
  uri: string;
  /** put EXT-X-DISCONTINUITY before this segment (timestamps/encoding restart) */
  discontinuity?: boolean;
}

export interface MediaPlaylistOptions {
  /** keep only the last N segments (live sliding window); default: all */
  window?: number;
  /** add EXT-X-ENDLIST (stream over, or VOD) */
  endList?: boolean;
  /** EXT-X-PLAYLIST-TYPE, e.g. 'VOD' for recordings */
  playlistType?: 'VOD' | 'EVENT';
  /** EXT-X-TARGETDURATION in whole seconds (a live stream's constant); raised if a shown segment would exceed it */
  targetDurationSec?: number;
  /** discontinuities that happened before `segments[0]` (for EXT-X-DISCONTINUITY-SEQUENCE) */
  discontinuitiesBefore?: number;
}

export interface MasterVariant {
  name: string;
  uri: string;
  /** bit/s, required by HLS */
  bandwidth: number;
  width?: number;
  height?: number;
  /** mean bit/s (AVERAGE-BANDWIDTH) */
  averageBandwidth?: number;
  /** RFC 6381 codec strings, e.g. ['avc1.64001f', 'mp4a.40.2'] */
  codecs?: string[];
  frameRate?: number;
}

function extinf(durationMs: number): string {
  return (Math.max(0, durationMs) / 1000).toFixed(3);
}

/**
 * Writes a media playlist. Segments must be in ascending seq order; MEDIA-SEQUENCE is the seq of the first
 * segment in the window, and discontinuities that slide out of the window advance DISCONTINUITY-SEQUENCE.
 */
export function writeMediaPlaylist(segments: readonly PlaylistSegment[], opts: MediaPlaylistOptions = {}): string {
  for (let i = 1; i < segments.length; i++) {
    if (segments[i]!.seq <= segments[i - 1]!.seq) {
      throw new RangeError(`playlist segments must have ascending seq (got ${segments[i - 1]!.seq} then ${segments[i]!.seq})`);
    }
  }
  const window = opts.window !== undefined && opts.window > 0 ? opts.window : segments.length;
  const dropped = segments.slice(0, Math.max(0, segments.length - window));
  const shown = segments.slice(dropped.length);
  // A discontinuity tag on the first shown segment is kept, so it only counts once it leaves the window.
  const discSeq = (opts.discontinuitiesBefore ?? 0) + dropped.filter((s) => s.discontinuity === true).length;
  const longestMs = shown.reduce((m, s) => Math.max(m, s.durationMs), 0);
  // RFC 8216 §4.3.3.1: every EXTINF (written rounded to ms), rounded to the nearest integer, ≤ the target.
  const target = Math.max(opts.targetDurationSec ?? 1, Math.round(Number(extinf(longestMs))), 1);

  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`];
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${shown[0]?.seq ?? 0}`);
  if (discSeq > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${discSeq}`);
  if (opts.playlistType !== undefined) lines.push(`#EXT-X-PLAYLIST-TYPE:${opts.playlistType}`);
  for (const s of shown) {
    if (s.discontinuity === true) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${extinf(s.durationMs)},`, s.uri);
  }
  if (opts.endList === true) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

function quoted(value: string): string {
  // Quoted-string attributes cannot contain quotes or line breaks.
  return `"${value.replace(/["\r\n]/g, '')}"`;
}

/** Writes a master playlist with one EXT-X-STREAM-INF per variant, in the given order. */
export function writeMasterPlaylist(variants: readonly MasterVariant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const v of variants) {
    const attrs = [`PROGRAM-ID=1`, `BANDWIDTH=${Math.max(1, Math.round(v.bandwidth))}`];
    if (v.averageBandwidth !== undefined && v.averageBandwidth > 0) attrs.push(`AVERAGE-BANDWIDTH=${Math.round(v.averageBandwidth)}`);
    if (v.codecs !== undefined && v.codecs.length > 0) attrs.push(`CODECS=${quoted(v.codecs.join(','))}`);
    if (v.width !== undefined && v.height !== undefined && v.width > 0 && v.height > 0) {
      attrs.push(`RESOLUTION=${v.width}x${v.height}`);
    }
    if (v.frameRate !== undefined && v.frameRate > 0) attrs.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    attrs.push(`NAME=${quoted(v.name)}`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return lines.join('\n') + '\n';
}

/** Playback URL layout on the gateway HTTP port (go-livepeer's `/stream/` routes). */
export const hlsPaths = {
  /** master playlist */
  master: (streamId: string): string => `/stream/${streamId}.m3u8`,
  /** live media playlist of one rendition */
  media: (streamId: string, rendition: string): string => `/stream/${streamId}/${rendition}.m3u8`,
  /** one segment */
  segment: (streamId: string, rendition: string, seq: number): string => `/stream/${streamId}/${rendition}/${seq}.ts`,
  /** variant URI inside the master playlist (relative to /stream/) */
  variantUri: (streamId: string, rendition: string): string => `${streamId}/${rendition}.m3u8`,
  /** segment URI inside a media playlist (relative to /stream/{id}/) */
  segmentUri: (rendition: string, seq: number): string => `${rendition}/${seq}.ts`,
};

export type HlsRequest =
  | { kind: 'master'; streamId: string }
  | { kind: 'media'; streamId: string; rendition: string }
  | { kind: 'segment'; streamId: string; rendition: string; seq: number };

const NAME = '[A-Za-z0-9_.~-]+';
const MASTER_RE = new RegExp(`^/stream/(${NAME})\\.m3u8$`);
const MEDIA_RE = new RegExp(`^/stream/(${NAME})/(${NAME})\\.m3u8$`);
const SEGMENT_RE = new RegExp(`^/stream/(${NAME})/(${NAME})/(\\d{1,15})\\.ts$`);

/** Parses a request path of the `/stream/` layout; null for anything else (→ 404). */
export function parseHlsPath(path: string): HlsRequest | null {
  let m = SEGMENT_RE.exec(path);
  if (m) return { kind: 'segment', streamId: m[1]!, rendition: m[2]!, seq: Number(m[3]) };
  m = MEDIA_RE.exec(path);
  if (m) return { kind: 'media', streamId: m[1]!, rendition: m[2]! };
  m = MASTER_RE.exec(path);
  if (m) return { kind: 'master', streamId: m[1]! };
  return null;
}
