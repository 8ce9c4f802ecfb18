import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  bigintToBytes,
  bytesEqual,
  bytesToBigint,
  bytesToHex,
  bytesToHex0x,
  concatBytes,
  hexToBytes,
  leftPad,
  uint256Bytes,
} from './encoding.js';

describe('integer bytes', () => {
  it('minimal big-endian, zero is empty', () => {
    expect(bigintToBytes(0n)).toEqual(new Uint8Array(0));
    expect(bytesToHex(bigintToBytes(1n))).toBe('01');
    expect(bytesToHex(bigintToBytes(255n))).toBe('ff');
    expect(bytesToHex(bigintToBytes(256n))).toBe('0100');
    expect(bytesToHex(bigintToBytes(10n ** 15n))).toBe('038d7ea4c68000');
    expect(() => bigintToBytes(-1n)).toThrow('negative');
  });
  it('round trips and accepts leading zeros on decode', () => {
    for (const n of [0n, 1n, 127n, 128n, 65535n, 2n ** 64n, 2n ** 256n - 1n]) expect(bytesToBigint(bigintToBytes(n))).toBe(n);
    expect(bytesToBigint(new Uint8Array([0, 0, 5]))).toBe(5n);
    expect(bytesToBigint(new Uint8Array(0))).toBe(0n);
  });
  it('uint256 words', () => {
    expect(bytesToHex(uint256Bytes(5n))).toBe('00'.repeat(31) + '05');
    expect(bytesToHex(uint256Bytes(2n ** 256n - 1n))).toBe('ff'.repeat(32));
    expect(() => uint256Bytes(2n ** 256n)).toThrow('uint256');
    expect(() => uint256Bytes(-1n)).toThrow('uint256');
  });
});

describe('hex, base64, bytes', () => {
  it('hex', () => {
    expect(bytesToHex(hexToBytes('0xDEADbeef'))).toBe('deadbeef');
    expect(bytesToHex0x(new Uint8Array([1, 2]))).toBe('0x0102');
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
    expect(() => hexToBytes('abc')).toThrow('odd length');
    expect(() => hexToBytes('zz')).toThrow('non-hex');
  });
  it('standard padded base64, not URL-safe', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x00]);
    expect(base64Encode(bytes)).toBe('+/+/AA==');
    expect(base64Decode('+/+/AA==')).toEqual(bytes);
    expect(() => base64Decode('-_-_AA==')).toThrow('standard');
    expect(() => base64Decode('+/+/AA')).toThrow('standard');
    expect(base64Decode('')).toEqual(new Uint8Array(0));
  });
  it('concat, pad, equality', () => {
    expect(bytesToHex(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])))).toBe('010203');
    expect(bytesToHex(leftPad(new Uint8Array([1]), 3))).toBe('000001');
    expect(() => leftPad(new Uint8Array(4), 3)).toThrow();
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
  });
});
