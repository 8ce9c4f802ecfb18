// The single keccak-256 entry point (Ethereum keccak, not NIST SHA3-256). Small inputs (ticket fields, hashes of
// hashes) go through our unrolled JS keccak-f[1600] (keccak.ts), which beats a native call at that size; large
// inputs (every segment body) go to the native `keccak` addon when its prebuilt binary loads — about 6× faster on
// a 1 MB segment, where hashing was half of the gateway's CPU per segment.
import { createRequire } from 'node:module';
import { bytesToHex } from './encoding.js';
import { keccak256Fast } from './keccak.js';

interface NativeHash {
  update(data: Buffer): NativeHash;
  digest(): Buffer;
}
type NativeKeccak = (algorithm: 'keccak256') => NativeHash;

/** Inputs at least this large use the native addon (below it the JS permutation wins). */
const NATIVE_THRESHOLD = 4096;

const native: NativeKeccak | undefined = (() => {
  try {
    const require = createRequire(import.meta.url);
    // `keccak/bindings` throws when no prebuilt binary fits this platform; then everything stays in JS.
    return require('keccak/bindings') as NativeKeccak;
  } catch {
    return undefined;
  }
})();

/** keccak256 of the given bytes (32-byte digest). */
export function keccak256(data: Uint8Array): Uint8Array {
  if (native && data.length >= NATIVE_THRESHOLD) {
    // The addon wants a Buffer: wrap the same memory, no copy.
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return new Uint8Array(native('keccak256').update(buf).digest());
  }
  return keccak256Fast(data);
}

/** An incremental keccak256 (native when available), so a body can be hashed while it is still arriving. */
export function keccak256Stream(): { update(chunk: Uint8Array): void; digest(): Uint8Array } {
  if (native) {
    const h = native('keccak256');
    return {
      update: (c) => void h.update(Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength)),
      digest: () => new Uint8Array(h.digest()),
    };
  }
  const chunks: Uint8Array[] = [];
  return { update: (c) => void chunks.push(c), digest: () => keccak256(Buffer.concat(chunks)) };
}

/** keccak256 as lower-case hex without 0x. */
export function keccak256Hex(data: Uint8Array): string {
  return bytesToHex(keccak256(data));
}

/** Whether large inputs are hashed natively (reported by gw doctor). */
export const nativeKeccak: boolean = native !== undefined;

/** 32 zero bytes, the "no hash" value. */
export const ZERO_HASH: Uint8Array = new Uint8Array(32);
