import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import { describe, expect, it } from 'vitest';
import { keccak256, keccak256Stream, nativeKeccak } from './hash.js';

describe('keccak256 (JS below 4 KiB, native addon above)', () => {
  it('uses the native addon on this platform (linux-x64 ships a prebuilt binary)', () => {
    expect(nativeKeccak).toBe(process.platform === 'linux' && process.arch === 'x64');
  });

  it('matches @noble/hashes on both sides of the threshold, for Buffers and Uint8Array views', () => {
    for (const len of [0, 1, 135, 136, 4095, 4096, 4097, 65_537, 1_100_003]) {
      const buf = randomBytes(len + 8);
      const view = new Uint8Array(buf.buffer, buf.byteOffset + 8, len);
      const want = Buffer.from(keccak_256(view)).toString('hex');
      expect(Buffer.from(keccak256(view)).toString('hex')).toBe(want);
      expect(Buffer.from(keccak256(Buffer.from(view))).toString('hex')).toBe(want);
    }
  });
});

describe('keccak256Stream', () => {
  it('gives the same digest fed in chunks as in one go', () => {
    const data = randomBytes(1_000_003);
    const h = keccak256Stream();
    for (let off = 0; off < data.length; off += 65_536) h.update(data.subarray(off, off + 65_536));
    expect(Buffer.from(h.digest()).toString('hex')).toBe(Buffer.from(keccak_256(data)).toString('hex'));
  });
});
