// Byte-level encodings used on the Livepeer wire: minimal big-endian integers (protobuf `bytes` fields),
// uint256 words (hash preimages), standard base64 (HTTP headers) and hex.

const TWO_256 = 1n << 256n;

/** Minimal unsigned big-endian bytes of n; zero encodes as the empty array (Go's big.Int.Bytes()). */
export function bigintToBytes(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError(`cannot encode negative integer ${n} as unsigned bytes`);
  if (n === 0n) return new Uint8Array(0);
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  return hexToBytes(hex);
}

/** Unsigned big-endian bytes to bigint; the empty array is zero. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + bytesToHex(bytes));
}

/** n as a 32-byte big-endian word (abi uint256); throws outside [0, 2^256). */
export function uint256Bytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  writeUint256(out, 0, n);
  return out;
}

/** Writes n as a 32-byte big-endian word into out at offset (no allocation on the hot path). */
export function writeUint256(out: Uint8Array, offset: number, n: bigint): void {
  if (n < 0n || n >= TWO_256) throw new RangeError(`value out of uint256 range: ${n}`);
  let v = n;
  for (let i = offset + 31; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Left-pads bytes with zeros to size; throws if longer. */
export function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length > size) throw new RangeError(`value has ${bytes.length} bytes, more than ${size}`);
  if (bytes.length === size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Lower-case hex without 0x prefix. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Lower-case hex with 0x prefix. */
export function bytesToHex0x(bytes: Uint8Array): `0x${string}` {
  return `0x${bytesToHex(bytes)}`;
}

/** Parses hex with or without 0x (any case); throws on odd length or non-hex characters. */
export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0) throw new Error(`invalid hex string: odd length (${h.length})`);
  if (!/^[0-9a-fA-F]*$/.test(h)) throw new Error('invalid hex string: non-hex character');
  const buf = Buffer.from(h, 'hex');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Standard (RFC 4648 §4, `+/`, padded) base64, as go-livepeer uses for its headers. */
export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Strict standard base64 decode (padding required, no URL-safe alphabet, no whitespace). */
export function base64Decode(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new Error('invalid base64: expected standard padded encoding');
  }
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
