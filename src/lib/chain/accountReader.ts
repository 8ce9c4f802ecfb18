// Reads the gateway account's funding view straight from the chain: used by the daemon and by `gw account`
// when no daemon runs.
import type { Address } from 'viem';
import { bondingManagerAbi } from './abi.js';
import { buildAccountView, MAINNET_POOL_SIZE, type AccountView, type PoolSizeSource } from './accountView.js';
import type { ChainClient } from './chainClient.js';
import { toChainError } from './errors.js';
import { ARBITRUM_ONE_MAINNET } from './networks.js';
import type { SpendWindow } from './runway.js';

/** Orchestrators sharing the reserve: --pool-size, else 100 on Arbitrum One, else the devnet's registered pool. */
export async function poolSizeFor(client: ChainClient, override?: number): Promise<{ poolSize: number; source: PoolSizeSource }> {
  if (override !== undefined) return { poolSize: override, source: 'flag' };
  if (client.network.name === ARBITRUM_ONE_MAINNET.name) return { poolSize: MAINNET_POOL_SIZE, source: 'mainnet default' };
  try {
    const n = await client.publicClient.readContract({
      address: client.contracts.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'getTranscoderPoolSize',
    });
    return { poolSize: Math.max(1, Number(n)), source: 'devnet orchestrators' };
  } catch (err) {
    throw toChainError('BondingManager.getTranscoderPoolSize', err);
  }
}

/** Reads everything the account view needs from the chain, plus daemon data when given. */
export async function readAccountView(
  client: ChainClient,
  address: Address,
  extra: {
    poolSize?: number;
    depositMultiplier: number;
    maxFaceValueSeenWei: bigint | null;
    spend: { rate: ReturnType<SpendWindow['rate']>; windowMs: number } | null;
    source: 'daemon' | 'chain';
  },
): Promise<AccountView> {
  const [status, lastInitializedRound, unlockPeriod, balanceWei, block, pool, gasPriceWei] = await Promise.all([
    client.getSenderStatus(address),
    client.lastInitializedRound(),
    client.unlockPeriod(),
    client.balance(address),
    client.latestBlock(),
    poolSizeFor(client, extra.poolSize),
    client.publicClient.getGasPrice().catch(() => null),
  ]);
  return buildAccountView({
    network: client.network.name,
    chainId: client.chainId,
    address,
    balanceWei,
    info: status.info,
    currentRound: status.currentRound,
    lastInitializedRound,
    unlockPeriod,
    blockNumber: block.number,
    poolSize: pool.poolSize,
    poolSizeSource: pool.source,
    gasPriceWei,
    depositMultiplier: extra.depositMultiplier,
    maxFaceValueSeenWei: extra.maxFaceValueSeenWei,
    spend: extra.spend,
    source: extra.source,
  });
}
