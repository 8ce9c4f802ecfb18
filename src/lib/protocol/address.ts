// Ethereum addresses: 20 raw bytes on the wire, EIP-55 mixed-case strings in signed messages and logs.
import { bytesToHex, hexToBytes, utf8 } from './encoding.js';
import { keccak256 } from './hash.js';

/** EIP-55 checksummed (or at least 0x-prefixed) address string. */
export type Address = `0x${string}`;

/** The all-zero address. */
export const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000';

/** EIP-55 checksum encoding of a 20-byte address (bytes or any-case hex). */
export function toChecksumAddress(address: Uint8Array | string): Address {
  const bytes = typeof address === 'string' ? addressToBytes(address) : address;
  if (bytes.length !== 20) throw new Error(`invalid address length: ${bytes.length} bytes, want 20`);
  const lower = bytesToHex(bytes);
  const digest = bytesToHex(keccak256(utf8(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i] as string;
    out += parseInt(digest[i] as string, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out as Address;
}

/** Parses a 0x-prefixed 40-hex-digit address (any case, checksum not enforced) into 20 bytes. */
export function addressToBytes(address: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`invalid address: ${JSON.stringify(address)}`);
  return hexToBytes(address);
}

/** True for a 0x + 40 hex digit string; if mixed case, the EIP-55 checksum must match. */
export function isAddress(value: string): value is Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) return false;
  const body = value.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return toChecksumAddress(value) === value;
}
