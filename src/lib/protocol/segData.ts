// SegData (the Livepeer-Segment header): the signed flatten, message construction and verification
// (go-livepeer core/streamdata.go: Flatten, NetSegData; common.ProfilesToHex).
import { create } from '@bufbuild/protobuf';
import type { Address } from './address.js';
import { bytesToHex, utf8, writeUint256 } from './encoding.js';
import {
  type AuthToken,
  type Capabilities,
  type OSInfo,
  type SegData,
  SegDataSchema,
  type VideoProfile,
} from './gen/net/lp_rpc_pb.js';
import { keccak256 } from './hash.js';
import { pickProfileField } from './profiles.js';
import { type Signer, type VerifyResult, signMessage, verifySig } from './signer.js';

const INT32_MAX = 2 ** 31 - 1;
const INVALID_PROFILES = utf8('invalid');

/** ASCII lower-case hex of the first 4 bytes of keccak256(name), concatenated over the profiles in order. */
export function profilesHex(names: readonly string[]): string {
  let out = '';
  for (const name of names) out += bytesToHex(keccak256(utf8(name)).subarray(0, 4));
  return out;
}

/** What the segment signature covers. */
export interface FlattenInput {
  manifestId: string;
  seq: bigint | number;
  /** keccak256 of the segment bytes (32 bytes). */
  hash: Uint8Array;
  /** Profiles in request order; only the names are signed, exactly as sent. */
  profiles: readonly { name: string }[];
}

/** utf8(manifestId) ‖ uint256(seq) ‖ hash ‖ ASCII(profilesHex(names)). */
export function flattenSegData(input: FlattenInput): Uint8Array {
  if (input.hash.length !== 32) throw new Error(`segment hash: ${input.hash.length} bytes, want 32`);
  const seq = BigInt(input.seq);
  if (seq < 0n) throw new Error(`segment seq must be non-negative, got ${seq}`);
  const mid = utf8(input.manifestId);
  const p = utf8(profilesHex(input.profiles.map((x) => x.name)));
  const out = new Uint8Array(mid.length + 64 + p.length);
  out.set(mid, 0);
  writeUint256(out, mid.length, seq);
  out.set(input.hash, mid.length + 32);
  out.set(p, mid.length + 64);
  return out;
}

/** keccak256 of the segment bytes, as carried in SegData.hash. */
export function segmentHash(data: Uint8Array): Uint8Array {
  return keccak256(data);
}

/** Everything a SegData message carries besides the signature. */
export interface SegDataInput {
  manifestId: string;
  seq: bigint | number;
  /** keccak256 of the real segment bytes, even when the body is a URL. */
  hash: Uint8Array;
  /** Segment duration in ms (whole ms; 0 makes O assume 2 s). */
  durationMs: number;
  /** Wire profiles (see toNetProfile); every profile should be named. */
  profiles: readonly VideoProfile[];
  /** Job capabilities. */
  capabilities: Capabilities;
  /** Echo of OrchestratorInfo.auth_token. */
  authToken?: AuthToken;
  /** The gateway's external object store. */
  storage?: readonly OSInfo[];
  calcPerceptualHash?: boolean;
  /** Clip window in ms. */
  segmentParameters?: { fromMs: bigint | number; toMs: bigint | number };
  forceSessionReinit?: boolean;
}

/** Builds an unsigned SegData: profiles = "invalid", profiles in the field chosen by pickProfileField. */
export function buildSegData(input: SegDataInput): SegData {
  if (input.hash.length !== 32) throw new Error(`segment hash: ${input.hash.length} bytes, want 32`);
  if (!Number.isInteger(input.durationMs) || input.durationMs < 0 || input.durationMs > INT32_MAX) {
    throw new Error(`segment duration must be whole non-negative ms, got ${input.durationMs}`);
  }
  const seg = create(SegDataSchema, {
    manifestId: utf8(input.manifestId),
    seq: BigInt(input.seq),
    hash: input.hash,
    profiles: INVALID_PROFILES,
    duration: input.durationMs,
    capabilities: input.capabilities,
    authToken: input.authToken,
    storage: input.storage ? [...input.storage] : [],
    calcPerceptualHash: input.calcPerceptualHash ?? false,
    ForceSessionReinit: input.forceSessionReinit ?? false,
  });
  if (input.segmentParameters) {
    seg.segmentParameters = {
      $typeName: 'net.SegParameters',
      from: BigInt(input.segmentParameters.fromMs),
      to: BigInt(input.segmentParameters.toMs),
    };
  }
  seg[pickProfileField(input.profiles)] = [...input.profiles];
  return seg;
}

/** The profiles an orchestrator reads from a SegData: field 35, else 34, else 33. */
export function segDataProfiles(seg: SegData): VideoProfile[] {
  if (seg.fullProfiles3.length > 0) return seg.fullProfiles3;
  if (seg.fullProfiles2.length > 0) return seg.fullProfiles2;
  return seg.fullProfiles;
}

/** Flatten of a SegData message as the orchestrator recomputes it (manifest id bytes read as UTF-8). */
export function flattenSegDataMessage(seg: SegData): Uint8Array {
  return flattenSegData({
    manifestId: new TextDecoder().decode(seg.manifestId),
    seq: seg.seq,
    hash: seg.hash,
    profiles: segDataProfiles(seg),
  });
}

/** Sets seg.sig = B-sign(flatten); without a signer (off-chain) the signature stays empty. */
export async function signSegData(signer: Signer | undefined, seg: SegData): Promise<SegData> {
  seg.sig = signer ? await signMessage(signer, flattenSegDataMessage(seg)) : new Uint8Array(0);
  return seg;
}

/** Orchestrator-side check: seg.sig is the sender's B-sign of the flatten. */
export function verifySegDataSig(seg: SegData, sender: Address | Uint8Array): VerifyResult {
  return verifySig(sender, keccak256(flattenSegDataMessage(seg)), seg.sig);
}
