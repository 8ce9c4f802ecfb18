import { describe, expect, it } from 'vitest';
import { Wallet, hashMessage, recoverAddress as ethersRecover, Signature } from 'ethers';
import {
  localSigner,
  personalMessageHash,
  privateKeyToAddress,
  recoverAddress,
  signMessage,
  verifySig,
} from './signer.js';
import { bytesToHex, hexToBytes, utf8 } from './encoding.js';
import { keccak256 } from './hash.js';
import { isAddress, toChecksumAddress } from './address.js';

const DEV_KEY = 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const DEV_ADDR = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

describe('signature recovery (vector D, crypto/verify_test.go)', () => {
  const addr = '0x3BadDb1eeE2105893136A3F96c8a963E9C6309d6';
  const msg = hexToBytes('b7da355477356fc4c47fcabcf232dc77a6db9b07b7e48b76261cc55cc8fbabb3');
  const sig = hexToBytes(
    '206443228e8f784bc3a122de0d85eb3ebff82d6a79cca26c7eeb907099a6404f6dff57bc6828f28bd6cd073c89d94cf3364204679ed8365fa45b5ee6af19a9841c',
  );

  it('accepts the valid signature and recovers the address', () => {
    expect(verifySig(addr, msg, sig)).toEqual({ ok: true });
    expect(recoverAddress(msg, sig)).toBe(addr);
  });

  it('rejects a different address', () => {
    const r = verifySig(DEV_ADDR, msg, sig);
    expect(r.ok).toBe(false);
  });

  it('rejects high S', () => {
    const high = hexToBytes(
      'e742ff452d41413616a5bf43fe15dd88294e983d3d36206c2712f39083d638bde0a0fc89be718fbc1033e1d30d78be1c68081562ed2e97af876f286f3453231d1b',
    );
    expect(verifySig(addr, msg, high)).toEqual({ ok: false, reason: 'signature s value too high' });
  });

  it('rejects a 64-byte signature', () => {
    expect(verifySig(addr, msg, sig.subarray(0, 64))).toEqual({ ok: false, reason: 'invalid signature length' });
    expect(() => recoverAddress(msg, sig.subarray(0, 64))).toThrow('invalid signature length');
  });

  it('rejects v outside {27, 28}', () => {
    for (const v of [0, 1, 26, 29]) {
      const bad = sig.slice();
      bad[64] = v;
      expect(verifySig(addr, msg, bad)).toEqual({ ok: false, reason: 'signature v value must be 27 or 28' });
    }
  });

  it('recovers from the EIP-191 prefixed hash (matches ethers)', () => {
    expect(bytesToHex(personalMessageHash(msg))).toBe(hashMessage(msg).slice(2));
    expect(ethersRecover(hashMessage(msg), Signature.from('0x' + bytesToHex(sig)))).toBe(addr);
  });
});

describe('local signer', () => {
  const signer = localSigner(DEV_KEY);
  const wallet = new Wallet('0x' + DEV_KEY);

  it('derives the EIP-55 address', () => {
    expect(signer.address).toBe(DEV_ADDR);
    expect(privateKeyToAddress('0x' + DEV_KEY)).toBe(DEV_ADDR);
    expect(isAddress(signer.address)).toBe(true);
    expect(toChecksumAddress(DEV_ADDR.toLowerCase())).toBe(DEV_ADDR);
  });

  it('vector H1: OrchestratorRequest sig = B-sign(utf8(EIP-55 address))', async () => {
    const msg = utf8(DEV_ADDR);
    expect(bytesToHex(keccak256(msg))).toBe('db2ec52069cba65d62a560cad9088e7a709d09e7c14b33d740b428038e383e34');
    const sig = await signMessage(signer, msg);
    expect(bytesToHex(sig)).toBe(
      '47d66008c2c5b0671b8e7b43b62245ae9c4ba5f6ff7e94328b68eb45090cb1080815dec67a20bdec15ce794c9ce271fa8e6552d6b0976ab7a0b92d5516b32ef31c',
    );
    expect(verifySig(DEV_ADDR, keccak256(msg), sig)).toEqual({ ok: true });
    // lower-case hex is a different message: a signature over it does not verify as the EIP-55 one
    expect(verifySig(DEV_ADDR, keccak256(utf8(DEV_ADDR.toLowerCase())), sig).ok).toBe(false);
  });

  it('produces byte-identical signatures to ethers (RFC 6979, low S, v 27/28)', async () => {
    for (let i = 0; i < 20; i++) {
      const h = keccak256(utf8(`message ${i}`));
      const ours = await signer.signHash(h);
      expect(bytesToHex(ours)).toBe(wallet.signMessageSync(h).slice(2));
      expect([27, 28]).toContain(ours[64]);
      expect(verifySig(signer.address, h, ours)).toEqual({ ok: true });
    }
  });

  it('rejects non-32-byte hashes and bad keys', async () => {
    await expect(signer.signHash(new Uint8Array(31))).rejects.toThrow('32-byte');
    expect(() => localSigner('1234')).toThrow('invalid private key');
    expect(() => localSigner('zz'.repeat(32))).toThrow('invalid private key');
    expect(() => localSigner('00'.repeat(32))).toThrow('out of range');
  });

  it('does not expose the key when serialized', () => {
    expect(JSON.stringify(signer)).not.toContain(DEV_KEY);
  });
});
