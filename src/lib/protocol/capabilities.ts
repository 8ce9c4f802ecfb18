// Capabilities (go-livepeer core/capabilities.go, core/ai.go): ids and names, the uint64 bitstring encoding,
// message construction and the gateway ⇄ orchestrator compatibility check. Job capability sets: jobCapabilities.ts.
//
// Functions work directly on the generated net.Capabilities message: job caps are built as wire messages and O
// caps arrive as wire messages, so a mirror type would only add conversions. Bitstring words are bigint (uint64).
import { create } from '@bufbuild/protobuf';
import { type Capabilities, CapabilitiesSchema } from './gen/net/lp_rpc_pb.js';

/** Capability ids; the numbers are fixed by the protocol. */
export const Capability = {
  H264: 0,
  MPEGTS: 1,
  MP4: 2,
  FractionalFramerates: 3,
  StorageDirect: 4,
  StorageS3: 5,
  StorageGCS: 6,
  ProfileH264Baseline: 7,
  ProfileH264Main: 8,
  ProfileH264High: 9,
  ProfileH264ConstrainedHigh: 10,
  GOP: 11,
  AuthToken: 12,
  SceneClassification: 13,
  MPEG7VideoSignature: 14,
  HEVCDecode: 15,
  HEVCEncode: 16,
  VP8Decode: 17,
  VP9Decode: 18,
  VP8Encode: 19,
  VP9Encode: 20,
  H264Decode444_8bit: 21,
  H264Decode422_8bit: 22,
  H264Decode444_10bit: 23,
  H264Decode422_10bit: 24,
  H264Decode420_10bit: 25,
  SegmentSlicing: 26,
  TextToImage: 27,
  ImageToImage: 28,
  ImageToVideo: 29,
  Upscale: 30,
  AudioToText: 31,
  SegmentAnything2: 32,
  LLM: 33,
  ImageToText: 34,
  LiveVideoToVideo: 35,
  TextToSpeech: 36,
  BYOC: 37,
} as const;

/** A capability id (a value of `Capability`, or an id from a newer peer). */
export type CapabilityId = number;

/** go-livepeer's display names; the AI entries double as the pipeline-name match table. */
export const CAPABILITY_NAMES: Readonly<Record<number, string>> = {
  0: 'H.264',
  1: 'MPEGTS',
  2: 'MP4',
  3: 'Fractional framerates',
  4: 'Storage direct',
  5: 'Storage S3',
  6: 'Storage GCS',
  7: 'H264 Baseline profile',
  8: 'H264 Main profile',
  9: 'H264 High profile',
  10: 'H264 Constrained, Contained High profile',
  11: 'GOP',
  12: 'Auth token',
  13: 'Scene classification',
  14: 'MPEG7 signature',
  15: 'HEVC decode',
  16: 'HEVC encode',
  17: 'VP8 decode',
  18: 'VP9 decode',
  19: 'VP8 encode',
  20: 'VP9 encode',
  21: 'H264 Decode YUV444 8-bit',
  22: 'H264 Decode YUV422 8-bit',
  23: 'H264 Decode YUV444 10-bit',
  24: 'H264 Decode YUV422 10-bit',
  25: 'H264 Decode YUV420 10-bit',
  26: 'Segment slicing',
  27: 'Text to image',
  28: 'Image to image',
  29: 'Image to video',
  30: 'Upscale',
  31: 'Audio to text',
  32: 'Segment anything 2',
  33: 'Llm',
  34: 'Image to text',
  35: 'Live video to video',
  36: 'Text to speech',
  37: 'byoc',
};

/** Display name of a capability id; unknown ids print as their number. */
export function capabilityName(id: CapabilityId): string {
  return CAPABILITY_NAMES[id] ?? String(id);
}

/** Ids an orchestrator without a local transcoder advertises: {0–12, 14, 26}. */
export const DEFAULT_CAPABILITIES: readonly CapabilityId[] = Object.freeze([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 26]);
/** Ids pre-discovery orchestrators are assumed to support: {0–11}. */
export const LEGACY_CAPABILITIES: readonly CapabilityId[] = Object.freeze([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
/** Ids an orchestrator marks mandatory (jobs must carry them). */
export const MANDATORY_O_CAPABILITIES: readonly CapabilityId[] = Object.freeze([Capability.AuthToken]);

/** AI pipeline slugs by capability id (BYOC has no pipeline-name mapping in go-livepeer; its slug is "byoc"). */
const AI_PIPELINES: Readonly<Record<number, string>> = {
  27: 'text-to-image',
  28: 'image-to-image',
  29: 'image-to-video',
  30: 'upscale',
  31: 'audio-to-text',
  32: 'segment-anything-2',
  33: 'llm',
  34: 'image-to-text',
  35: 'live-video-to-video',
  36: 'text-to-speech',
  37: 'byoc',
};

/** go-livepeer PipelineToCapability: capitalise the first letter, `-` → space, match a name. */
export function pipelineToCapability(pipeline: string): CapabilityId | undefined {
  if (pipeline === '') return undefined;
  const wanted = pipeline.slice(0, 1).toUpperCase() + pipeline.slice(1).replaceAll('-', ' ');
  for (const [id, name] of Object.entries(CAPABILITY_NAMES)) if (name === wanted) return Number(id);
  return undefined;
}

/** Pipeline slug of an AI capability id (27–37), else undefined. */
export function capabilityToPipeline(id: CapabilityId): string | undefined {
  return AI_PIPELINES[id];
}

/** One model an orchestrator reports under a capability's PerCapability constraints. */
export interface CapabilityModel {
  readonly capability: CapabilityId;
  /** Pipeline slug ("llm", "byoc", …), or the capability id as text for an id gw does not know. */
  readonly pipeline: string;
  readonly modelId: string;
  readonly warm: boolean;
  readonly capacity: number;
  readonly capacityInUse: number;
}

/** Every (capability, model) in `caps`' PerCapability constraints, by capability id then model id. */
export function perCapabilityModels(caps: Capabilities | undefined): CapabilityModel[] {
  const out: CapabilityModel[] = [];
  for (const [key, cons] of Object.entries(caps?.constraints?.PerCapability ?? {})) {
    const capability = Number(key);
    for (const [modelId, m] of Object.entries(cons.models)) {
      out.push({ capability, pipeline: capabilityToPipeline(capability) ?? key, modelId, warm: m.warm, capacity: m.capacity, capacityInUse: m.capacityInUse });
    }
  }
  return out.sort((a, b) => a.capability - b.capability || a.modelId.localeCompare(b.modelId));
}

function checkId(id: CapabilityId): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new RangeError(`invalid capability id ${id}`);
}

/** Bitstring words for a set of ids: word i bit j ⇔ id 64i + j; as many words as the highest id needs. */
export function encodeBitstring(ids: Iterable<CapabilityId>): bigint[] {
  const words: bigint[] = [];
  for (const id of ids) {
    checkId(id);
    const w = Math.floor(id / 64);
    while (words.length <= w) words.push(0n);
    words[w] = (words[w] as bigint) | (1n << BigInt(id % 64));
  }
  return words;
}

/** Sorted ids set in a bitstring. */
export function decodeBitstring(words: readonly bigint[]): CapabilityId[] {
  const ids: CapabilityId[] = [];
  words.forEach((word, i) => {
    for (let j = 0; j < 64; j++) if ((word >> BigInt(j)) & 1n) ids.push(i * 64 + j);
  });
  return ids;
}

/** Whether id is set in the bitstring. */
export function hasCapability(words: readonly bigint[], id: CapabilityId): boolean {
  const word = words[Math.floor(id / 64)];
  return word !== undefined && ((word >> BigInt(id % 64)) & 1n) === 1n;
}

/** go-livepeer CapabilityString.CompatibleWith: every bit of `sub` is in `sup`, and sub has no more words than sup. */
export function bitstringSubset(sub: readonly bigint[], sup: readonly bigint[]): boolean {
  if (sub.length > sup.length) return false;
  for (let i = 0; i < sub.length; i++) {
    const a = sub[i] as bigint;
    if ((a & (sup[i] as bigint)) !== a) return false;
  }
  return true;
}

/** One model's requirement (gateway side) or offer (orchestrator side). */
export interface ModelConstraintSpec {
  warm?: boolean;
  capacity?: number;
  runnerVersion?: string;
  capacityInUse?: number;
}

/** Inputs for a net.Capabilities message. */
export interface CapabilitiesSpec {
  ids: Iterable<CapabilityId>;
  mandatories?: Iterable<CapabilityId>;
  capacities?: ReadonlyMap<CapabilityId, number> | Readonly<Record<number, number>>;
  version?: string;
  minVersion?: string;
  /** capability id → model id → constraint. */
  perCapability?: ReadonlyMap<CapabilityId, Readonly<Record<string, ModelConstraintSpec>>>;
}

/** Builds a net.Capabilities message; `constraints` is always present, as go-livepeer sends it. */
export function buildCapabilities(spec: CapabilitiesSpec): Capabilities {
  const capacities: Record<number, number> = {};
  const src = spec.capacities;
  if (src) for (const [k, v] of src instanceof Map ? src : Object.entries(src)) capacities[Number(k)] = v as number;
  const perCapability: Record<number, { models: Record<string, Required<ModelConstraintSpec>> }> = {};
  for (const [id, models] of spec.perCapability ?? []) {
    const m: Record<string, Required<ModelConstraintSpec>> = {};
    for (const [modelId, c] of Object.entries(models)) {
      m[modelId] = {
        warm: c.warm ?? false,
        capacity: c.capacity ?? 0,
        runnerVersion: c.runnerVersion ?? '',
        capacityInUse: c.capacityInUse ?? 0,
      };
    }
    perCapability[id] = { models: m };
  }
  return create(CapabilitiesSchema, {
    bitstring: encodeBitstring(spec.ids),
    mandatories: spec.mandatories ? encodeBitstring(spec.mandatories) : [],
    capacities,
    version: spec.version ?? '',
    constraints: { minVersion: spec.minVersion ?? '', PerCapability: perCapability },
  });
}

/** Numeric core of a semantic version. */
export interface Semver {
  major: bigint;
  minor: bigint;
  patch: bigint;
}

const SEMVER_RE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Lenient semver (optional v, missing minor/patch = 0); pre-release and build suffixes are dropped. */
export function parseSemver(text: string): Semver | undefined {
  const m = SEMVER_RE.exec(text);
  if (!m) return undefined;
  return { major: BigInt(m[1] as string), minor: BigInt(m[2] ?? '0'), patch: BigInt(m[3] ?? '0') };
}

/** go-livepeer isVersionCompatible: empty min → ok; missing/"undefined"/bad version → not; bad min → ok. */
export function isVersionCompatible(minVersion: string, version: string): boolean {
  if (minVersion === '') return true;
  if (version === '' || version === 'undefined') return false;
  const min = parseSemver(minVersion);
  if (!min) return true;
  const v = parseSemver(version);
  if (!v) return false;
  if (v.major !== min.major) return v.major > min.major;
  if (v.minor !== min.minor) return v.minor > min.minor;
  return v.patch >= min.patch;
}

/** Job caps use only legacy ids (the only case where an O without capabilities is usable). */
export function legacyOnly(b: Capabilities): boolean {
  return bitstringSubset(b.bitstring, encodeBitstring(LEGACY_CAPABILITIES));
}

function perCapabilityCompatible(b: Capabilities, o: Capabilities): boolean {
  const bPer = b.constraints?.PerCapability ?? {};
  const oPer = o.constraints?.PerCapability ?? {};
  for (const [capKey, bCons] of Object.entries(bPer)) {
    const oCons = oPer[Number(capKey)];
    if (!oCons) continue;
    for (const [modelId, bm] of Object.entries(bCons.models)) {
      const om = oCons.models[modelId];
      if (!om) return false;
      if (bm.warm && !om.warm) return false;
      if (!isVersionCompatible(bm.runnerVersion, om.runnerVersion)) return false;
    }
  }
  return true;
}

/**
 * Whether job caps `b` fit orchestrator caps `o` (go-livepeer Capabilities.CompatibleWith plus the caller's
 * nil-caps rule): min version, O mandatories ⊆ b, per-model constraints, b ⊆ O. No O caps → b must be legacy-only.
 */
export function compatibleWith(b: Capabilities, o: Capabilities | undefined): boolean {
  if (!o) return legacyOnly(b);
  if (!isVersionCompatible(b.constraints?.minVersion ?? '', o.version)) return false;
  if (!bitstringSubset(o.mandatories, b.bitstring)) return false;
  if (!perCapabilityCompatible(b, o)) return false;
  return bitstringSubset(b.bitstring, o.bitstring);
}
