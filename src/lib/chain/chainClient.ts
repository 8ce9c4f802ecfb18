// One object for the gateway's chain needs: resolved contracts, sender reads, funding writes, watching.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { latestBlock, type BlockInfo } from './blocks.js';
import { resolveProtocolAddresses, type ProtocolAddresses } from './controller.js';
import { ChainError, toChainError } from './errors.js';
import { ARBITRUM_ONE_MAINNET, devnetNetwork, type NetworkConfig } from './networks.js';
import { getBlockHashForRound, getCurrentRound, getLastInitializedRound } from './rounds.js';
import { checkSender, senderState, type SenderState, type SenderValidationError } from './senderState.js';
import * as broker from './ticketBroker.js';
import type { SenderInfo, SendingClient, TxReceipt } from './ticketBroker.js';
import { watchChain, type ChainWatchEvent } from './watcher.js';

export interface ChainClientOptions {
  rpcUrl: string;
  /** Network to expect; when omitted it is inferred from the RPC's chain id and `controller`. */
  network?: NetworkConfig;
  /** Controller address (required without `network`). */
  controller?: Address;
  /** Signing account (a viem Account or a private key) for funding transactions. */
  account?: Account | Hex;
  /** Receipt polling interval (viem's default is 4 s; a devnet wants less). */
  pollingIntervalMs?: number;
  /** Per-request RPC timeout. */
  requestTimeoutMs?: number;
}

/** A broadcast transaction: show `hash` at once, then `wait()` for the receipt. */
export interface PendingTx {
  hash: Hash;
  wait(options?: { timeoutMs?: number }): Promise<TxReceipt>;
}

/** Sender info with its derived state. */
export interface SenderStatus {
  address: Address;
  info: SenderInfo;
  state: SenderState;
  currentRound: bigint;
}

export interface ChainClient {
  network: NetworkConfig;
  chainId: number;
  contracts: ProtocolAddresses;
  publicClient: PublicClient;
  /** Address of the signing account, if any. */
  address: Address | undefined;
  getSenderInfo(sender?: Address): Promise<SenderInfo>;
  getSenderStatus(sender?: Address): Promise<SenderStatus>;
  /** go-livepeer's gateway sender check; null when the sender can pay. */
  checkSender(sender?: Address): Promise<SenderValidationError | null>;
  unlockPeriod(): Promise<bigint>;
  ticketValidityPeriod(): Promise<bigint>;
  currentRound(): Promise<bigint>;
  lastInitializedRound(): Promise<bigint>;
  blockHashForRound(round: bigint): Promise<Hex>;
  latestBlock(): Promise<BlockInfo>;
  latestL1Block(): Promise<bigint>;
  /** ETH balance in wei. */
  balance(address?: Address): Promise<bigint>;
  fundDeposit(amount: bigint): Promise<PendingTx>;
  fundReserve(amount: bigint): Promise<PendingTx>;
  fundDepositAndReserve(deposit: bigint, reserve: bigint): Promise<PendingTx>;
  fundDepositAndReserveFor(beneficiary: Address, deposit: bigint, reserve: bigint): Promise<PendingTx>;
  unlock(): Promise<PendingTx>;
  cancelUnlock(): Promise<PendingTx>;
  withdraw(): Promise<PendingTx>;
  waitForTx(hash: Hash, options?: { timeoutMs?: number }): Promise<TxReceipt>;
  /** Poll until `signal` aborts, reporting changes for `sender` (default: own address). */
  watch(options: {
    signal: AbortSignal;
    onEvent: (e: ChainWatchEvent) => void;
    intervalMs?: number;
    sender?: Address;
  }): Promise<void>;
}

function networkFor(chainId: number, options: ChainClientOptions): NetworkConfig {
  if (options.network) {
    if (options.network.chainId !== chainId) {
      throw new ChainError(
        `RPC ${options.rpcUrl} serves chain ${chainId}, but network ${options.network.name} is chain ${options.network.chainId}`,
        { code: 'invalid_setting' },
      );
    }
    return options.network;
  }
  if (!options.controller) throw new ChainError('a Controller address or a network is required', { code: 'invalid_setting' });
  if (chainId === ARBITRUM_ONE_MAINNET.chainId) return { ...ARBITRUM_ONE_MAINNET, controller: getAddress(options.controller) };
  return devnetNetwork(options.controller, chainId);
}

/** Connect to `rpcUrl`, check the chain, resolve the protocol contracts via the Controller. */
export async function createChainClient(options: ChainClientOptions): Promise<ChainClient> {
  const transport = http(options.rpcUrl, { timeout: options.requestTimeoutMs ?? 15_000, retryCount: 1 });
  const probe = createPublicClient({ transport });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (err) {
    throw toChainError('eth_chainId', err);
  }
  const network = networkFor(chainId, options);
  const chain: Chain = defineChain({
    id: chainId,
    name: network.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const publicClient = createPublicClient({
    chain,
    transport,
    ...(options.pollingIntervalMs !== undefined ? { pollingInterval: options.pollingIntervalMs } : {}),
  }) as PublicClient;
  const account =
    options.account === undefined
      ? undefined
      : typeof options.account === 'string'
        ? privateKeyToAccount(options.account)
        : options.account;
  const wallet: SendingClient | undefined = account ? createWalletClient({ chain, account, transport }) : undefined;
  const contracts = await resolveProtocolAddresses(publicClient, network.controller);
  const own = account?.address;

  const who = (sender: Address | undefined): Address => {
    const addr = sender ?? own;
    if (!addr) throw new ChainError('no sender address: pass one or configure an account', { code: 'invalid_setting' });
    return addr;
  };
  const signer = (): SendingClient => {
    if (!wallet) throw new ChainError('no account configured: cannot send transactions', { code: 'invalid_setting' });
    return wallet;
  };
  const waitForTx = (hash: Hash, o: { timeoutMs?: number } = {}) =>
    broker.waitForTx(publicClient, hash, {
      ...o,
      ...(options.pollingIntervalMs !== undefined ? { pollingIntervalMs: options.pollingIntervalMs } : {}),
    });
  const pending = async (send: Promise<Hash>): Promise<PendingTx> => {
    const hash = await send;
    return { hash, wait: (o) => waitForTx(hash, o) };
  };

  const client: ChainClient = {
    network,
    chainId,
    contracts,
    publicClient,
    address: own,
    getSenderInfo: async (sender) => broker.getSenderInfo(publicClient, contracts.ticketBroker, who(sender)),
    async getSenderStatus(sender) {
      const address = who(sender);
      const [info, currentRound] = await Promise.all([
        broker.getSenderInfo(publicClient, contracts.ticketBroker, address),
        getCurrentRound(publicClient, contracts.roundsManager),
      ]);
      return { address, info, currentRound, state: senderState(info, currentRound) };
    },
    async checkSender(sender) {
      const [info, lastInitialized] = await Promise.all([
        broker.getSenderInfo(publicClient, contracts.ticketBroker, who(sender)),
        getLastInitializedRound(publicClient, contracts.roundsManager),
      ]);
      return checkSender(info, lastInitialized);
    },
    unlockPeriod: () => broker.getUnlockPeriod(publicClient, contracts.ticketBroker),
    ticketValidityPeriod: () => broker.getTicketValidityPeriod(publicClient, contracts.ticketBroker),
    currentRound: () => getCurrentRound(publicClient, contracts.roundsManager),
    lastInitializedRound: () => getLastInitializedRound(publicClient, contracts.roundsManager),
    blockHashForRound: (round) => getBlockHashForRound(publicClient, contracts.roundsManager, round),
    latestBlock: () => latestBlock(publicClient, network.l1BlockSource),
    latestL1Block: async () => (await latestBlock(publicClient, network.l1BlockSource)).l1BlockNumber,
    async balance(address) {
      try {
        return await publicClient.getBalance({ address: who(address) });
      } catch (err) {
        throw toChainError('eth_getBalance', err);
      }
    },
    fundDeposit: async (amount) => pending(broker.fundDeposit(signer(), contracts.ticketBroker, amount)),
    fundReserve: async (amount) => pending(broker.fundReserve(signer(), contracts.ticketBroker, amount)),
    fundDepositAndReserve: async (d, r) => pending(broker.fundDepositAndReserve(signer(), contracts.ticketBroker, d, r)),
    fundDepositAndReserveFor: async (b, d, r) =>
      pending(broker.fundDepositAndReserveFor(signer(), contracts.ticketBroker, b, d, r)),
    unlock: async () => pending(broker.unlock(signer(), contracts.ticketBroker)),
    cancelUnlock: async () => pending(broker.cancelUnlock(signer(), contracts.ticketBroker)),
    withdraw: async () => pending(broker.withdraw(signer(), contracts.ticketBroker)),
    waitForTx,
    watch: (o) =>
      watchChain({
        source: client,
        signal: o.signal,
        onEvent: o.onEvent,
        ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}),
        ...((o.sender ?? own) ? { sender: o.sender ?? own } : {}),
      }),
  };
  return client;
}
