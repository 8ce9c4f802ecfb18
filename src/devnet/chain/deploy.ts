// Deploys the devnet protocol contracts from one account and wires them through the Controller.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  keccak256,
  toBytes,
  toHex,
  type Abi,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import artifactsJson from './artifacts.json' with { type: 'json' };
import { controllerAdminAbi, roundsManagerAdminAbi, ticketBrokerAdminAbi } from './devnetAbi.js';
import { roundsManagerAbi } from '../../lib/chain/abi.js';

/** Addresses of a deployed devnet. */
export interface DevnetContracts {
  controller: Address;
  ticketBroker: Address;
  roundsManager: Address;
  bondingManager: Address;
  serviceRegistry: Address;
  /**
   * AggregatorV3-compatible ETH/USD feed (DevnetPriceFeed) for USD prices. Not registered in the Controller (as on
   * mainnet), so it is recorded here only in devnet.json, for the gateway to find; absent in older devnet.json files.
   */
  priceFeed?: Address;
}

export interface DeployOptions {
  rpcUrl: string;
  chainId: number;
  /** Deployer and owner of every contract (devnet account #0 by convention). */
  deployerKey: Hex;
  /** Blocks per round; large by default so rounds move only through setRound/advanceRounds. */
  roundLength?: bigint;
  unlockPeriod?: bigint;
  ticketValidityPeriod?: bigint;
  /** Orchestrators sharing each sender's reserve. */
  activeOrchestrators?: bigint;
  /** Initial ETH/USD answer of the devnet price feed, with DEVNET_PRICE_FEED_DECIMALS decimals (default 3000 USD). */
  ethUsdAnswer?: bigint;
}

export interface DeployResult {
  /** The protocol contracts the Controller knows. */
  contracts: DevnetContracts;
  /** The ETH/USD feed (DevnetPriceFeed). */
  priceFeed: Address;
  /** Current (initialized) round after deployment. */
  round: bigint;
  deployMs: number;
}

interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

const artifacts = artifactsJson as unknown as { contracts: Record<string, Artifact> };

/** Registered names, as Livepeer's Controller ids are keccak256(name). */
export const DEVNET_CONTRACT_NAMES = ['TicketBroker', 'RoundsManager', 'BondingManager', 'ServiceRegistry'] as const;

/** Decimals of the devnet ETH/USD feed (Chainlink's ETH/USD feeds use 8). */
export const DEVNET_PRICE_FEED_DECIMALS = 8;
/** 3000 USD per ETH at 8 decimals. */
export const DEVNET_ETH_USD_ANSWER = 3000n * 10n ** 8n;

const GIT_COMMIT_MARKER = toHex('gw-devnet', { size: 20 });

/** A viem chain object for a local node. */
export function localChainDefinition(rpcUrl: string, chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: 'gw devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** The compiled artifact of one devnet contract. */
export function devnetArtifact(name: string): Artifact {
  const a = artifacts.contracts[name];
  if (!a) throw new Error(`no compiled artifact for ${name}; run src/devnet/chain/compileMain.ts`);
  return a;
}

async function mined(client: PublicClient, hash: Hash, what: string) {
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== 'success') throw new Error(`devnet deploy: ${what} reverted (tx ${hash})`);
  return receipt;
}

/** Deploy Controller, RoundsManager, TicketBroker, BondingManager, ServiceRegistry and the ETH/USD feed; register; initialize round 1. */
export async function deployDevnet(options: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const chain = localChainDefinition(options.rpcUrl, options.chainId);
  const account = privateKeyToAccount(options.deployerKey);
  const publicClient = createPublicClient({ chain, transport: http(options.rpcUrl, { retryCount: 0 }), pollingInterval: 20 });
  const wallet = createWalletClient({ chain, account, transport: http(options.rpcUrl, { retryCount: 0 }) });

  const deploy = async (name: string, args: readonly unknown[]): Promise<Address> => {
    const { abi, bytecode } = devnetArtifact(name);
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await mined(publicClient, hash, `deploy ${name}`);
    if (!receipt.contractAddress) throw new Error(`devnet deploy: ${name} has no contract address`);
    return getAddress(receipt.contractAddress);
  };

  const controller = await deploy('Controller', []);
  const roundsManager = await deploy('RoundsManager', [options.roundLength ?? 100_000n]);
  const ticketBroker = await deploy('TicketBroker', [
    controller,
    options.unlockPeriod ?? 2n,
    options.ticketValidityPeriod ?? 2n,
  ]);
  const bondingManager = await deploy('BondingManager', []);
  const serviceRegistry = await deploy('ServiceRegistry', []);
  const priceFeed = await deploy('DevnetPriceFeed', [DEVNET_PRICE_FEED_DECIMALS, options.ethUsdAnswer ?? DEVNET_ETH_USD_ANSWER]);
  const contracts: DevnetContracts = { controller, ticketBroker, roundsManager, bondingManager, serviceRegistry };

  const byName: Record<(typeof DEVNET_CONTRACT_NAMES)[number], Address> = {
    TicketBroker: ticketBroker,
    RoundsManager: roundsManager,
    BondingManager: bondingManager,
    ServiceRegistry: serviceRegistry,
  };
  for (const name of DEVNET_CONTRACT_NAMES) {
    const hash = await wallet.writeContract({
      address: controller,
      abi: controllerAdminAbi,
      functionName: 'setContractInfo',
      args: [keccak256(toBytes(name)), byName[name], GIT_COMMIT_MARKER],
    });
    await mined(publicClient, hash, `register ${name}`);
  }

  if (options.activeOrchestrators !== undefined && options.activeOrchestrators !== 1n) {
    const hash = await wallet.writeContract({
      address: ticketBroker,
      abi: ticketBrokerAdminAbi,
      functionName: 'setActiveOrchestrators',
      args: [options.activeOrchestrators],
    });
    await mined(publicClient, hash, 'setActiveOrchestrators');
  }

  const current = await publicClient.readContract({ address: roundsManager, abi: roundsManagerAbi, functionName: 'currentRound' });
  if (current < 1n) {
    const hash = await wallet.writeContract({
      address: roundsManager,
      abi: roundsManagerAdminAbi,
      functionName: 'setRound',
      args: [1n],
    });
    await mined(publicClient, hash, 'setRound');
  }
  const init = await wallet.writeContract({ address: roundsManager, abi: roundsManagerAdminAbi, functionName: 'initializeRound' });
  await mined(publicClient, init, 'initializeRound');
  const round = await publicClient.readContract({ address: roundsManager, abi: roundsManagerAbi, functionName: 'currentRound' });

  return { contracts, priceFeed, round, deployMs: Math.round(performance.now() - started) };
}
