// Unlocking the gateway's account from a keystore (directory or key file), and where its password comes from.
// Passwords and keys never reach logs or error messages.
import { readFile, stat } from 'node:fs/promises';
import { getAddress, type Address, type Hex, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { localSigner, type LocalSigner } from '../protocol/signer.js';
import { decryptKeystore, KeystoreError, listKeyFiles, readKeyFile, selectKeyFile } from './keystore.js';

/** Environment variable holding the keystore password (after --password-file). */
export const PASSWORD_ENV = 'GW_ETH_PASSWORD';

/** The unlocked gateway account: ticket signer and transaction account over the same key. */
export interface GatewayAccount {
  address: Address;
  /** Signs ticket and request hashes. */
  signer: LocalSigner;
  /** Signs transactions (viem); holds the key without exposing it. */
  account: LocalAccount;
  /** Key file it came from; undefined for a devnet dev account. */
  keyFile?: string;
}

export interface UnlockOptions {
  /** Keystore directory or a single key file. */
  keystore: string;
  /** Account to pick when the directory holds several. */
  ethAddr?: string;
  password: string;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KeystoreError('key_not_found', `keystore ${path} does not exist: create an account with \`gw account create\``);
    }
    throw new KeystoreError('key_not_found', `cannot read keystore ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** The key file the gateway would use, and its address, without decrypting anything. */
export async function locateKeyFile(keystore: string, ethAddr?: string): Promise<{ address: Address; path: string }> {
  if (await isDirectory(keystore)) {
    const entries = await listKeyFiles(keystore);
    if (entries.length === 0) {
      throw new KeystoreError(
        'key_not_found',
        `the keystore ${keystore} has no key files: create one with \`gw account create\` or add one with \`gw account import\``,
      );
    }
    return selectKeyFile(entries, ethAddr);
  }
  const ks = await readKeyFile(keystore);
  if (!ks.address) throw new KeystoreError('invalid_keystore', `key file ${keystore} does not name its address`);
  const address = getAddress(`0x${ks.address}`);
  if (ethAddr && address.toLowerCase() !== (ethAddr.startsWith('0x') ? ethAddr : `0x${ethAddr}`).toLowerCase()) {
    throw new KeystoreError('key_not_found', `key file ${keystore} holds ${address}, not ${ethAddr}`);
  }
  return { address, path: keystore };
}

/** Account over an in-memory private key (devnet dev accounts). */
export function accountFromPrivateKey(privateKey: Hex): GatewayAccount {
  const signer = localSigner(privateKey);
  const account = privateKeyToAccount(privateKey);
  return { address: account.address, signer, account };
}

/**
 * Decrypts the gateway's key (scrypt runs on the libuv thread pool, off the event loop) and builds its
 * signer. Throws KeystoreError ('wrong_password', 'key_not_found', …) with a message naming files and addresses only.
 */
export async function unlockGatewayAccount(options: UnlockOptions): Promise<GatewayAccount> {
  const entry = await locateKeyFile(options.keystore, options.ethAddr);
  const key = await decryptKeystore(await readKeyFile(entry.path), options.password);
  if (key.address !== entry.address) {
    throw new KeystoreError('address_mismatch', `key file ${entry.path} is named for ${entry.address} but holds ${key.address}`);
  }
  return { ...accountFromPrivateKey(key.privateKey), keyFile: entry.path };
}

/** Reads a password file: its content without one trailing newline. */
export async function readPasswordFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KeystoreError('key_not_found', `cannot read password file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new KeystoreError('invalid_keystore', `password file ${path} is empty`);
  return password;
}

export type PasswordSource = 'stdin' | 'file' | 'env';

/**
 * The password from the non-interactive sources, in order: a password handed over on stdin by `gw start`,
 * the password file, then GW_ETH_PASSWORD. Undefined when none is set (the caller decides whether to prompt).
 */
export async function passwordFromSources(options: {
  handedOver?: string;
  passwordFile?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<{ password: string; source: PasswordSource } | undefined> {
  if (options.handedOver !== undefined && options.handedOver !== '') return { password: options.handedOver, source: 'stdin' };
  if (options.passwordFile) return { password: await readPasswordFile(options.passwordFile), source: 'file' };
  const env = (options.env ?? process.env)[PASSWORD_ENV];
  if (env !== undefined && env !== '') return { password: env, source: 'env' };
  return undefined;
}
