// RoundsManager reads: rounds drive ticket expiration params and sender unlock timing.
import type { Address, Hex, PublicClient } from 'viem';
import { roundsManagerAbi } from './abi.js';
import { toChainError } from './errors.js';

async function read<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toChainError(`RoundsManager.${action}`, err);
  }
}

/** The current round number. */
export function getCurrentRound(client: PublicClient, roundsManager: Address): Promise<bigint> {
  return read('currentRound', () =>
    client.readContract({ address: roundsManager, abi: roundsManagerAbi, functionName: 'currentRound' }),
  );
}

/** The most recent round someone initialized (tickets use its block hash). */
export function getLastInitializedRound(client: PublicClient, roundsManager: Address): Promise<bigint> {
  return read('lastInitializedRound', () =>
    client.readContract({ address: roundsManager, abi: roundsManagerAbi, functionName: 'lastInitializedRound' }),
  );
}

/** Whether the current round has been initialized. */
export function isCurrentRoundInitialized(client: PublicClient, roundsManager: Address): Promise<boolean> {
  return read('currentRoundInitialized', () =>
    client.readContract({ address: roundsManager, abi: roundsManagerAbi, functionName: 'currentRoundInitialized' }),
  );
}

/** Block hash recorded when `round` was initialized (zero hash if it never was). */
export function getBlockHashForRound(client: PublicClient, roundsManager: Address, round: bigint): Promise<Hex> {
  return read('blockHashForRound', () =>
    client.readContract({
      address: roundsManager,
      abi: roundsManagerAbi,
      functionName: 'blockHashForRound',
      args: [round],
    }),
  );
}
