// Video output profiles: lpms presets, the JSON profile format, and conversion to the wire VideoProfile
// (go-livepeer common.FFmpegProfiletoNetProfile), plus the choice of SegData profile field.
import { create } from '@bufbuild/protobuf';
import {
  type VideoProfile,
  type VideoProfile_ChromaSubsampling,
  VideoProfile_Format,
  VideoProfile_Profile,
  VideoProfile_VideoCodec,
  VideoProfileSchema,
} from './gen/net/lp_rpc_pb.js';

/** Output container; `none` follows the input (MPEG-TS on the wire). */
export type OutputFormat = 'none' | 'mpegts' | 'mp4';
/** H.264 encoder profile; `none` = encoder default. */
export type EncoderProfile = 'none' | 'h264baseline' | 'h264main' | 'h264high' | 'h264constrainedhigh';
/** Output codec, named as in lpms JSON profiles. */
export type VideoCodecName = 'H.264' | 'HEVC' | 'VP8' | 'VP9';

/** A gateway-side profile, mirroring lpms ffmpeg.VideoProfile. */
export interface VideoProfileSpec {
  name: string;
  width: number;
  height: number;
  /** lpms style: "600k" or "600000" (bit/s). */
  bitrate: string;
  /** 0 = pass-through. */
  fps: number;
  /** 0 = 1. */
  fpsDen: number;
  aspectRatio?: string;
  format: OutputFormat;
  profile: EncoderProfile;
  /** GOP in ms; 0 = encoder default, −1 = intra-only. */
  gopMs: number;
  encoder: VideoCodecName;
  /** Passed through verbatim (protocol reference: 0/2/4/8 = 8/10/12/16-bit). */
  colorDepth: number;
  /** 0 = 4:2:0, 1 = 4:2:2, 2 = 4:4:4. */
  chromaFormat: 0 | 1 | 2;
  /** CRF/CQ; 0 = bitrate mode. */
  quality: number;
}

/** GOP value for intra-only encoding. */
export const GOP_INTRA_ONLY = -1;

function preset(name: string, width: number, height: number, bitrate: string, fps: number, aspectRatio: string): VideoProfileSpec {
  return Object.freeze({
    name, width, height, bitrate, fps, fpsDen: 0, aspectRatio,
    format: 'none', profile: 'none', gopMs: 0, encoder: 'H.264', colorDepth: 0, chromaFormat: 0, quality: 0,
  } as const);
}

/** lpms preset profiles by name (§12.1). P144p25fps16x9 exists but is not selectable by name. */
export const PRESET_PROFILES: Readonly<Record<string, VideoProfileSpec>> = Object.freeze({
  P720p60fps16x9: preset('P720p60fps16x9', 1280, 720, '6000k', 60, '16:9'),
  P720p30fps16x9: preset('P720p30fps16x9', 1280, 720, '4000k', 30, '16:9'),
  P720p25fps16x9: preset('P720p25fps16x9', 1280, 720, '3500k', 25, '16:9'),
  P720p30fps4x3: preset('P720p30fps4x3', 960, 720, '3500k', 30, '4:3'),
  P576p30fps16x9: preset('P576p30fps16x9', 1024, 576, '1500k', 30, '16:9'),
  P576p25fps16x9: preset('P576p25fps16x9', 1024, 576, '1500k', 25, '16:9'),
  P360p30fps16x9: preset('P360p30fps16x9', 640, 360, '1200k', 30, '16:9'),
  P360p25fps16x9: preset('P360p25fps16x9', 640, 360, '1000k', 25, '16:9'),
  P360p30fps4x3: preset('P360p30fps4x3', 480, 360, '1000k', 30, '4:3'),
  P240p30fps16x9: preset('P240p30fps16x9', 426, 240, '600k', 30, '16:9'),
  P240p25fps16x9: preset('P240p25fps16x9', 426, 240, '600k', 25, '16:9'),
  P240p30fps4x3: preset('P240p30fps4x3', 320, 240, '600k', 30, '4:3'),
  P144p30fps16x9: preset('P144p30fps16x9', 256, 144, '400k', 30, '16:9'),
});

/** The one preset that is defined but absent from the name lookup. */
export const P144P25FPS16X9: VideoProfileSpec = preset('P144p25fps16x9', 256, 144, '400k', 25, '16:9');

/** go-livepeer's default -transcodingOptions. */
export const DEFAULT_PROFILE_LIST = 'P240p30fps16x9,P360p30fps16x9';

/** Parses a comma list of preset names; unlike go-livepeer (which drops unknown names) unknown names are an error. */
export function parseProfileList(list: string): VideoProfileSpec[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new Error('no transcoding profiles given');
  const unknown = names.filter((n) => !Object.hasOwn(PRESET_PROFILES, n));
  if (unknown.length > 0) {
    throw new Error(`unknown transcoding profile(s) ${unknown.join(', ')}; valid names: ${Object.keys(PRESET_PROFILES).join(', ')}`);
  }
  return names.map((n) => PRESET_PROFILES[n] as VideoProfileSpec);
}

const ENCODER_PROFILES: Readonly<Record<string, EncoderProfile>> = {
  '': 'none', none: 'none', h264baseline: 'h264baseline', h264main: 'h264main', h264high: 'h264high',
  h264constrainedhigh: 'h264constrainedhigh',
};
const CODECS: readonly VideoCodecName[] = ['H.264', 'HEVC', 'VP8', 'VP9'];

function fail(index: number, field: string, reason: string): never {
  throw new Error(`profile ${index}: ${field}: ${reason}`);
}

/** Go's encoding/json key matching: exact key first, else a case-insensitive match. */
function lookup(o: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(o, key)) return o[key];
  const lower = key.toLowerCase();
  const k = Object.keys(o).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : o[k];
}

function intField(o: Record<string, unknown>, i: number, key: string, min: number, max: number): number {
  const v = lookup(o, key);
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(i, key, `must be an integer, got ${JSON.stringify(v)}`);
  if (v < min || v > max) fail(i, key, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

function strField(o: Record<string, unknown>, i: number, key: string): string {
  const v = lookup(o, key);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(i, key, `must be a string, got ${JSON.stringify(v)}`);
  return v;
}

const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

/** GOP seconds text → ms the way Go computes it (float64 seconds → ns, truncated → ms, truncated). */
function gopToMs(i: number, text: string): number {
  if (text === 'intra') return GOP_INTRA_ONLY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) fail(i, 'gop', `cannot parse ${JSON.stringify(text)} (seconds or "intra")`);
  const seconds = Number(text);
  if (!(seconds > 0)) fail(i, 'gop', `must be positive, got ${text}`);
  const ms = Math.trunc(Math.trunc(seconds * 1e9) / 1e6);
  if (ms > INT32_MAX) fail(i, 'gop', `too large: ${text}`);
  return ms;
}

/** Parses lpms JSON profiles (§12.3): an array, or an object with a `profiles` array (text or parsed JSON). */
export function parseJsonProfiles(input: string | unknown): VideoProfileSpec[] {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new Error(`invalid profiles JSON: ${(err as Error).message}`);
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'profiles' in value) {
    value = (value as { profiles: unknown }).profiles;
  }
  if (!Array.isArray(value)) throw new Error('profiles JSON must be an array of profile objects');
  return value.map((raw, i): VideoProfileSpec => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(i, '(profile)', 'must be an object');
    const o = raw as Record<string, unknown>;
    const width = intField(o, i, 'width', 0, INT32_MAX);
    const height = intField(o, i, 'height', 0, INT32_MAX);
    const bitrate = intField(o, i, 'bitrate', 0, INT32_MAX);
    const fps = intField(o, i, 'fps', 0, UINT32_MAX);
    const fpsDen = intField(o, i, 'fpsDen', 0, UINT32_MAX);
    const quality = intField(o, i, 'quality', 0, UINT32_MAX);
    const colorDepth = intField(o, i, 'colorDepth', 0, INT32_MAX);
    const chromaFormat = intField(o, i, 'chromaFormat', 0, 2) as 0 | 1 | 2;
    const profileText = strField(o, i, 'profile');
    const profile = ENCODER_PROFILES[profileText.toLowerCase()];
    if (!profile) fail(i, 'profile', `unknown encoder profile ${JSON.stringify(profileText)}; valid: none, h264baseline, h264main, h264high, h264constrainedhigh`);
    const encoderText = strField(o, i, 'encoder');
    const encoder = encoderText === '' ? 'H.264' : CODECS.find((c) => c === encoderText);
    if (!encoder) fail(i, 'encoder', `unknown encoder ${JSON.stringify(encoderText)}; valid: H.264, HEVC, VP8, VP9 (exact case)`);
    const gopText = strField(o, i, 'gop');
    const name = strField(o, i, 'name') || `custom_${width}x${height}_${bitrate}`;
    return {
      name, width, height, bitrate: String(bitrate), fps, fpsDen, format: 'none', profile,
      gopMs: gopText === '' ? 0 : gopToMs(i, gopText), encoder, colorDepth, chromaFormat, quality,
    };
  });
}

/** "600k" → 600000: the first "k" becomes "000", then a strict integer parse (as go-livepeer does). */
export function parseBitrate(bitrate: string): number {
  const text = bitrate.replace('k', '000');
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`invalid bitrate ${JSON.stringify(bitrate)}`);
  const n = Number(text);
  if (n < 0 || n > INT32_MAX) throw new Error(`bitrate out of range: ${bitrate}`);
  return n;
}

const FORMATS: Readonly<Record<OutputFormat, VideoProfile_Format>> = {
  none: VideoProfile_Format.MPEGTS, mpegts: VideoProfile_Format.MPEGTS, mp4: VideoProfile_Format.MP4,
};
const NET_PROFILES: Readonly<Record<EncoderProfile, VideoProfile_Profile>> = {
  none: VideoProfile_Profile.ENCODER_DEFAULT,
  h264baseline: VideoProfile_Profile.H264_BASELINE,
  h264main: VideoProfile_Profile.H264_MAIN,
  h264high: VideoProfile_Profile.H264_HIGH,
  h264constrainedhigh: VideoProfile_Profile.H264_CONSTRAINED_HIGH,
};
const NET_CODECS: Readonly<Record<VideoCodecName, VideoProfile_VideoCodec>> = {
  'H.264': VideoProfile_VideoCodec.H264, HEVC: VideoProfile_VideoCodec.H265, VP8: VideoProfile_VideoCodec.VP8, VP9: VideoProfile_VideoCodec.VP9,
};

/** Wire VideoProfile for a spec; an empty name becomes `ffmpeg_<w>x<h>_<bitrate>`. */
export function toNetProfile(spec: VideoProfileSpec): VideoProfile {
  const bitrate = parseBitrate(spec.bitrate);
  return create(VideoProfileSchema, {
    name: spec.name === '' ? `ffmpeg_${spec.width}x${spec.height}_${bitrate}` : spec.name,
    width: spec.width,
    height: spec.height,
    bitrate,
    fps: spec.fps,
    fpsDen: spec.fpsDen,
    format: FORMATS[spec.format],
    profile: NET_PROFILES[spec.profile],
    gop: spec.gopMs,
    encoder: NET_CODECS[spec.encoder],
    colorDepth: spec.colorDepth,
    chromaFormat: spec.chromaFormat as VideoProfile_ChromaSubsampling,
    quality: spec.quality,
  });
}

/** SegData field carrying the profiles. */
export type ProfileField = 'fullProfiles' | 'fullProfiles2' | 'fullProfiles3';

/** 33 (all MPEG-TS) / 34 (some MP4) when every profile has fpsDen 0, default encoder profile and GOP 0; else 35. */
export function pickProfileField(profiles: readonly Pick<VideoProfile, 'format' | 'fpsDen' | 'profile' | 'gop'>[]): ProfileField {
  const simple = profiles.every((p) => p.fpsDen === 0 && p.profile === VideoProfile_Profile.ENCODER_DEFAULT && p.gop === 0);
  if (!simple) return 'fullProfiles3';
  return profiles.every((p) => p.format === VideoProfile_Format.MPEGTS) ? 'fullProfiles' : 'fullProfiles2';
}
