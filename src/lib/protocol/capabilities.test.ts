import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import {
  Capability,
  DEFAULT_CAPABILITIES,
  LEGACY_CAPABILITIES,
  bitstringSubset,
  buildCapabilities,
  capabilityName,
  capabilityToPipeline,
  compatibleWith,
  decodeBitstring,
  encodeBitstring,
  hasCapability,
  isVersionCompatible,
  pipelineToCapability,
} from './capabilities.js';
import { aiJobCapabilities, transcodingJobCapabilities, transcodingJobCapabilityIds } from './jobCapabilities.js';
import {
  CapabilitiesSchema,
  VideoProfileSchema,
  VideoProfile_Format,
  VideoProfile_Profile,
  VideoProfile_VideoCodec,
} from './gen/net/lp_rpc_pb.js';

const h264 = create(VideoProfileSchema, { name: 'a', width: 426, height: 240, bitrate: 600000, fps: 30 });
const orchDefault = buildCapabilities({ ids: DEFAULT_CAPABILITIES, mandatories: [Capability.AuthToken], version: '0.9.1' });

describe('ids, names, pipelines', () => {
  it('names', () => {
    expect(capabilityName(0)).toBe('H.264');
    expect(capabilityName(Capability.LLM)).toBe('Llm');
    expect(capabilityName(Capability.SegmentAnything2)).toBe('Segment anything 2');
    expect(capabilityName(999)).toBe('999');
    expect(Capability.BYOC).toBe(37);
    expect(Capability.TextToSpeech).toBe(36);
  });
  it('pipeline ↔ capability', () => {
    expect(pipelineToCapability('text-to-image')).toBe(27);
    expect(pipelineToCapability('llm')).toBe(33);
    expect(pipelineToCapability('segment-anything-2')).toBe(32);
    expect(pipelineToCapability('live-video-to-video')).toBe(35);
    expect(pipelineToCapability('text-to-speech')).toBe(36);
    expect(pipelineToCapability('byoc')).toBeUndefined();
    expect(pipelineToCapability('')).toBeUndefined();
    expect(pipelineToCapability('nope')).toBeUndefined();
    for (let id = 27; id <= 36; id++) expect(pipelineToCapability(capabilityToPipeline(id) as string)).toBe(id);
    expect(capabilityToPipeline(0)).toBeUndefined();
  });
});

describe('bitstring', () => {
  it('encodes LSB-first 64-bit words', () => {
    expect(encodeBitstring([0, 1, 12])).toEqual([4099n]);
    expect(encodeBitstring([0, 1, 12, 26])).toEqual([4099n + (1n << 26n)]);
    expect(encodeBitstring([63])).toEqual([1n << 63n]);
    expect(encodeBitstring([64])).toEqual([0n, 1n]);
    expect(encodeBitstring([])).toEqual([]);
    expect(() => encodeBitstring([-1])).toThrow();
  });
  it('decodes and tests membership', () => {
    expect(decodeBitstring([4099n, 1n])).toEqual([0, 1, 12, 64]);
    expect(hasCapability([4099n], 12)).toBe(true);
    expect(hasCapability([4099n], 13)).toBe(false);
    expect(hasCapability([4099n], 70)).toBe(false);
  });
  it('subset check also fails when the subset has more words (go-livepeer)', () => {
    expect(bitstringSubset([1n], [3n])).toBe(true);
    expect(bitstringSubset([3n], [1n])).toBe(false);
    expect(bitstringSubset([1n, 0n], [1n])).toBe(false);
  });
});

describe('transcoding job capabilities', () => {
  it('default RTMP and HTTP-push H.264 jobs', () => {
    expect(transcodingJobCapabilityIds({ profiles: [h264] })).toEqual([0, 1, 12]);
    expect(transcodingJobCapabilityIds({ profiles: [h264], httpPush: true })).toEqual([0, 1, 12, 26]);
    const caps = transcodingJobCapabilities({ profiles: [h264], httpPush: true, minVersion: '0.8.0' });
    expect(caps.bitstring).toEqual([4099n + (1n << 26n)]);
    expect(caps.capacities).toEqual({});
    expect(caps.version).toBe('');
    expect(caps.constraints?.minVersion).toBe('0.8.0');
    expect(transcodingJobCapabilities({ profiles: [h264] }).constraints).toBeDefined();
  });
  it('per-output, input and storage capabilities', () => {
    const p = create(VideoProfileSchema, {
      format: VideoProfile_Format.MP4,
      encoder: VideoProfile_VideoCodec.H265,
      fpsDen: 1001,
      profile: VideoProfile_Profile.H264_BASELINE,
      gop: -1,
    });
    expect(transcodingJobCapabilityIds({ profiles: [p], inputCodec: 'HEVC', storage: 's3', verification: true })).toEqual(
      [2, 3, 5, 7, 11, 12, 14, 15, 16],
    );
    expect(transcodingJobCapabilityIds({ profiles: [h264], pixelFormat: { chroma: 422, depth: 10 } })).toEqual([0, 1, 12, 24]);
    expect(transcodingJobCapabilityIds({ profiles: [h264], pixelFormat: { chroma: 420, depth: 8 } })).toEqual([0, 1, 12]);
    expect(() => transcodingJobCapabilityIds({ profiles: [h264], pixelFormat: { chroma: 444, depth: 12 } })).toThrow('unsupported pixel format');
    expect(transcodingJobCapabilityIds({ profiles: [], inputCodec: 'VP9', storage: 'gcs' })).toEqual([6, 12, 18]);
  });
});

describe('AI job capabilities', () => {
  it('default set ∪ {cap}, capacity 1 each, model constraint', () => {
    const caps = aiJobCapabilities({ capability: 27, modelId: 'stabilityai/sdxl-turbo', version: '0.9.1', runnerVersion: '0.1.0' });
    expect(decodeBitstring(caps.bitstring)).toEqual([...DEFAULT_CAPABILITIES, 27]);
    expect(Object.values(caps.capacities).every((c) => c === 1)).toBe(true);
    expect(Object.keys(caps.capacities)).toHaveLength(DEFAULT_CAPABILITIES.length + 1);
    expect(caps.version).toBe('0.9.1');
    const m = caps.constraints?.PerCapability[27]?.models['stabilityai/sdxl-turbo'];
    expect(m?.warm).toBe(false);
    expect(m?.runnerVersion).toBe('0.1.0');
  });
});

describe('version compatibility', () => {
  it.each([
    ['', '', true],
    ['0.8.0', '', false],
    ['0.8.0', 'undefined', false],
    ['0.8.0', '0.8.0', true],
    ['0.8.0', '0.7.9', false],
    ['0.8.0', '0.8.1', true],
    ['0.8.0', '1.0.0', true],
    ['0.8.0', '0.8.0-dev', true],
    ['0.8.1-rc1', '0.8.1', true],
    ['0.8.0', 'v0.8.0', true],
    ['0.8', '0.8.0', true],
    ['not-a-version', '0.1.0', true],
    ['0.8.0', 'garbage', false],
  ])('min %j vs %j → %s', (min, v, want) => {
    expect(isVersionCompatible(min, v)).toBe(want);
  });
});

describe('compatibleWith', () => {
  const job = transcodingJobCapabilities({ profiles: [h264], httpPush: true });

  it('modern job fits an orchestrator with the default set', () => {
    expect(compatibleWith(job, orchDefault)).toBe(true);
  });
  it('rule 1: minVersion', () => {
    const j = transcodingJobCapabilities({ profiles: [h264], minVersion: '0.9.2' });
    expect(compatibleWith(j, orchDefault)).toBe(false);
    expect(compatibleWith(transcodingJobCapabilities({ profiles: [h264], minVersion: '0.9.1' }), orchDefault)).toBe(true);
    const noVersion = buildCapabilities({ ids: DEFAULT_CAPABILITIES });
    expect(compatibleWith(transcodingJobCapabilities({ profiles: [h264], minVersion: '0.1.0' }), noVersion)).toBe(false);
  });
  it('rule 2: orchestrator mandatories must be in the job', () => {
    const o = buildCapabilities({ ids: DEFAULT_CAPABILITIES, mandatories: [Capability.MP4] });
    expect(compatibleWith(job, o)).toBe(false);
    const o2 = buildCapabilities({ ids: DEFAULT_CAPABILITIES, mandatories: [70] });
    expect(compatibleWith(job, o2)).toBe(false);
  });
  it('rule 3: per-capability model constraints', () => {
    const b = aiJobCapabilities({ capability: 27, modelId: 'm1', version: '0.9.1', runnerVersion: '0.2.0' });
    const o = (models: Record<string, { warm?: boolean; runnerVersion?: string }>, cap = 27) =>
      buildCapabilities({ ids: [...DEFAULT_CAPABILITIES, 27], version: '0.9.1', perCapability: new Map([[cap, models]]) });
    expect(compatibleWith(b, o({ m1: { runnerVersion: '0.2.0' } }))).toBe(true);
    expect(compatibleWith(b, o({ m2: { runnerVersion: '0.2.0' } }))).toBe(false);
    expect(compatibleWith(b, o({ m1: { runnerVersion: '0.1.9' } }))).toBe(false);
    expect(compatibleWith(b, o({ m1: {} }))).toBe(false);
    // no constraints for this capability on O → assumed compatible
    expect(compatibleWith(b, o({ m2: {} }, 28))).toBe(true);
    const warm = buildCapabilities({
      ids: [27], version: '1', perCapability: new Map([[27, { m1: { warm: true } }]]),
    });
    expect(compatibleWith(warm, o({ m1: { warm: false } }))).toBe(false);
    expect(compatibleWith(warm, o({ m1: { warm: true } }))).toBe(true);
  });
  it('rule 4: job bitstring ⊆ orchestrator bitstring', () => {
    const o = buildCapabilities({ ids: [0, 1, 12], version: '0.9.1' });
    expect(compatibleWith(transcodingJobCapabilities({ profiles: [h264] }), o)).toBe(true);
    expect(compatibleWith(job, o)).toBe(false);
    expect(compatibleWith(buildCapabilities({ ids: [0, 64] }), orchDefault)).toBe(false);
  });
  it('reply without capabilities: only legacy-only jobs pass', () => {
    expect(compatibleWith(job, undefined)).toBe(false);
    expect(compatibleWith(buildCapabilities({ ids: LEGACY_CAPABILITIES }), undefined)).toBe(true);
    expect(compatibleWith(buildCapabilities({ ids: [0, 1] }), undefined)).toBe(true);
    // an empty job lacks O's mandatory auth-token capability
    expect(compatibleWith(create(CapabilitiesSchema), orchDefault)).toBe(false);
    expect(compatibleWith(create(CapabilitiesSchema), buildCapabilities({ ids: [0] }))).toBe(true);
  });
});
