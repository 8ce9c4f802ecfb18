// What the devnet orchestrator knows about the chain: L1 block, rounds, gas price, senders; and winning-ticket
// redemption. Either a real chain (the devnet contracts over JSON-RPC, polled) or a simulated one driven by the clock.
import { createWalletClient, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createChainClient, type ChainClient } from '../../lib/chain/chainClient.js';
import { revertReason } from '../../lib/chain/errors.js';
import { bondingManagerAbi } from '../../lib/chain/abi.js';
import { reserveShare } from '../../lib/chain/senderState.js';
import { getClaimedReserve } from '../../lib/chain/ticketBroker.js';
import { bytesToHex0x, hexToBytes, utf8 } from '../../lib/protocol/encoding.js';
import { keccak256 } from '../../lib/protocol/hash.js';
import { ticketBrokerAdminAbi } from '../chain/devnetAbi.js';
import { localChainDefinition } from '../chain/deploy.js';
import type { Clock } from './clock.js';

/** Round and block hash that go into ticket auxData. */
export interface ExpirationParams {
  creationRound: bigint;
  creationRoundBlockHash: Uint8Array;
}

/** A winning ticket ready for TicketBroker.redeemWinningTicket. */
export interface WinningTicket {
  recipient: Address;
  sender: Address;
  faceValue: bigint;
  winProb: bigint;
  senderNonce: bigint;
  recipientRandHash: Uint8Array;
  auxData: Uint8Array;
  sig: Uint8Array;
  recipientRand: bigint;
}

/** Chain connection of a devnet orchestrator. */
export interface ChainConfig {
  rpcUrl: string;
  controller: Address;
  /** Checked against the node when given; read from it otherwise. */
  chainId?: number;
}

export interface ChainView {
  readonly kind: 'simulated' | 'chain';
  /** Latest L1 block seen (cached; refreshed in the background). */
  l1Block(): bigint;
  lastInitializedRound(): bigint;
  /** go-livepeer: last initialized round and its block hash, or the previous round if that hash is zero. */
  expirationParams(): ExpirationParams;
  /** Gas price used for the redemption tx cost (0 when simulated). */
  gasPrice(): bigint;
  /** The sender's max float towards `recipient`; undefined = unlimited (simulated chain). */
  maxFloat(sender: Address, recipient: Address): Promise<bigint | undefined>;
  /** go-livepeer's O-side ValidateSender: an error text, or null when the sender may pay. */
  validateSender(sender: Address): Promise<string | null>;
  /** Whether `addr` is in the active set (always true when simulated). */
  isActive(addr: Address): Promise<boolean>;
  /** Queues a winning ticket; resolves when it was redeemed or failed (never rejects). */
  redeem(t: WinningTicket): Promise<void>;
  redemptionStats(): { redeemed: number; redeemFailed: number; pending: number; lastError?: string };
  close(): Promise<void>;
}

const ZERO_HASH = new Uint8Array(32);
const isZero = (b: Uint8Array) => b.every((x) => x === 0);

/** Simulated chain: round 1 with a fixed hash, one L1 block every 12 s of the clock. */
export function simulatedChain(clock: Clock): ChainView {
  const hash = keccak256(utf8('gw devnet simulated round 1'));
  return {
    kind: 'simulated',
    l1Block: () => BigInt(Math.floor(clock.now() / 12_000)),
    lastInitializedRound: () => 1n,
    expirationParams: () => ({ creationRound: 1n, creationRoundBlockHash: hash }),
    gasPrice: () => 0n,
    maxFloat: async () => undefined,
    validateSender: async () => null,
    isActive: async () => true,
    redeem: async () => undefined,
    redemptionStats: () => ({ redeemed: 0, redeemFailed: 0, pending: 0 }),
    close: async () => undefined,
  };
}

interface Head {
  l1Block: bigint;
  round: bigint;
  expiration: ExpirationParams;
  gasPrice: bigint;
}

/** go-livepeer's minDepositPendingRatio: below it, pending face values reduce the max float. */
const MIN_DEPOSIT_PENDING_RATIO = 3n;
const SENDER_CACHE_MS = 1000;

/** A real chain through the Controller; polls the head every `pollMs`, redeems winners with `ethKey`. */
export async function realChain(cfg: ChainConfig, ethKey: Hex, opts: { pollMs?: number; log?: (msg: string) => void } = {}): Promise<ChainView> {
  const client: ChainClient = await createChainClient({ rpcUrl: cfg.rpcUrl, controller: cfg.controller, pollingIntervalMs: 50 });
  if (cfg.chainId !== undefined && cfg.chainId !== client.chainId) {
    throw new Error(`${cfg.rpcUrl} serves chain ${client.chainId}, expected ${cfg.chainId}`);
  }
  const pc = client.publicClient;
  const broker = client.contracts.ticketBroker;
  const account = privateKeyToAccount(ethKey);
  const wallet = createWalletClient({ chain: localChainDefinition(cfg.rpcUrl, client.chainId), account, transport: http(cfg.rpcUrl, { retryCount: 0 }) });

  const readHead = async (): Promise<Head> => {
    const [l1Block, round, gasPrice] = await Promise.all([client.latestL1Block(), client.lastInitializedRound(), pc.getGasPrice()]);
    let creationRound = round;
    let hash = hexToBytes(await client.blockHashForRound(round));
    if (isZero(hash) && round > 0n) {
      creationRound = round - 1n;
      hash = hexToBytes(await client.blockHashForRound(creationRound));
    }
    return { l1Block, round, gasPrice, expiration: { creationRound, creationRoundBlockHash: hash.length === 32 ? hash : ZERO_HASH } };
  };
  let head = await readHead();
  let closed = false;
  const poll = async () => {
    try {
      head = await readHead();
    } catch (err) {
      opts.log?.(`chain poll failed: ${(err as Error).message}`);
    }
    if (!closed) timer = setTimeout(() => void poll(), opts.pollMs ?? 1000).unref();
  };
  let timer = setTimeout(() => void poll(), opts.pollMs ?? 1000).unref();

  const senderCache = new Map<Address, { at: number; info: Awaited<ReturnType<ChainClient['getSenderInfo']>> }>();
  const senderInfo = async (sender: Address) => {
    const hit = senderCache.get(sender);
    if (hit && Date.now() - hit.at < SENDER_CACHE_MS) return hit.info;
    const info = await client.getSenderInfo(sender);
    senderCache.set(sender, { at: Date.now(), info });
    return info;
  };
  let poolSize: bigint | undefined;
  const pendingBySender = new Map<Address, bigint>();
  const stats = { redeemed: 0, redeemFailed: 0, pending: 0, lastError: undefined as string | undefined };
  let queue: Promise<void> = Promise.resolve();

  const submit = async (t: WinningTicket): Promise<void> => {
    try {
      const hash = await wallet.writeContract({
        address: broker,
        abi: ticketBrokerAdminAbi,
        functionName: 'redeemWinningTicket',
        args: [
          {
            recipient: t.recipient,
            sender: t.sender,
            faceValue: t.faceValue,
            winProb: t.winProb,
            senderNonce: t.senderNonce,
            recipientRandHash: bytesToHex0x(t.recipientRandHash),
            auxData: bytesToHex0x(t.auxData),
          },
          bytesToHex0x(t.sig),
          t.recipientRand,
        ],
      });
      const receipt = await pc.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== 'success') throw new Error(`redeemWinningTicket reverted (tx ${hash})`);
      stats.redeemed++;
      opts.log?.(`redeemed winning ticket sender=${t.sender} nonce=${t.senderNonce} faceValue=${t.faceValue} tx=${hash}`);
    } catch (err) {
      stats.redeemFailed++;
      stats.lastError = revertReason(err) ?? (err as Error).message;
      opts.log?.(`error redeeming ticket sender=${t.sender} nonce=${t.senderNonce}: ${stats.lastError}`);
    } finally {
      senderCache.delete(t.sender);
    }
  };

  return {
    kind: 'chain',
    l1Block: () => head.l1Block,
    lastInitializedRound: () => head.round,
    expirationParams: () => head.expiration,
    gasPrice: () => head.gasPrice,
    async maxFloat(sender, recipient) {
      poolSize ??= await pc
        .readContract({ address: broker, abi: ticketBrokerAdminAbi, functionName: 'activeOrchestrators' })
        .catch(() => 1n);
      const [info, claimed] = await Promise.all([senderInfo(sender), getClaimedReserve(pc, broker, sender, recipient)]);
      const alloc = reserveShare(info.reserve, poolSize, claimed);
      const pending = pendingBySender.get(sender) ?? 0n;
      if (pending === 0n || info.deposit / pending >= MIN_DEPOSIT_PENDING_RATIO) return alloc;
      return alloc > pending ? alloc - pending : 0n;
    },
    async validateSender(sender) {
      let info;
      try {
        info = await senderInfo(sender);
      } catch (err) {
        return `could not get sender info for ${sender}: ${(err as Error).message}`;
      }
      if (info.withdrawRound !== 0n && info.withdrawRound <= head.round + 1n) {
        return `deposit and reserve for sender ${sender} is set to unlock soon`;
      }
      return null;
    },
    isActive: (addr) =>
      pc.readContract({ address: client.contracts.bondingManager, abi: bondingManagerAbi, functionName: 'isActiveTranscoder', args: [addr] }),
    redeem(t) {
      stats.pending++;
      pendingBySender.set(t.sender, (pendingBySender.get(t.sender) ?? 0n) + t.faceValue);
      // One redemption at a time: the O's account nonce must not race.
      const done = queue.then(() => submit(t)).finally(() => {
        stats.pending--;
        pendingBySender.set(t.sender, (pendingBySender.get(t.sender) ?? t.faceValue) - t.faceValue);
      });
      queue = done;
      return done;
    },
    redemptionStats: () => ({ redeemed: stats.redeemed, redeemFailed: stats.redeemFailed, pending: stats.pending, ...(stats.lastError ? { lastError: stats.lastError } : {}) }),
    async close() {
      closed = true;
      clearTimeout(timer);
      await queue.catch(() => undefined);
    },
  };
}
