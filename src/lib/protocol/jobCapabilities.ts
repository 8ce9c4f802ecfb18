// Capability sets a job requires (go-livepeer core.JobCapabilities for transcoding, server/ai_session.go for AI).
import {
  type Capabilities,
  type VideoProfile,
  VideoProfile_Format,
  VideoProfile_Profile,
  VideoProfile_VideoCodec,
} from './gen/net/lp_rpc_pb.js';
import { Capability, type CapabilityId, DEFAULT_CAPABILITIES, buildCapabilities } from './capabilities.js';

/** Pixel format of an H.264 input, when known. */
export interface InputPixelFormat {
  chroma: 420 | 422 | 444;
  depth: 8 | 10 | 12 | 16;
}

/** What a transcoding job needs (go-livepeer JobCapabilities). */
export interface TranscodingJobSpec {
  /** Output profiles (only format, encoder, fpsDen, profile and gop matter). */
  profiles: readonly Pick<VideoProfile, 'format' | 'encoder' | 'fpsDen' | 'profile' | 'gop'>[];
  /** Segment parameters are sent: always for HTTP push, never for RTMP. Adds 26. */
  httpPush?: boolean;
  /** Verification is on. Adds 14. */
  verification?: boolean;
  /** Input codec; default H264. */
  inputCodec?: 'H264' | 'HEVC' | 'VP8' | 'VP9';
  /** H.264 input pixel format; unknown → no 21–25 cap. */
  pixelFormat?: InputPixelFormat;
  /** The gateway's own external object store, if any. */
  storage?: 'direct' | 's3' | 'gcs';
  /** -orchMinLivepeerVersion. */
  minVersion?: string;
}

function pixelFormatCap(pf: InputPixelFormat): CapabilityId | undefined {
  const key = `${pf.chroma}/${pf.depth}`;
  switch (key) {
    case '420/8':
      return undefined;
    case '444/8':
      return Capability.H264Decode444_8bit;
    case '422/8':
      return Capability.H264Decode422_8bit;
    case '444/10':
      return Capability.H264Decode444_10bit;
    case '422/10':
      return Capability.H264Decode422_10bit;
    case '420/10':
      return Capability.H264Decode420_10bit;
    default:
      throw new Error(`capability: unsupported pixel format chroma=${pf.chroma} colorBits=${pf.depth}`);
  }
}

function encoderCap(enc: VideoProfile_VideoCodec): CapabilityId {
  switch (enc) {
    case VideoProfile_VideoCodec.H264:
      return Capability.H264;
    case VideoProfile_VideoCodec.H265:
      return Capability.HEVCEncode;
    case VideoProfile_VideoCodec.VP8:
      return Capability.VP8Encode;
    case VideoProfile_VideoCodec.VP9:
      return Capability.VP9Encode;
    default:
      throw new Error(`capability: unknown codec ${enc}`);
  }
}

function formatCap(format: VideoProfile_Format): CapabilityId {
  if (format === VideoProfile_Format.MPEGTS) return Capability.MPEGTS;
  if (format === VideoProfile_Format.MP4) return Capability.MP4;
  throw new Error(`capability: unknown format ${format}`);
}

function profileCap(p: VideoProfile_Profile): CapabilityId | undefined {
  switch (p) {
    case VideoProfile_Profile.ENCODER_DEFAULT:
      return undefined;
    case VideoProfile_Profile.H264_BASELINE:
      return Capability.ProfileH264Baseline;
    case VideoProfile_Profile.H264_MAIN:
      return Capability.ProfileH264Main;
    case VideoProfile_Profile.H264_HIGH:
      return Capability.ProfileH264High;
    case VideoProfile_Profile.H264_CONSTRAINED_HIGH:
      return Capability.ProfileH264ConstrainedHigh;
    default:
      throw new Error(`capability: unknown profile ${p}`);
  }
}

const INPUT_CAPS = { H264: Capability.H264, HEVC: Capability.HEVCDecode, VP8: Capability.VP8Decode, VP9: Capability.VP9Decode } as const;
const STORAGE_CAPS = { direct: Capability.StorageDirect, s3: Capability.StorageS3, gcs: Capability.StorageGCS } as const;

/** Sorted capability ids a transcoding job requires. */
export function transcodingJobCapabilityIds(spec: TranscodingJobSpec): CapabilityId[] {
  const ids = new Set<CapabilityId>([Capability.AuthToken]);
  if (spec.verification) ids.add(Capability.MPEG7VideoSignature);
  if (spec.httpPush) ids.add(Capability.SegmentSlicing);
  const input = spec.inputCodec ?? 'H264';
  ids.add(INPUT_CAPS[input]);
  if (input === 'H264' && spec.pixelFormat) {
    const c = pixelFormatCap(spec.pixelFormat);
    if (c !== undefined) ids.add(c);
  }
  for (const p of spec.profiles) {
    ids.add(formatCap(p.format));
    ids.add(encoderCap(p.encoder));
    if (p.fpsDen > 0) ids.add(Capability.FractionalFramerates);
    const pc = profileCap(p.profile);
    if (pc !== undefined) ids.add(pc);
    if (p.gop !== 0) ids.add(Capability.GOP);
  }
  if (spec.storage) ids.add(STORAGE_CAPS[spec.storage]);
  return [...ids].sort((a, b) => a - b);
}

/** Job caps for transcoding as sent on the wire: bitstring, empty capacities, constraints with minVersion. */
export function transcodingJobCapabilities(spec: TranscodingJobSpec): Capabilities {
  return buildCapabilities({ ids: transcodingJobCapabilityIds(spec), minVersion: spec.minVersion ?? '' });
}

/** What an AI job needs (server/ai_session.go). */
export interface AIJobSpec {
  capability: CapabilityId;
  modelId: string;
  /** The gateway's own version string. */
  version: string;
  runnerVersion?: string;
  minVersion?: string;
}

/** AI job caps: default set ∪ {cap}, capacity 1 each, model constraint {warm:false, runnerVersion}. */
export function aiJobCapabilities(spec: AIJobSpec): Capabilities {
  const ids = [...new Set([...DEFAULT_CAPABILITIES, spec.capability])];
  return buildCapabilities({
    ids,
    capacities: new Map(ids.map((id) => [id, 1])),
    version: spec.version,
    minVersion: spec.minVersion ?? '',
    perCapability: new Map([[spec.capability, { [spec.modelId]: { warm: false, runnerVersion: spec.runnerVersion ?? '' } }]]),
  });
}
