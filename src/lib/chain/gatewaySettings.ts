// Where the gateway's chain settings come from: network, RPC, Controller and account, with a devnet's
// devnet.json filling what is not configured.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getAddress, isAddress, isHex, type Address, type Hex } from 'viem';
import type { GwPaths } from '../settings/paths.js';
import { locateKeyFile, type GatewayAccount } from '../payments/accountUnlock.js';
import { listKeyFiles } from '../payments/keystore.js';
import { createChainClient, type ChainClient } from './chainClient.js';
import { ChainError } from './errors.js';
import { ARBITRUM_ONE_MAINNET } from './networks.js';

export type OnChainNetwork = 'devnet' | 'arbitrum-one-mainnet';

/** Where the gateway's key comes from. */
export type AccountSource =
  | { kind: 'keystore'; keystore: string; ethAddr?: string }
  /** A public devnet key from devnet.json (only on network devnet, when no keystore is configured). */
  | { kind: 'dev'; address: Address; privateKey: Hex; devnetFile: string };

/** Network, RPC, Controller and account after defaults and devnet.json are applied. */
export interface GatewayChainSettings {
  network: OnChainNetwork;
  rpcUrl: string;
  controller: Address;
  account: AccountSource;
}

/** The chain settings as configured (`gw start` flags, env, config file). */
export interface ChainSettingValues {
  network?: string;
  ethUrl?: string;
  ethController?: string;
  keystore?: string;
  ethAddr?: string;
}

/** What `gw devnet up` leaves in <dataDir>/devnet/devnet.json, as far as the gateway needs it. */
export interface DevnetInfo {
  file: string;
  rpcUrl: string;
  controller: Address;
  accounts: Array<{ address: Address; privateKey: Hex }>;
}

/** Reads <dataDir>/devnet/devnet.json; undefined when there is none. */
export async function readDevnetInfo(paths: GwPaths): Promise<DevnetInfo | undefined> {
  const file = join(paths.devnetDir, 'devnet.json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ChainError(`cannot read ${file}: ${(err as Error).message}`, { code: 'invalid_setting' });
  }
  const chain = (json.chain ?? json) as Record<string, unknown>;
  const contracts = (chain.contracts ?? json.contracts ?? {}) as Record<string, unknown>;
  const rpcUrl = chain.rpcUrl;
  const controller = contracts.controller;
  if (typeof rpcUrl !== 'string' || typeof controller !== 'string' || !isAddress(controller, { strict: false })) {
    throw new ChainError(`${file} has no chain.rpcUrl and chain.contracts.controller: run \`gw devnet up\` again`, { code: 'invalid_setting' });
  }
  const accounts = (Array.isArray(json.accounts) ? json.accounts : [])
    .filter((a): a is { address: string; privateKey: string } => {
      const r = a as Record<string, unknown>;
      return typeof r.address === 'string' && typeof r.privateKey === 'string' && isHex(r.privateKey) && r.privateKey.length === 66;
    })
    .map((a) => ({ address: getAddress(a.address), privateKey: a.privateKey as Hex }));
  return { file, rpcUrl, controller: getAddress(controller), accounts };
}

/**
 * Resolves network, RPC, Controller and account; null for `offchain`. Arbitrum One needs --eth-url; a devnet
 * takes what is not configured from devnet.json. The account is the configured keystore, else the default
 * keystore directory when it holds keys, else (devnet only) the first dev account of devnet.json.
 */
export async function resolveGatewayChainSettings(values: ChainSettingValues, paths: GwPaths): Promise<GatewayChainSettings | null> {
  const name = values.network ?? 'offchain';
  if (name === 'offchain') return null;
  if (name !== 'devnet' && name !== 'arbitrum-one-mainnet') {
    throw new ChainError(`unknown network "${name}" (known: offchain, devnet, ${ARBITRUM_ONE_MAINNET.name})`, { code: 'invalid_setting' });
  }
  const network: OnChainNetwork = name;
  const ethAddr = values.ethAddr;
  const keystoreAccount = (keystore: string): AccountSource => ({ kind: 'keystore', keystore, ...(ethAddr ? { ethAddr } : {}) });
  let account: AccountSource | undefined;
  if (values.keystore) account = keystoreAccount(values.keystore);
  else if ((await listKeyFiles(paths.keystoreDir).catch(() => [])).length > 0) account = keystoreAccount(paths.keystoreDir);

  if (network === 'arbitrum-one-mainnet') {
    if (!values.ethUrl) {
      throw new ChainError(`network ${network} needs --eth-url: the JSON-RPC URL of an Arbitrum One node or provider`, { code: 'invalid_setting' });
    }
    if (!account) {
      throw new ChainError(`no gateway account in ${paths.keystoreDir}: create one with \`gw account create\` or pass --keystore`, { code: 'invalid_setting' });
    }
    return {
      network,
      rpcUrl: values.ethUrl,
      controller: getAddress(values.ethController ?? ARBITRUM_ONE_MAINNET.controller),
      account,
    };
  }

  const devnet = values.ethUrl && values.ethController && account ? undefined : await readDevnetInfo(paths);
  const rpcUrl = values.ethUrl ?? devnet?.rpcUrl;
  const controller = values.ethController ?? devnet?.controller;
  if (!rpcUrl || !controller) {
    throw new ChainError(
      `network devnet needs --eth-url and --eth-controller, or a devnet started with \`gw devnet up\` (no ${join(paths.devnetDir, 'devnet.json')})`,
      { code: 'invalid_setting' },
    );
  }
  if (!account) {
    const dev = devnet?.accounts[0];
    if (!dev || !devnet) {
      throw new ChainError('no gateway account: pass --keystore, create one with `gw account create`, or start a devnet with `gw devnet up`', { code: 'invalid_setting' });
    }
    account = { kind: 'dev', address: dev.address, privateKey: dev.privateKey, devnetFile: devnet.file };
  }
  return { network, rpcUrl, controller: getAddress(controller), account };
}

/** Address of the configured account without unlocking it. */
export async function accountAddress(source: AccountSource): Promise<Address> {
  return source.kind === 'dev' ? source.address : (await locateKeyFile(source.keystore, source.ethAddr)).address;
}

/** Connects a chain client for `settings` (an account, when given, signs transactions). */
export function connectChain(settings: GatewayChainSettings, account?: GatewayAccount): Promise<ChainClient> {
  const mainnet = settings.network === ARBITRUM_ONE_MAINNET.name;
  return createChainClient({
    rpcUrl: settings.rpcUrl,
    ...(mainnet ? { network: { ...ARBITRUM_ONE_MAINNET, controller: settings.controller } } : { controller: settings.controller }),
    ...(account ? { account: account.account } : {}),
    pollingIntervalMs: mainnet ? 1000 : 50,
  });
}

