// Web3 Secret Storage v3 key files (go-ethereum / go-livepeer keystores): decrypt, encrypt, list, pick, write.
// Never log keys or passwords; errors name files and addresses only.
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { bytesToHex, getAddress, hexToBytes, isAddress, isHex, keccak256, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { GwError, type KeystoreErrorCode } from '../errors.js';

const scryptAsync = promisify(scrypt) as (
  password: Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

export type { KeystoreErrorCode };

/** A keystore problem; the message never contains secrets. */
export class KeystoreError extends GwError {
  declare readonly code: KeystoreErrorCode;
  constructor(code: KeystoreErrorCode, message: string) {
    super(code, message);
    this.name = 'KeystoreError';
  }
}

export interface ScryptParams {
  n: number;
  r: number;
  p: number;
}

/** go-ethereum's StandardScryptN/P (what go-livepeer uses for new accounts): ~1 s to derive. */
export const STANDARD_SCRYPT: ScryptParams = { n: 1 << 18, r: 8, p: 1 };
/** go-ethereum's LightScryptN/P. */
export const LIGHT_SCRYPT: ScryptParams = { n: 1 << 12, r: 8, p: 6 };

interface ScryptKdf {
  kdf: 'scrypt';
  kdfparams: { dklen: number; n: number; r: number; p: number; salt: string };
}
interface Pbkdf2Kdf {
  kdf: 'pbkdf2';
  kdfparams: { dklen: number; c: number; prf: 'hmac-sha256'; salt: string };
}

/** A version-3 key file as stored on disk (hex fields without 0x). */
export interface KeystoreV3 {
  version: 3;
  id: string;
  /** Lower-case hex address without 0x (go-ethereum writes it; some tools omit it). */
  address?: string;
  crypto: {
    cipher: 'aes-128-ctr';
    ciphertext: string;
    cipherparams: { iv: string };
    mac: string;
  } & (ScryptKdf | Pbkdf2Kdf);
}

/** A decrypted account. */
export interface DecryptedKey {
  address: Address;
  privateKey: Hex;
}

const HEX = /^(0x)?[0-9a-fA-F]*$/;

function hexField(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || !HEX.test(v) || v.replace(/^0x/, '').length % 2 !== 0) {
    throw new KeystoreError('invalid_keystore', `keystore ${where}.${key} must be a hex string`);
  }
  return v.replace(/^0x/, '').toLowerCase();
}

function intField(obj: Record<string, unknown>, key: string, where: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new KeystoreError('invalid_keystore', `keystore ${where}.${key} must be a positive integer`);
  }
  return v;
}

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new KeystoreError('invalid_keystore', `keystore ${where} must be an object`);
  }
  return v as Record<string, unknown>;
}

/** Validate key-file JSON (text or parsed) into a KeystoreV3; accepts ethers' "Crypto" spelling. */
export function parseKeystore(input: string | unknown): KeystoreV3 {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      throw new KeystoreError('invalid_keystore', 'key file is not valid JSON');
    }
  }
  const root = record(json, 'file');
  if (root.version !== 3) {
    throw new KeystoreError('unsupported_keystore', `unsupported keystore version ${String(root.version)} (need 3)`);
  }
  const c = record(root.crypto ?? root.Crypto, 'crypto');
  if (c.cipher !== 'aes-128-ctr') {
    throw new KeystoreError('unsupported_keystore', `unsupported keystore cipher ${String(c.cipher)} (need aes-128-ctr)`);
  }
  const params = record(c.kdfparams, 'crypto.kdfparams');
  const base = {
    cipher: 'aes-128-ctr' as const,
    ciphertext: hexField(c, 'ciphertext', 'crypto'),
    cipherparams: { iv: hexField(record(c.cipherparams, 'crypto.cipherparams'), 'iv', 'crypto.cipherparams') },
    mac: hexField(c, 'mac', 'crypto'),
  };
  if (base.cipherparams.iv.length !== 32) throw new KeystoreError('invalid_keystore', 'keystore iv must be 16 bytes');
  if (base.mac.length !== 64) throw new KeystoreError('invalid_keystore', 'keystore mac must be 32 bytes');
  let crypto: KeystoreV3['crypto'];
  const where = 'crypto.kdfparams';
  if (c.kdf === 'scrypt') {
    crypto = {
      ...base,
      kdf: 'scrypt',
      kdfparams: {
        dklen: intField(params, 'dklen', where),
        n: intField(params, 'n', where),
        r: intField(params, 'r', where),
        p: intField(params, 'p', where),
        salt: hexField(params, 'salt', where),
      },
    };
  } else if (c.kdf === 'pbkdf2') {
    if (params.prf !== 'hmac-sha256') {
      throw new KeystoreError('unsupported_keystore', `unsupported pbkdf2 prf ${String(params.prf)} (need hmac-sha256)`);
    }
    crypto = {
      ...base,
      kdf: 'pbkdf2',
      kdfparams: {
        dklen: intField(params, 'dklen', where),
        c: intField(params, 'c', where),
        prf: 'hmac-sha256',
        salt: hexField(params, 'salt', where),
      },
    };
  } else {
    throw new KeystoreError('unsupported_keystore', `unsupported keystore kdf ${String(c.kdf)} (need scrypt or pbkdf2)`);
  }
  if (crypto.kdfparams.dklen < 32) throw new KeystoreError('invalid_keystore', 'keystore dklen must be at least 32');
  const ks: KeystoreV3 = { version: 3, id: typeof root.id === 'string' ? root.id : '', crypto };
  if (typeof root.address === 'string' && root.address !== '') {
    const addr = root.address.startsWith('0x') ? root.address : `0x${root.address}`;
    if (!isAddress(addr, { strict: false })) throw new KeystoreError('invalid_keystore', 'keystore address is not an address');
    ks.address = addr.slice(2).toLowerCase();
  }
  return ks;
}

async function deriveKey(password: string, crypto: KeystoreV3['crypto']): Promise<Buffer> {
  const pw = Buffer.from(password, 'utf8');
  const salt = Buffer.from(crypto.kdfparams.salt, 'hex');
  if (crypto.kdf === 'scrypt') {
    const { n, r, p, dklen } = crypto.kdfparams;
    if ((n & (n - 1)) !== 0 || n < 2) throw new KeystoreError('invalid_keystore', 'scrypt n must be a power of 2');
    // Bound untrusted parameters: 2^20 × r 8 needs 1 GiB already.
    if (128 * n * r > 1024 * 1024 * 1024 || r * p >= 1 << 30) {
      throw new KeystoreError('unsupported_keystore', `scrypt parameters too large (n=${n}, r=${r}, p=${p})`);
    }
    const maxmem = Math.max(256 * 1024 * 1024, 2 * 128 * n * r + 32 * 1024 * 1024);
    return scryptAsync(pw, salt, dklen, { N: n, r, p, maxmem });
  }
  const { c, dklen } = crypto.kdfparams;
  if (c > 10_000_000) throw new KeystoreError('unsupported_keystore', `pbkdf2 iteration count too large (${c})`);
  return pbkdf2Async(pw, salt, c, dklen, 'sha256');
}

function mac(derived: Buffer, ciphertext: Buffer): Buffer {
  return Buffer.from(hexToBytes(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]))));
}

/** Decrypt a key file; throws KeystoreError('wrong_password') when the MAC does not match. */
export async function decryptKeystore(input: KeystoreV3 | string, password: string): Promise<DecryptedKey> {
  const ks = typeof input === 'string' ? parseKeystore(input) : parseKeystore(input as unknown);
  const derived = await deriveKey(password, ks.crypto);
  const ciphertext = Buffer.from(ks.crypto.ciphertext, 'hex');
  const expected = Buffer.from(ks.crypto.mac, 'hex');
  const actual = mac(derived, ciphertext);
  const who = ks.address ? ` for 0x${ks.address}` : '';
  if (!timingSafeEqual(expected, actual)) {
    throw new KeystoreError('wrong_password', `wrong password${who}: could not decrypt the key file`);
  }
  const decipher = createDecipheriv('aes-128-ctr', derived.subarray(0, 16), Buffer.from(ks.crypto.cipherparams.iv, 'hex'));
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (plain.length !== 32) throw new KeystoreError('invalid_keystore', `decrypted key has ${plain.length} bytes, expected 32`);
  const privateKey = bytesToHex(plain);
  plain.fill(0);
  const address = privateKeyToAddress(privateKey);
  if (ks.address && ks.address !== address.slice(2).toLowerCase()) {
    throw new KeystoreError('address_mismatch', `key file says 0x${ks.address} but its key belongs to ${address}`);
  }
  return { address, privateKey };
}

export interface EncryptOptions {
  kdf?: 'scrypt' | 'pbkdf2';
  /** Defaults to STANDARD_SCRYPT; tests may pass lighter parameters. */
  scrypt?: ScryptParams;
  /** PBKDF2 iteration count (default 262144). */
  pbkdf2Iterations?: number;
}

/** Encrypt a private key into a v3 key file object. */
export async function encryptKeystore(privateKey: Hex, password: string, options: EncryptOptions = {}): Promise<KeystoreV3> {
  if (!isHex(privateKey) || privateKey.length !== 66) throw new KeystoreError('invalid_keystore', 'private key must be 32 bytes of hex');
  const salt = randomBytes(32).toString('hex');
  const iv = randomBytes(16);
  const kdf = options.kdf ?? 'scrypt';
  const s = options.scrypt ?? STANDARD_SCRYPT;
  const kdfPart: ScryptKdf | Pbkdf2Kdf =
    kdf === 'scrypt'
      ? { kdf: 'scrypt', kdfparams: { dklen: 32, n: s.n, r: s.r, p: s.p, salt } }
      : { kdf: 'pbkdf2', kdfparams: { dklen: 32, c: options.pbkdf2Iterations ?? 262_144, prf: 'hmac-sha256', salt } };
  const draft = { cipher: 'aes-128-ctr' as const, ciphertext: '', cipherparams: { iv: iv.toString('hex') }, mac: '0'.repeat(64), ...kdfPart };
  const derived = await deriveKey(password, draft);
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const key = Buffer.from(hexToBytes(privateKey));
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  key.fill(0);
  return {
    version: 3,
    id: randomUUID(),
    address: privateKeyToAddress(privateKey).slice(2).toLowerCase(),
    crypto: { ...draft, ciphertext: ciphertext.toString('hex'), mac: mac(derived, ciphertext).toString('hex') },
  };
}

/** go-ethereum's key file name: UTC--<ISO time with '-' for ':' and nanoseconds>--<address hex>. */
export function keyFileName(address: Address, when: Date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const t =
    `${p(when.getUTCFullYear(), 4)}-${p(when.getUTCMonth() + 1)}-${p(when.getUTCDate())}` +
    `T${p(when.getUTCHours())}-${p(when.getUTCMinutes())}-${p(when.getUTCSeconds())}.${p(when.getUTCMilliseconds() * 1_000_000, 9)}Z`;
  return `UTC--${t}--${address.slice(2).toLowerCase()}`;
}

/** A key file found in a keystore directory. */
export interface KeyFileEntry {
  address: Address;
  path: string;
}

/** Read and validate one key file. */
export async function readKeyFile(path: string): Promise<KeystoreV3> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KeystoreError('key_not_found', `cannot read key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return parseKeystore(text);
  } catch (err) {
    throw new KeystoreError((err as KeystoreError).code ?? 'invalid_keystore', `${path}: ${(err as Error).message}`);
  }
}

/** Key files in a go-livepeer keystore directory, sorted by file name (oldest first); other files are skipped. */
export async function listKeyFiles(dir: string): Promise<KeyFileEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new KeystoreError('key_not_found', `cannot read keystore directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const entries: KeyFileEntry[] = [];
  for (const name of names.sort()) {
    // Like go-ethereum: skip hidden, editor backup and non-file entries.
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) continue;
    let ks: KeystoreV3;
    try {
      ks = parseKeystore(await readFile(path, 'utf8'));
    } catch {
      continue;
    }
    const hex = ks.address ?? /--([0-9a-fA-F]{40})$/.exec(name)?.[1];
    if (!hex) continue;
    entries.push({ address: getAddress(`0x${hex}`), path });
  }
  return entries;
}

/** Pick the key for `address` (go-livepeer's --ethAcctAddr), or the first one when no address is given. */
export function selectKeyFile(entries: readonly KeyFileEntry[], address?: string): KeyFileEntry {
  if (entries.length === 0) throw new KeystoreError('key_not_found', 'the keystore has no key files');
  if (address === undefined || address === '') return entries[0] as KeyFileEntry;
  const want = address.startsWith('0x') ? address : `0x${address}`;
  if (!isAddress(want, { strict: false })) throw new KeystoreError('invalid_keystore', `not an Ethereum address: ${address}`);
  const found = entries.find((e) => e.address.toLowerCase() === want.toLowerCase());
  if (!found) {
    throw new KeystoreError(
      'key_not_found',
      `no key file for ${getAddress(want)} (keystore has ${entries.map((e) => e.address).join(', ')})`,
    );
  }
  return found;
}

/** Write `keystore` into `dir` under go-ethereum's naming, mode 0600 (directory 0700); returns the path. */
export async function writeKeyFile(dir: string, keystore: KeystoreV3, when: Date = new Date()): Promise<string> {
  if (!keystore.address) throw new KeystoreError('invalid_keystore', 'keystore has no address');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, keyFileName(getAddress(`0x${keystore.address}`), when));
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  // Write then rename, so a crash never leaves a truncated key file under the real name.
  await writeFile(tmp, JSON.stringify(keystore), { mode: 0o600, flag: 'wx' });
  await rename(tmp, path);
  return path;
}

/** Generate a new account, encrypt it with `password`, and store it in `dir`. */
export async function createKeyFile(
  dir: string,
  password: string,
  options: EncryptOptions = {},
): Promise<KeyFileEntry> {
  const privateKey = generatePrivateKey();
  const ks = await encryptKeystore(privateKey, password, options);
  const path = await writeKeyFile(dir, ks);
  return { address: privateKeyToAddress(privateKey), path };
}

/** Find the key for `address` (or the first) in `dir` and decrypt it. */
export async function unlockKeystoreAccount(
  dir: string,
  password: string,
  address?: string,
): Promise<DecryptedKey & { path: string }> {
  const entry = selectKeyFile(await listKeyFiles(dir), address);
  const key = await decryptKeystore(await readKeyFile(entry.path), password);
  return { ...key, path: entry.path };
}
