// Known networks and how to find their protocol contracts.
import { getAddress, type Address } from 'viem';

/** How to read the L1 block number that ticket expiration uses. */
export type L1BlockSource = 'arbitrum-header' | 'block-number';

export interface NetworkConfig {
  name: string;
  chainId: number;
  controller: Address;
  l1BlockSource: L1BlockSource;
}

/** Arbitrum One, where Livepeer's protocol lives. */
export const ARBITRUM_ONE_MAINNET: NetworkConfig = {
  name: 'arbitrum-one-mainnet',
  chainId: 42161,
  controller: '0xD8E8328501E9645d16Cf49539efC04f734606ee4',
  // Arbitrum blocks carry the L1 block number in the `l1BlockNumber` header field.
  l1BlockSource: 'arbitrum-header',
};

/** The local hardhat devnet; the Controller address comes from its deployment. */
export function devnetNetwork(controller: Address, chainId = 31337): NetworkConfig {
  return { name: 'devnet', chainId, controller: getAddress(controller), l1BlockSource: 'block-number' };
}

/** Look a network up by name; `devnet` needs the Controller address. */
export function networkByName(name: string, devnetController?: Address): NetworkConfig {
  if (name === ARBITRUM_ONE_MAINNET.name) return ARBITRUM_ONE_MAINNET;
  if (name === 'devnet') {
    if (!devnetController) throw new Error('network "devnet" needs a Controller address');
    return devnetNetwork(devnetController);
  }
  throw new Error(`unknown network "${name}" (known: ${ARBITRUM_ONE_MAINNET.name}, devnet)`);
}
