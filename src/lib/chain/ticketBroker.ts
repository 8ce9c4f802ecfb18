// TicketBroker (sender side): typed reads, and writes that return the tx hash at once plus a separate wait.
import type { Account, Address, Chain, Hash, PublicClient, Transport, WalletClient } from 'viem';
import { ticketBrokerAbi } from './abi.js';
import { ChainError, toChainError } from './errors.js';

/** A sender's reserve as the broker reports it for the current round. */
export interface ReserveInfo {
  fundsRemaining: bigint;
  claimedInCurrentRound: bigint;
}

/** `getSenderInfo` result, all wei / round numbers. */
export interface SenderInfo {
  deposit: bigint;
  /** 0 when no unlock is in progress. */
  withdrawRound: bigint;
  reserve: ReserveInfo;
}

/** A wallet client with a chain and an account, able to send transactions. */
export type SendingClient = WalletClient<Transport, Chain, Account>;

/** A mined transaction. */
export interface TxReceipt {
  hash: Hash;
  blockNumber: bigint;
  gasUsed: bigint;
  /** gasUsed × effectiveGasPrice, in wei. */
  feeWei: bigint;
}

async function read<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toChainError(`TicketBroker.${action}`, err);
  }
}

/** Deposit, withdraw round and reserve of `sender`. */
export async function getSenderInfo(client: PublicClient, broker: Address, sender: Address): Promise<SenderInfo> {
  const [s, reserve] = await read('getSenderInfo', () =>
    client.readContract({ address: broker, abi: ticketBrokerAbi, functionName: 'getSenderInfo', args: [sender] }),
  );
  return {
    deposit: s.deposit,
    withdrawRound: s.withdrawRound,
    reserve: { fundsRemaining: reserve.fundsRemaining, claimedInCurrentRound: reserve.claimedInCurrentRound },
  };
}

/** One of a sender's winning tickets redeemed on chain (a TicketBroker WinningTicketRedeemed log). */
export interface RedeemedTicket {
  readonly recipient: Address;
  readonly faceValue: bigint;
  readonly blockNumber: bigint;
}

/** Winning tickets of `sender` redeemed in blocks `fromBlock`..`toBlock` (inclusive). */
export async function getRedeemedTickets(client: PublicClient, broker: Address, sender: Address, fromBlock: bigint, toBlock: bigint): Promise<RedeemedTicket[]> {
  const logs = await read('WinningTicketRedeemed', () =>
    client.getContractEvents({ address: broker, abi: ticketBrokerAbi, eventName: 'WinningTicketRedeemed', args: { sender }, fromBlock, toBlock, strict: true }),
  );
  return logs.map((l) => ({ recipient: l.args.recipient, faceValue: l.args.faceValue, blockNumber: l.blockNumber }));
}

/** Rounds between `unlock()` and the round when `withdraw()` becomes possible. */
export function getUnlockPeriod(client: PublicClient, broker: Address): Promise<bigint> {
  return read('unlockPeriod', () =>
    client.readContract({ address: broker, abi: ticketBrokerAbi, functionName: 'unlockPeriod' }),
  );
}

/** Rounds a ticket stays redeemable after its creation round. */
export function getTicketValidityPeriod(client: PublicClient, broker: Address): Promise<bigint> {
  return read('ticketValidityPeriod', () =>
    client.readContract({ address: broker, abi: ticketBrokerAbi, functionName: 'ticketValidityPeriod' }),
  );
}

/** Amount `claimant` already took from `reserveHolder`'s reserve this round. */
export function getClaimedReserve(
  client: PublicClient,
  broker: Address,
  reserveHolder: Address,
  claimant: Address,
): Promise<bigint> {
  return read('claimedReserve', () =>
    client.readContract({
      address: broker,
      abi: ticketBrokerAbi,
      functionName: 'claimedReserve',
      args: [reserveHolder, claimant],
    }),
  );
}

function positive(what: string, amount: bigint): void {
  if (amount <= 0n) throw new ChainError(`${what} must be greater than 0 wei`, { code: 'invalid_amount' });
}

async function send(action: string, fn: () => Promise<Hash>): Promise<Hash> {
  try {
    return await fn();
  } catch (err) {
    throw toChainError(`TicketBroker.${action}`, err);
  }
}

/** Send `amount` wei to the caller's deposit; resolves with the tx hash once broadcast. */
export async function fundDeposit(wallet: SendingClient, broker: Address, amount: bigint): Promise<Hash> {
  positive('deposit amount', amount);
  return send('fundDeposit', () =>
    wallet.writeContract({ address: broker, abi: ticketBrokerAbi, functionName: 'fundDeposit', value: amount }),
  );
}

/** Send `amount` wei to the caller's reserve. */
export async function fundReserve(wallet: SendingClient, broker: Address, amount: bigint): Promise<Hash> {
  positive('reserve amount', amount);
  return send('fundReserve', () =>
    wallet.writeContract({ address: broker, abi: ticketBrokerAbi, functionName: 'fundReserve', value: amount }),
  );
}

/** Fund deposit and reserve in one transaction (value = deposit + reserve). */
export async function fundDepositAndReserve(
  wallet: SendingClient,
  broker: Address,
  deposit: bigint,
  reserve: bigint,
): Promise<Hash> {
  if (deposit < 0n || reserve < 0n) throw new ChainError('deposit and reserve amounts must not be negative', { code: 'invalid_amount' });
  positive('deposit + reserve', deposit + reserve);
  return send('fundDepositAndReserve', () =>
    wallet.writeContract({
      address: broker,
      abi: ticketBrokerAbi,
      functionName: 'fundDepositAndReserve',
      args: [deposit, reserve],
      value: deposit + reserve,
    }),
  );
}

/** Fund another address's deposit and reserve (e.g. a gateway from a cold wallet). */
export async function fundDepositAndReserveFor(
  wallet: SendingClient,
  broker: Address,
  beneficiary: Address,
  deposit: bigint,
  reserve: bigint,
): Promise<Hash> {
  if (deposit < 0n || reserve < 0n) throw new ChainError('deposit and reserve amounts must not be negative', { code: 'invalid_amount' });
  positive('deposit + reserve', deposit + reserve);
  return send('fundDepositAndReserveFor', () =>
    wallet.writeContract({
      address: broker,
      abi: ticketBrokerAbi,
      functionName: 'fundDepositAndReserveFor',
      args: [beneficiary, deposit, reserve],
      value: deposit + reserve,
    }),
  );
}

/** Start the unlock period (the gateway stops being able to pay almost at once). */
export async function unlock(wallet: SendingClient, broker: Address): Promise<Hash> {
  return send('unlock', () => wallet.writeContract({ address: broker, abi: ticketBrokerAbi, functionName: 'unlock' }));
}

/** Cancel an unlock in progress. */
export async function cancelUnlock(wallet: SendingClient, broker: Address): Promise<Hash> {
  return send('cancelUnlock', () =>
    wallet.writeContract({ address: broker, abi: ticketBrokerAbi, functionName: 'cancelUnlock' }),
  );
}

/** Withdraw deposit and reserve after the unlock period. */
export async function withdraw(wallet: SendingClient, broker: Address): Promise<Hash> {
  return send('withdraw', () =>
    wallet.writeContract({ address: broker, abi: ticketBrokerAbi, functionName: 'withdraw' }),
  );
}

/** Wait for `hash` to be mined; throws ChainError if it reverted or the wait timed out. */
export async function waitForTx(
  client: PublicClient,
  hash: Hash,
  options: { timeoutMs?: number; pollingIntervalMs?: number } = {},
): Promise<TxReceipt> {
  let receipt;
  try {
    receipt = await client.waitForTransactionReceipt({
      hash,
      timeout: options.timeoutMs ?? 120_000,
      ...(options.pollingIntervalMs !== undefined ? { pollingInterval: options.pollingIntervalMs } : {}),
    });
  } catch (err) {
    throw toChainError(`waiting for transaction ${hash}`, err);
  }
  if (receipt.status !== 'success') {
    throw new ChainError(`transaction ${hash} reverted in block ${receipt.blockNumber}`, { code: 'reverted' });
  }
  return {
    hash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    feeWei: receipt.gasUsed * receipt.effectiveGasPrice,
  };
}
