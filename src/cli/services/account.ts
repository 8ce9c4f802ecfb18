// `gw account`: create and import keys, and show the gateway account (from the daemon, or the chain directly).
import { readFile, stat } from 'node:fs/promises';
import { isHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { ControlClient } from '../../api/controlClient.js';
import { checkDaemon } from '../../api/daemonState.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolveSettings, settingValues } from '../../lib/settings/resolveSettings.js';
import type { SettingValue, SettingValues } from '../../lib/settings/settings.js';
import type { AccountView } from '../../lib/chain/accountView.js';
import { ChainError } from '../../lib/chain/errors.js';
import { readAccountView } from '../../lib/chain/accountReader.js';
import { accountAddress, connectChain, resolveGatewayChainSettings, type ChainSettingValues } from '../../lib/chain/gatewaySettings.js';
import { formatRunway } from '../../lib/chain/runway.js';
import { decryptKeystore, encryptKeystore, KeystoreError, LIGHT_SCRYPT, listKeyFiles, readKeyFile, STANDARD_SCRYPT, writeKeyFile, type KeystoreV3 } from '../../lib/payments/keystore.js';
import { formatEth } from '../../lib/payments/units.js';
import { GwUserError } from '../baseCommand.js';
import { renderKeyValues } from '../render.js';
import { passwordForCommand } from './password.js';

/** Settings as a fresh daemon start would see them (env + config file + defaults). */
function currentSettings(paths: GwPaths): SettingValues {
  return settingValues(resolveSettings({ configFile: paths.configFile }));
}

function str(v: SettingValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function chainValues(values: SettingValues): ChainSettingValues {
  return {
    network: str(values.network),
    ethUrl: str(values.ethUrl),
    ethController: str(values.ethController),
    keystore: str(values.keystore),
    ethAddr: str(values.ethAddr),
  };
}

/** The directory new keys go to: --keystore, else the configured keystore directory, else <dataDir>/keystore. */
async function keystoreDirFor(paths: GwPaths, flag: string | undefined): Promise<string> {
  if (flag) return flag;
  const configured = str(currentSettings(paths).keystore);
  if (!configured) return paths.keystoreDir;
  const st = await stat(configured).catch(() => undefined);
  if (st && !st.isDirectory()) {
    throw new GwUserError(`the configured keystore ${configured} is a single key file: pass --keystore <dir> to choose where the new key goes`);
  }
  return configured;
}

function keyError(err: unknown): never {
  if (err instanceof KeystoreError || err instanceof ChainError) throw new GwUserError(err.message, err instanceof KeystoreError ? err.code : 'chain_error');
  throw err;
}

/** --password-file, else the passwordFile setting. */
function passwordFileFor(paths: GwPaths, flag: string | undefined): { passwordFile?: string } {
  const file = flag ?? str(currentSettings(paths).passwordFile);
  return file ? { passwordFile: file } : {};
}

export interface NewKeyResult {
  address: string;
  path: string;
  keystore: string;
}

async function storeKey(dir: string, ks: KeystoreV3): Promise<NewKeyResult> {
  const address = `0x${ks.address}`;
  const existing = (await listKeyFiles(dir)).find((e) => e.address.toLowerCase() === address.toLowerCase());
  if (existing) throw new GwUserError(`${existing.address} is already in the keystore (${existing.path})`, 'exists');
  const path = await writeKeyFile(dir, ks);
  const entry = (await listKeyFiles(dir)).find((e) => e.path === path);
  return { address: entry?.address ?? address, path, keystore: dir };
}

/** Generates a key, encrypts it (scrypt; light parameters only when asked) and writes it 0600 into the keystore. */
export async function createAccount(opts: { paths: GwPaths; keystore?: string; passwordFile?: string; lightKdf?: boolean }): Promise<NewKeyResult> {
  const dir = await keystoreDirFor(opts.paths, opts.keystore);
  const password = await passwordForCommand({ purpose: 'create', ...passwordFileFor(opts.paths, opts.passwordFile) }).catch(keyError);
  const ks = await encryptKeystore(generatePrivateKey(), password, { scrypt: opts.lightKdf ? LIGHT_SCRYPT : STANDARD_SCRYPT });
  return storeKey(dir, ks);
}

/** Adds an existing key: a v3 key file is copied as it is; a raw private key is encrypted with a new password. */
export async function importAccount(opts: {
  paths: GwPaths;
  keyFile?: string;
  privateKeyFile?: string;
  keystore?: string;
  passwordFile?: string;
  lightKdf?: boolean;
}): Promise<NewKeyResult & { encrypted: boolean }> {
  if (Boolean(opts.keyFile) === Boolean(opts.privateKeyFile)) {
    throw new GwUserError('give either a key file (v3 JSON) or --private-key-file <file>', 'usage');
  }
  const dir = await keystoreDirFor(opts.paths, opts.keystore);
  if (opts.keyFile) {
    const ks = await readKeyFile(opts.keyFile).catch(keyError);
    if (!ks.address) {
      // Without an address in the file, only decrypting tells which account it is.
      const password = await passwordForCommand({ purpose: 'unlock', ...passwordFileFor(opts.paths, opts.passwordFile) }).catch(keyError);
      const key = await decryptKeystore(ks, password).catch(keyError);
      ks.address = key.address.slice(2).toLowerCase();
    }
    return { ...(await storeKey(dir, ks)), encrypted: false };
  }
  let text: string;
  try {
    text = (await readFile(opts.privateKeyFile as string, 'utf8')).trim();
  } catch (err) {
    throw new GwUserError(`cannot read ${opts.privateKeyFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const hex = (text.startsWith('0x') ? text : `0x${text}`) as Hex;
  if (!isHex(hex) || hex.length !== 66) {
    throw new GwUserError(`${opts.privateKeyFile} does not hold a private key (expected 64 hex digits)`, 'invalid_keystore');
  }
  try {
    privateKeyToAddress(hex);
  } catch {
    throw new GwUserError(`${opts.privateKeyFile} does not hold a valid secp256k1 private key`, 'invalid_keystore');
  }
  const password = await passwordForCommand({ purpose: 'create', ...passwordFileFor(opts.paths, opts.passwordFile) }).catch(keyError);
  const ks = await encryptKeystore(hex, password, { scrypt: opts.lightKdf ? LIGHT_SCRYPT : STANDARD_SCRYPT });
  return { ...(await storeKey(dir, ks)), encrypted: true };
}

/** GET /v1/account through the control API. */
export function fetchAccount(client: ControlClient, poolSize?: number): Promise<AccountView> {
  return client.account(poolSize !== undefined ? { poolSize } : {});
}

/** The account from the running daemon (with its spend rate), else read from the chain with the configured settings. */
export async function showAccount(paths: GwPaths, options: { poolSize?: number } = {}): Promise<AccountView> {
  if (checkDaemon(paths).state === 'running') return fetchAccount(ControlClient.forPaths(paths, 30_000), options.poolSize);
  const values = currentSettings(paths);
  try {
    const settings = await resolveGatewayChainSettings(chainValues(values), paths);
    if (!settings) {
      throw new GwUserError('this gateway is configured off-chain: no account or deposit (set --network devnet or arbitrum-one-mainnet)', 'offchain');
    }
    const address = await accountAddress(settings.account);
    const client = await connectChain(settings);
    return await readAccountView(client, address, {
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
      depositMultiplier: values.depositMultiplier,
      maxFaceValueSeenWei: null,
      spend: null,
      source: 'chain',
    });
  } catch (err) {
    return keyError(err);
  }
}

function stateLine(v: AccountView): string {
  switch (v.senderState) {
    case 'Empty':
      return 'Empty (no deposit or reserve)';
    case 'Locked':
      return 'Locked (funds available for work)';
    case 'Unlocking':
      return `Unlocking: withdrawal opens in round ${v.withdrawRound} — the gateway cannot pay for work`;
    case 'Unlocked':
      return `Unlocked since round ${v.withdrawRound}: ready to withdraw`;
  }
}

/** Account state for people: balances, sender state, rounds, runway, reserve guidance and warnings. */
export function renderAccount(v: AccountView): string {
  const g = v.reserveGuidance;
  const runway = v.runway ? v.runway.text : formatRunway(null, 'unknown — no spend yet (the daemon is not running)');
  const pairs: Array<[string, string]> = [
    ['Address', v.address],
    ['Network', `${v.network} (chain ${v.chainId})`],
    ['ETH balance', formatEth(BigInt(v.ethBalanceWei))],
    ['Deposit', formatEth(BigInt(v.depositWei))],
    ['Reserve', `${formatEth(BigInt(v.reserveWei))} (${formatEth(BigInt(g.perOrchestratorWei))} per orchestrator, pool of ${g.poolSize})`],
    ['State', stateLine(v)],
    ['Withdraw round', v.withdrawRound ?? 'none (no unlock in progress)'],
    ['Round', `${v.currentRound} (unlock period ${v.unlockPeriod} rounds)`],
    ['Runway', runway],
    ['Recommended reserve', `${formatEth(BigInt(g.recommendedReserveWei))} (3 gwei × 1.2M gas × ${g.poolSize} orchestrator${g.poolSize === 1 ? '' : 's'})`],
  ];
  if (v.payError) pairs.push(['Cannot pay', v.payError]);
  const warnings = g.warnings.map((w) => `warning: ${w}`);
  return [renderKeyValues(pairs), ...warnings].join('\n');
}
