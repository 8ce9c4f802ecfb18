import { describe, expect, it } from 'vitest';
import {
  type VideoProfileSpec,
  PRESET_PROFILES,
  P144P25FPS16X9,
  parseBitrate,
  parseJsonProfiles,
  parseProfileList,
  pickProfileField,
  toNetProfile,
} from './profiles.js';
import { VideoProfile_Format, VideoProfile_Profile, VideoProfile_VideoCodec } from './gen/net/lp_rpc_pb.js';

function preset(name: string): VideoProfileSpec {
  const p = PRESET_PROFILES[name];
  if (!p) throw new Error(`no preset ${name}`);
  return p;
}

describe('presets', () => {
  it('has the 13 selectable presets with the lpms values', () => {
    expect(Object.keys(PRESET_PROFILES)).toHaveLength(13);
    const p = preset('P720p30fps4x3');
    expect(p).toMatchObject({ width: 960, height: 720, bitrate: '3500k', fps: 30, fpsDen: 0, aspectRatio: '4:3' });
    expect(PRESET_PROFILES.P144p25fps16x9).toBeUndefined();
    expect(P144P25FPS16X9.fps).toBe(25);
  });
  it('parses a comma list in order', () => {
    expect(parseProfileList('P240p30fps16x9, P360p30fps16x9').map((p) => p.name)).toEqual(['P240p30fps16x9', 'P360p30fps16x9']);
  });
  it('rejects unknown names, listing valid ones', () => {
    expect(() => parseProfileList('P240p30fps16x9,P999p')).toThrow(/unknown transcoding profile\(s\) P999p; valid names: P720p60fps16x9, .*P144p30fps16x9/);
    expect(() => parseProfileList('P144p25fps16x9')).toThrow('P144p25fps16x9');
    expect(() => parseProfileList(' , ')).toThrow('no transcoding profiles');
  });
});

describe('net conversion', () => {
  it('converts a preset', () => {
    const n = toNetProfile(preset('P240p30fps16x9'));
    expect(n).toMatchObject({
      name: 'P240p30fps16x9', width: 426, height: 240, bitrate: 600000, fps: 30, fpsDen: 0,
      format: VideoProfile_Format.MPEGTS, profile: VideoProfile_Profile.ENCODER_DEFAULT, gop: 0, encoder: VideoProfile_VideoCodec.H264,
    });
  });
  it('defaults an empty name to ffmpeg_<w>x<h>_<bitrate>', () => {
    const n = toNetProfile({ ...preset('P360p30fps16x9'), name: '' });
    expect(n.name).toBe('ffmpeg_640x360_1200000');
  });
  it('bitrate: first k → 000, strict integer', () => {
    expect(parseBitrate('600k')).toBe(600000);
    expect(parseBitrate('600000')).toBe(600000);
    expect(() => parseBitrate('1.5k')).toThrow('invalid bitrate');
    expect(() => parseBitrate('6M')).toThrow('invalid bitrate');
    expect(() => parseBitrate('1kk')).toThrow('invalid bitrate');
  });
});

describe('JSON profiles', () => {
  it('parses every field', () => {
    const [p] = parseJsonProfiles(JSON.stringify([
      { name: 'hi', width: 1280, height: 720, bitrate: 3000000, fps: 30000, fpsDen: 1001, profile: 'H264High', gop: '2', encoder: 'HEVC', colorDepth: 2, chromaFormat: 1, quality: 23 },
    ]));
    expect(p).toMatchObject({ name: 'hi', width: 1280, height: 720, bitrate: '3000000', fps: 30000, fpsDen: 1001, profile: 'h264high', gopMs: 2000, encoder: 'HEVC', colorDepth: 2, chromaFormat: 1, quality: 23, format: 'none' });
    const n = toNetProfile(p as VideoProfileSpec);
    expect(n).toMatchObject({ bitrate: 3000000, gop: 2000, profile: VideoProfile_Profile.H264_HIGH, encoder: VideoProfile_VideoCodec.H265, chromaFormat: 1, quality: 23 });
  });
  it('defaults name, gop intra, fractional seconds, object wrapper', () => {
    const ps = parseJsonProfiles({ profiles: [{ width: 640, height: 360, bitrate: 900000 }, { width: 1, height: 1, gop: 'intra' }, { gop: '0.5' }] });
    expect(ps[0]?.name).toBe('custom_640x360_900000');
    expect(ps[0]?.gopMs).toBe(0);
    expect(ps[0]?.encoder).toBe('H.264');
    expect(ps[1]?.gopMs).toBe(-1);
    expect(toNetProfile(ps[1] as VideoProfileSpec).gop).toBe(-1);
    expect(ps[2]?.gopMs).toBe(500);
  });
  it('matches keys case-insensitively like Go, preferring the exact key', () => {
    const [p] = parseJsonProfiles('[{"Width": 100, "HEIGHT": 50, "fpsden": 2, "fpsDen": 3}]');
    expect(p).toMatchObject({ width: 100, height: 50, fpsDen: 3 });
  });
  it('converts fractional GOP seconds exactly as Go float math does', () => {
    expect(parseJsonProfiles('[{"gop":"2.3"}]')[0]?.gopMs).toBe(2300);
    expect(parseJsonProfiles('[{"gop":"1.005"}]')[0]?.gopMs).toBe(1004); // 1.005 × 1e9 = 1004999999.99… ns, truncated
    expect(parseJsonProfiles('[{"gop":"0.001"}]')[0]?.gopMs).toBe(1);
  });
  it.each([
    ['not json', /invalid profiles JSON/],
    ['{"a":1}', /must be an array/],
    ['[1]', /profile 0: \(profile\): must be an object/],
    ['[{"width":"100"}]', /profile 0: width: must be an integer/],
    ['[{},{"fps":-1}]', /profile 1: fps: must be between 0 and/],
    ['[{"profile":"h265main"}]', /profile 0: profile: unknown encoder profile "h265main"/],
    ['[{"encoder":"h264"}]', /profile 0: encoder: unknown encoder "h264"/],
    ['[{"gop":"-1"}]', /profile 0: gop: must be positive/],
    ['[{"gop":"abc"}]', /profile 0: gop: cannot parse "abc"/],
    ['[{"chromaFormat":3}]', /profile 0: chromaFormat: must be between 0 and 2/],
    ['[{"name":5}]', /profile 0: name: must be a string/],
  ])('rejects %s', (json, re) => {
    expect(() => parseJsonProfiles(json)).toThrow(re);
  });
});

describe('pickProfileField', () => {
  const base = { format: VideoProfile_Format.MPEGTS, fpsDen: 0, profile: VideoProfile_Profile.ENCODER_DEFAULT, gop: 0 };
  it('33 / 34 / 35', () => {
    expect(pickProfileField([base, base])).toBe('fullProfiles');
    expect(pickProfileField([base, { ...base, format: VideoProfile_Format.MP4 }])).toBe('fullProfiles2');
    expect(pickProfileField([base, { ...base, fpsDen: 1001 }])).toBe('fullProfiles3');
    expect(pickProfileField([{ ...base, profile: VideoProfile_Profile.H264_MAIN }])).toBe('fullProfiles3');
    expect(pickProfileField([{ ...base, gop: -1, format: VideoProfile_Format.MP4 }])).toBe('fullProfiles3');
    expect(pickProfileField([])).toBe('fullProfiles');
  });
});
