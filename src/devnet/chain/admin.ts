// Devnet-only operations: move rounds, register orchestrators, set the price feed. Owner calls use the deployer's key.
import { createPublicClient, createWalletClient, http, type Address, type Hash, type Hex, type PublicClient, type WalletClient, type Account, type Chain, type Transport } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { roundsManagerAbi } from '../../lib/chain/abi.js';
import { localChainDefinition, type DevnetContracts } from './deploy.js';
import { bondingManagerAdminAbi, priceFeedAdminAbi, roundsManagerAdminAbi, serviceRegistryAdminAbi, ticketBrokerAdminAbi } from './devnetAbi.js';
import type { DevAccount } from './localChain.js';

/** Connection to a devnet acting as one account. */
export interface DevnetSigner {
  rpcUrl: string;
  chainId: number;
  privateKey: Hex;
  contracts: DevnetContracts;
}

/** The devnet owner (the deployer: the chain's first dev account) acting on `contracts`. */
export function devnetOwner(chain: { rpcUrl: string; chainId: number; accounts: readonly DevAccount[] }, contracts: DevnetContracts): DevnetSigner {
  const deployer = chain.accounts[0];
  if (!deployer) throw new Error('devnet: the chain has no dev accounts');
  return { rpcUrl: chain.rpcUrl, chainId: chain.chainId, privateKey: deployer.privateKey, contracts };
}

type DevnetWallet = WalletClient<Transport, Chain, Account>;

function clients(s: DevnetSigner): { publicClient: PublicClient; wallet: DevnetWallet } {
  const chain = localChainDefinition(s.rpcUrl, s.chainId);
  const account = privateKeyToAccount(s.privateKey);
  return {
    publicClient: createPublicClient({ chain, transport: http(s.rpcUrl, { retryCount: 0 }), pollingInterval: 20 }) as PublicClient,
    wallet: createWalletClient({ chain, account, transport: http(s.rpcUrl, { retryCount: 0 }) }),
  };
}

/** Sends the transaction `send` makes as `s` and waits for it (a revert throws naming `what`). */
async function transact(s: DevnetSigner, what: string, send: (wallet: DevnetWallet) => Promise<Hash>): Promise<PublicClient> {
  const { publicClient, wallet } = clients(s);
  const hash = await send(wallet);
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== 'success') throw new Error(`devnet: ${what} reverted (tx ${hash})`);
  return publicClient;
}

/** Move the current round forward by `n` (owner only) and, by default, initialize the new round. */
export async function advanceRounds(owner: DevnetSigner, n: bigint, initialize = true): Promise<bigint> {
  const address = owner.contracts.roundsManager;
  let publicClient = await transact(owner, 'advanceRounds', (w) => w.writeContract({ address, abi: roundsManagerAdminAbi, functionName: 'advanceRounds', args: [n] }));
  if (initialize) publicClient = await transact(owner, 'initializeRound', (w) => w.writeContract({ address, abi: roundsManagerAdminAbi, functionName: 'initializeRound' }));
  return publicClient.readContract({ address, abi: roundsManagerAbi, functionName: 'currentRound' });
}

/** Put `orchestrator` in the BondingManager pool with `stake` (owner only). */
export async function registerInPool(owner: DevnetSigner, orchestrator: Address, stake: bigint): Promise<void> {
  await transact(owner, 'register', (w) =>
    w.writeContract({ address: owner.contracts.bondingManager, abi: bondingManagerAdminAbi, functionName: 'register', args: [orchestrator, stake] }),
  );
}

/** Publish the signer's own service URI in the ServiceRegistry. */
export async function setServiceUri(orchestrator: DevnetSigner, uri: string): Promise<void> {
  await transact(orchestrator, 'setServiceURI', (w) =>
    w.writeContract({ address: orchestrator.contracts.serviceRegistry, abi: serviceRegistryAdminAbi, functionName: 'setServiceURI', args: [uri] }),
  );
}

/** Set how many orchestrators share each sender's reserve (owner only). */
export async function setActiveOrchestrators(owner: DevnetSigner, count: bigint): Promise<void> {
  await transact(owner, 'setActiveOrchestrators', (w) =>
    w.writeContract({ address: owner.contracts.ticketBroker, abi: ticketBrokerAdminAbi, functionName: 'setActiveOrchestrators', args: [count] }),
  );
}

/** Publish a new ETH/USD answer on the devnet price feed `feed` (owner only); returns once mined. */
export async function setEthUsdAnswer(owner: DevnetSigner, feed: Address, answer: bigint): Promise<void> {
  await transact(owner, 'setAnswer', (w) => w.writeContract({ address: feed, abi: priceFeedAdminAbi, functionName: 'setAnswer', args: [answer] }));
}
