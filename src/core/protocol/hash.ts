// The single keccak-256 entry point for the protocol core (Ethereum keccak, not NIST SHA3-256).
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from './encoding.js';

/** keccak256 of the given bytes (32-byte digest). */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** keccak256 as lower-case hex without 0x. */
export function keccak256Hex(data: Uint8Array): string {
  return bytesToHex(keccak_256(data));
}

/** 32 zero bytes, the "no hash" value. */
export const ZERO_HASH: Uint8Array = new Uint8Array(32);
