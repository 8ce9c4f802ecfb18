// The single keccak-256 entry point (Ethereum keccak, not NIST SHA3-256). The implementation is our unrolled
// keccak-f[1600] (keccak.ts), several times faster than @noble/hashes' loop: it hashes every segment body and
// two values per ticket, so it sits on both hot paths.
import { bytesToHex } from './encoding.js';
import { keccak256Fast } from './keccak.js';

/** keccak256 of the given bytes (32-byte digest). */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak256Fast(data);
}

/** keccak256 as lower-case hex without 0x. */
export function keccak256Hex(data: Uint8Array): string {
  return bytesToHex(keccak256Fast(data));
}

/** 32 zero bytes, the "no hash" value. */
export const ZERO_HASH: Uint8Array = new Uint8Array(32);
