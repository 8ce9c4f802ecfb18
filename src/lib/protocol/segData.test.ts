import { describe, expect, it } from 'vitest';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  buildSegData,
  flattenSegData,
  flattenSegDataMessage,
  profilesHex,
  segmentHash,
  signSegData,
  verifySegDataSig,
} from './segData.js';
import { bytesToHex, utf8 } from './encoding.js';
import { keccak256 } from './hash.js';
import { localSigner, verifySig } from './signer.js';
import { parseProfileList, toNetProfile } from './profiles.js';
import { transcodingJobCapabilities } from './jobCapabilities.js';
import { SegDataSchema, VideoProfile_Format } from './gen/net/lp_rpc_pb.js';

const signer = localSigner('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const FLAT_H3 =
  '61626364313233340000000000000000000000000000000000000000000000000000000000000007b2363c1a0816be5ac205943ece58044b9b90102ff5176c71c403d242290ef16263306136353137613933633731376537';

describe('vector H3: SegData signature', () => {
  const hash = segmentHash(utf8('hello livepeer'));
  const profiles = parseProfileList('P240p30fps16x9,P360p30fps16x9').map(toNetProfile);

  it('segment hash and profile name-hash prefixes', () => {
    expect(bytesToHex(hash)).toBe('b2363c1a0816be5ac205943ece58044b9b90102ff5176c71c403d242290ef162');
    expect(profilesHex(['P240p30fps16x9', 'P360p30fps16x9'])).toBe('c0a6517a93c717e7');
  });

  it('flatten, its keccak and the B-sign', async () => {
    const flat = flattenSegData({ manifestId: 'abcd1234', seq: 7, hash, profiles });
    expect(bytesToHex(flat)).toBe(FLAT_H3);
    expect(bytesToHex(keccak256(flat))).toBe('edcbaea6b1caf1a3f4256e2e45ccaf2eeeb9a8fef1365c05489de488de1980e3');

    const seg = buildSegData({
      manifestId: 'abcd1234',
      seq: 7n,
      hash,
      durationMs: 2000,
      profiles,
      capabilities: transcodingJobCapabilities({ profiles }),
    });
    expect(bytesToHex(flattenSegDataMessage(seg))).toBe(FLAT_H3);
    await signSegData(signer, seg);
    expect(bytesToHex(seg.sig)).toBe(
      '1e5fa36355981318d1cc2ea6732c3a61659930f113ad4c3290c1b84d4f9c45512b9d3d43f8d2eb25e8c9344778f1b3c40e5f5fd181c442f4e3ccb070051b1ed91c',
    );
    expect(verifySig(signer.address, keccak256(flat), seg.sig)).toEqual({ ok: true });

    // O's view after the wire: decode, recompute, verify; a changed name breaks it
    const decoded = fromBinary(SegDataSchema, toBinary(SegDataSchema, seg));
    expect(verifySegDataSig(decoded, signer.address)).toEqual({ ok: true });
    const first = decoded.fullProfiles[0];
    if (!first) throw new Error('missing profile');
    first.name = 'renamed';
    expect(verifySegDataSig(decoded, signer.address).ok).toBe(false);
  });
});

describe('vector H4: AI empty-segment flatten', () => {
  it('manifest ‖ 32 zero bytes ‖ keccak256("") and no profile text', () => {
    const flat = flattenSegData({ manifestId: '27_stabilityai/sdxl-turbo', seq: 0, hash: segmentHash(new Uint8Array(0)), profiles: [] });
    expect(bytesToHex(flat)).toBe(
      '32375f73746162696c69747961692f7364786c2d747572626f' + '00'.repeat(32) + 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
  });
});

describe('buildSegData', () => {
  const hash = segmentHash(utf8('x'));
  const caps = transcodingJobCapabilities({ profiles: [], httpPush: true });

  it('sets the legacy profiles marker, duration, caps, token and profile field 33', () => {
    const profiles = parseProfileList('P240p30fps16x9').map(toNetProfile);
    const seg = buildSegData({
      manifestId: 'm',
      seq: 1,
      hash,
      durationMs: 1234,
      profiles,
      capabilities: caps,
      authToken: { $typeName: 'net.AuthToken', token: new Uint8Array([1, 2]), sessionId: 'deadbeef', expiration: 99n },
      segmentParameters: { fromMs: 0, toMs: 500 },
    });
    expect(new TextDecoder().decode(seg.profiles)).toBe('invalid');
    expect(seg.duration).toBe(1234);
    expect(seg.capabilities).toBe(caps);
    expect(seg.authToken?.sessionId).toBe('deadbeef');
    expect(seg.segmentParameters?.to).toBe(500n);
    expect(seg.fullProfiles).toHaveLength(1);
    expect(seg.fullProfiles2).toHaveLength(0);
    expect(seg.fullProfiles3).toHaveLength(0);
    expect(seg.sig.length).toBe(0);
  });

  it('uses field 34 with MP4 output and 35 with a GOP', () => {
    const p = parseProfileList('P240p30fps16x9').map(toNetProfile);
    const mp4 = p.map((x) => ({ ...x, format: VideoProfile_Format.MP4 }));
    expect(buildSegData({ manifestId: 'm', seq: 1, hash, durationMs: 1, profiles: mp4, capabilities: caps }).fullProfiles2).toHaveLength(1);
    const gop = p.map((x) => ({ ...x, gop: 2000 }));
    expect(buildSegData({ manifestId: 'm', seq: 1, hash, durationMs: 1, profiles: gop, capabilities: caps }).fullProfiles3).toHaveLength(1);
  });

  it('off-chain: no signer leaves the signature empty', async () => {
    const seg = buildSegData({ manifestId: 'm', seq: 1, hash, durationMs: 1, profiles: [], capabilities: caps });
    await signSegData(undefined, seg);
    expect(seg.sig.length).toBe(0);
  });

  it('validates hash length, seq and duration', () => {
    expect(() => flattenSegData({ manifestId: 'm', seq: 1, hash: new Uint8Array(31), profiles: [] })).toThrow('32');
    expect(() => flattenSegData({ manifestId: 'm', seq: -1, hash, profiles: [] })).toThrow('non-negative');
    expect(() => buildSegData({ manifestId: 'm', seq: 1, hash, durationMs: 1.5, profiles: [], capabilities: caps })).toThrow('duration');
  });
});
