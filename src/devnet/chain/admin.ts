// Devnet-only operations: move rounds, register orchestrators. Owner calls use the deployer's key.
import { createPublicClient, createWalletClient, http, type Address, type Hash, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { roundsManagerAbi } from '../../core/chain/abi.js';
import { localChainDefinition, type DevnetContracts } from './deploy.js';
import { bondingManagerAdminAbi, priceFeedAdminAbi, roundsManagerAdminAbi, serviceRegistryAdminAbi, ticketBrokerAdminAbi } from './devnetAbi.js';

/** Connection to a devnet acting as one account. */
export interface DevnetSigner {
  rpcUrl: string;
  chainId: number;
  privateKey: Hex;
  contracts: DevnetContracts;
}

function clients(s: DevnetSigner) {
  const chain = localChainDefinition(s.rpcUrl, s.chainId);
  const account = privateKeyToAccount(s.privateKey);
  return {
    publicClient: createPublicClient({ chain, transport: http(s.rpcUrl, { retryCount: 0 }), pollingInterval: 20 }) as PublicClient,
    wallet: createWalletClient({ chain, account, transport: http(s.rpcUrl, { retryCount: 0 }) }),
  };
}

async function confirm(publicClient: PublicClient, hash: Hash, what: string): Promise<void> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== 'success') throw new Error(`devnet: ${what} reverted (tx ${hash})`);
}

/** Move the current round forward by `n` (owner only) and, by default, initialize the new round. */
export async function advanceRounds(owner: DevnetSigner, n: bigint, initialize = true): Promise<bigint> {
  const { publicClient, wallet } = clients(owner);
  const address = owner.contracts.roundsManager;
  await confirm(
    publicClient,
    await wallet.writeContract({ address, abi: roundsManagerAdminAbi, functionName: 'advanceRounds', args: [n] }),
    'advanceRounds',
  );
  if (initialize) {
    await confirm(
      publicClient,
      await wallet.writeContract({ address, abi: roundsManagerAdminAbi, functionName: 'initializeRound' }),
      'initializeRound',
    );
  }
  return publicClient.readContract({ address, abi: roundsManagerAbi, functionName: 'currentRound' });
}

/** Put `orchestrator` in the BondingManager pool with `stake` (owner only). */
export async function registerInPool(owner: DevnetSigner, orchestrator: Address, stake: bigint): Promise<void> {
  const { publicClient, wallet } = clients(owner);
  await confirm(
    publicClient,
    await wallet.writeContract({
      address: owner.contracts.bondingManager,
      abi: bondingManagerAdminAbi,
      functionName: 'register',
      args: [orchestrator, stake],
    }),
    'register',
  );
}

/** Publish the signer's own service URI in the ServiceRegistry. */
export async function setServiceUri(orchestrator: DevnetSigner, uri: string): Promise<void> {
  const { publicClient, wallet } = clients(orchestrator);
  await confirm(
    publicClient,
    await wallet.writeContract({
      address: orchestrator.contracts.serviceRegistry,
      abi: serviceRegistryAdminAbi,
      functionName: 'setServiceURI',
      args: [uri],
    }),
    'setServiceURI',
  );
}

/** Set how many orchestrators share each sender's reserve (owner only). */
export async function setActiveOrchestrators(owner: DevnetSigner, count: bigint): Promise<void> {
  const { publicClient, wallet } = clients(owner);
  await confirm(
    publicClient,
    await wallet.writeContract({
      address: owner.contracts.ticketBroker,
      abi: ticketBrokerAdminAbi,
      functionName: 'setActiveOrchestrators',
      args: [count],
    }),
    'setActiveOrchestrators',
  );
}

/** Publish a new ETH/USD answer on the devnet price feed `feed` (owner only); returns once mined. */
export async function setEthUsdAnswer(owner: DevnetSigner, feed: Address, answer: bigint): Promise<void> {
  const { publicClient, wallet } = clients(owner);
  await confirm(
    publicClient,
    await wallet.writeContract({ address: feed, abi: priceFeedAdminAbi, functionName: 'setAnswer', args: [answer] }),
    'setAnswer',
  );
}
