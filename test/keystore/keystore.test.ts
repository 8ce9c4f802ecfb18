import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptKeystoreJson, encryptKeystoreJson, Wallet } from 'ethers';
import {
  createKeyFile,
  decryptKeystore,
  encryptKeystore,
  keyFileName,
  KeystoreError,
  listKeyFiles,
  parseKeystore,
  readKeyFile,
  selectKeyFile,
  STANDARD_SCRYPT,
  unlockKeystoreAccount,
  writeKeyFile,
  type KeystoreV3,
} from '../../src/lib/payments/keystore.js';

const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const;
const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const LIGHT = { n: 1 << 10, r: 8, p: 1 };
const PASSWORD = 'correct horse battery staple';

// Web3 Secret Storage definition's PBKDF2 test vector (password "testpassword").
const SPEC_PBKDF2 = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: 'hmac-sha256',
      salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
    },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-keystore-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<KeystoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeystoreError);
  return err as KeystoreError;
}

describe('encrypt / decrypt', () => {
  it('round-trips with light scrypt parameters', async () => {
    const ks = await encryptKeystore(KEY, PASSWORD, { scrypt: LIGHT });
    expect(ks.version).toBe(3);
    expect(ks.address).toBe(ADDRESS.slice(2).toLowerCase());
    expect(ks.crypto.kdf).toBe('scrypt');
    expect(ks.crypto.kdfparams).toMatchObject({ n: 1024, r: 8, p: 1, dklen: 32 });
    expect(ks.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(ks)).not.toContain(KEY.slice(2));
    expect(await decryptKeystore(ks, PASSWORD)).toEqual({ address: ADDRESS, privateKey: KEY });
    // and from JSON text
    expect((await decryptKeystore(JSON.stringify(ks), PASSWORD)).address).toBe(ADDRESS);
  });

  it("uses go-ethereum's standard scrypt parameters (n=2^18, r=8, p=1) by default", async () => {
    const started = performance.now();
    const ks = await encryptKeystore(KEY, PASSWORD);
    expect(ks.crypto.kdfparams).toMatchObject({ n: 262144, r: 8, p: 1 });
    expect(STANDARD_SCRYPT).toEqual({ n: 262144, r: 8, p: 1 });
    expect((await decryptKeystore(ks, PASSWORD)).privateKey).toBe(KEY);
    console.log(`standard scrypt encrypt+decrypt: ${Math.round(performance.now() - started)} ms`);
  });

  it("decrypts a keystore made by ethers' Wallet.encrypt (scrypt)", async () => {
    const json = await new Wallet(KEY).encrypt(PASSWORD);
    expect(JSON.parse(json).Crypto.kdf).toBe('scrypt');
    expect(await decryptKeystore(json, PASSWORD)).toEqual({ address: ADDRESS, privateKey: KEY });
  });

  it('ethers decrypts what we write (scrypt and pbkdf2)', async () => {
    for (const options of [{ scrypt: LIGHT }, { kdf: 'pbkdf2' as const, pbkdf2Iterations: 1000 }]) {
      const ks = await encryptKeystore(KEY, PASSWORD, options);
      const account = await decryptKeystoreJson(JSON.stringify(ks), PASSWORD);
      expect(account.address).toBe(ADDRESS);
      expect(account.privateKey).toBe(KEY);
    }
  });

  it('decrypts the spec PBKDF2 vector and our own pbkdf2 output', async () => {
    const spec = await decryptKeystore(JSON.stringify(SPEC_PBKDF2), 'testpassword');
    expect(spec.privateKey).toBe('0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d');
    expect(spec.address).toBe('0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b');
    const ks = await encryptKeystore(KEY, PASSWORD, { kdf: 'pbkdf2', pbkdf2Iterations: 2000 });
    expect(ks.crypto.kdf).toBe('pbkdf2');
    expect(ks.crypto.kdfparams).toMatchObject({ c: 2000, prf: 'hmac-sha256', dklen: 32 });
    expect((await decryptKeystore(ks, PASSWORD)).privateKey).toBe(KEY);
  });

  it('decrypts an ethers keystore with custom scrypt parameters', async () => {
    const json = await encryptKeystoreJson({ address: ADDRESS, privateKey: KEY }, PASSWORD, { scrypt: { N: 1 << 12, r: 8, p: 1 } });
    expect((await decryptKeystore(json, PASSWORD)).privateKey).toBe(KEY);
  });

  it('a wrong password gives a clear error without leaking secrets', async () => {
    const ks = await encryptKeystore(KEY, PASSWORD, { scrypt: LIGHT });
    const err = await rejection(decryptKeystore(ks, 'not the password'));
    expect(err.code).toBe('wrong_password');
    expect(err.message).toBe(`wrong password for 0x${ADDRESS.slice(2).toLowerCase()}: could not decrypt the key file`);
    expect(err.message).not.toContain('not the password');
    expect(err.message).not.toContain(KEY.slice(2));
    const specErr = await rejection(decryptKeystore(JSON.stringify(SPEC_PBKDF2), 'wrong'));
    expect(specErr.message).toMatch(/^wrong password: could not decrypt/);
  });

  it('detects an address field that does not match the key', async () => {
    const ks = await encryptKeystore(KEY, PASSWORD, { scrypt: LIGHT });
    const tampered: KeystoreV3 = { ...ks, address: '70997970c51812dc3a010c7d01b50e0d17dc79c8' };
    expect((await rejection(decryptKeystore(tampered, PASSWORD))).code).toBe('address_mismatch');
  });

  it('rejects malformed or unsupported files clearly', async () => {
    expect(() => parseKeystore('{not json')).toThrow(/not valid JSON/);
    expect(() => parseKeystore({ version: 1 })).toThrow(/unsupported keystore version 1/);
    const base = JSON.parse(JSON.stringify(SPEC_PBKDF2)) as typeof SPEC_PBKDF2;
    expect(() => parseKeystore({ ...base, crypto: { ...base.crypto, kdf: 'argon2' } })).toThrow(/unsupported keystore kdf argon2/);
    expect(() => parseKeystore({ ...base, crypto: { ...base.crypto, cipher: 'aes-256-cbc' } })).toThrow(/unsupported keystore cipher/);
    expect(() => parseKeystore({ ...base, crypto: { ...base.crypto, mac: 'zz' } })).toThrow(/mac must be a hex string/);
    const huge = { ...base, crypto: { ...base.crypto, kdf: 'scrypt', kdfparams: { n: 1 << 24, r: 8, p: 1, dklen: 32, salt: 'aa' } } };
    expect((await rejection(decryptKeystore(JSON.stringify(huge), 'x'))).message).toMatch(/scrypt parameters too large/);
  });
});

describe('keystore directory', () => {
  it("names files like go-ethereum and writes them with mode 0600", async () => {
    const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(keyFileName(ADDRESS, when)).toBe('UTC--2024-01-02T03-04-05.678000000Z--f39fd6e51aad88f6f4ce6ab8827279cfffb92266');
    const ks = await encryptKeystore(KEY, PASSWORD, { scrypt: LIGHT });
    const path = await writeKeyFile(join(dir, 'ks1'), ks, when);
    expect(path).toBe(join(dir, 'ks1', keyFileName(ADDRESS, when)));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'ks1'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'ks1'))).toEqual([keyFileName(ADDRESS, when)]);
    expect(await readKeyFile(path)).toEqual(ks);
  });

  it('lists key files, skipping junk, and picks by address', async () => {
    const ksDir = join(dir, 'ks2');
    const a = await createKeyFile(ksDir, PASSWORD, { scrypt: LIGHT });
    await new Promise((r) => setTimeout(r, 5));
    const b = await createKeyFile(ksDir, 'other password', { scrypt: LIGHT });
    await writeFile(join(ksDir, 'README.txt'), 'not a key');
    await writeFile(join(ksDir, '.hidden'), JSON.stringify(await encryptKeystore(KEY, 'x', { scrypt: LIGHT })));
    const entries = await listKeyFiles(ksDir);
    expect(entries).toEqual([a, b]);
    expect(entries.every((e) => /\/UTC--\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{9}Z--[0-9a-f]{40}$/.test(e.path))).toBe(true);

    expect(selectKeyFile(entries)).toEqual(a); // like go-livepeer: first account when none is given
    expect(selectKeyFile(entries, b.address.toLowerCase())).toEqual(b);
    expect(selectKeyFile(entries, b.address.slice(2))).toEqual(b);
    expect(() => selectKeyFile(entries, ADDRESS)).toThrow(new RegExp(`no key file for ${ADDRESS} \\(keystore has `));
    expect(() => selectKeyFile(entries, 'nope')).toThrow(/not an Ethereum address/);
    expect(() => selectKeyFile([], undefined)).toThrow(/no key files/);

    const unlocked = await unlockKeystoreAccount(ksDir, 'other password', b.address);
    expect(unlocked.address).toBe(b.address);
    expect(unlocked.path).toBe(b.path);
    expect((await rejection(unlockKeystoreAccount(ksDir, 'other password', a.address))).code).toBe('wrong_password');
  });

  it('a missing directory lists as empty; a missing file is not-found', async () => {
    expect(await listKeyFiles(join(dir, 'does-not-exist'))).toEqual([]);
    expect((await rejection(readKeyFile(join(dir, 'nope.json')))).code).toBe('key_not_found');
  });
});
