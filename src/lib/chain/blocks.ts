// Latest block and the L1 block number used for ticket expiration (Arbitrum: `l1BlockNumber` header field).
import { hexToBigInt, type Hex, type PublicClient } from 'viem';
import { ChainError, toChainError } from './errors.js';
import type { L1BlockSource } from './networks.js';

/** Head of the chain as the gateway needs it. */
export interface BlockInfo {
  number: bigint;
  hash: Hex;
  timestamp: bigint;
  /** L1 block number: the Arbitrum header field, or the block number itself on a devnet. */
  l1BlockNumber: bigint;
}

interface RawBlock {
  number: Hex | null;
  hash: Hex | null;
  timestamp: Hex;
  l1BlockNumber?: Hex;
}

/** Fetch the latest block and derive its L1 block number per `source`. */
export async function latestBlock(client: PublicClient, source: L1BlockSource): Promise<BlockInfo> {
  let raw: RawBlock | null;
  try {
    // Raw RPC so chain-specific header fields survive formatting.
    raw = (await client.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as RawBlock | null;
  } catch (err) {
    throw toChainError('eth_getBlockByNumber', err);
  }
  if (!raw?.number || !raw.hash) throw new ChainError('node returned no latest block');
  const number = hexToBigInt(raw.number);
  let l1BlockNumber = number;
  if (source === 'arbitrum-header') {
    if (!raw.l1BlockNumber) {
      throw new ChainError('latest block has no l1BlockNumber field: is this RPC really Arbitrum?');
    }
    l1BlockNumber = hexToBigInt(raw.l1BlockNumber);
  }
  return { number, hash: raw.hash, timestamp: hexToBigInt(raw.timestamp), l1BlockNumber };
}

/** The latest L1 block number (ticket `expiration_block` is based on it). */
export async function latestL1Block(client: PublicClient, source: L1BlockSource): Promise<bigint> {
  return (await latestBlock(client, source)).l1BlockNumber;
}
