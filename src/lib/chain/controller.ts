// Resolve protocol contract addresses through the Controller, as go-livepeer does at start-up.
import { getAddress, keccak256, toBytes, zeroAddress, type Address, type Hex, type PublicClient } from 'viem';
import { controllerAbi } from './abi.js';
import { ChainError, toChainError } from './errors.js';

/** Controller id of a contract: keccak256 of its UTF-8 name. */
export function contractId(name: string): Hex {
  return keccak256(toBytes(name));
}

/** Address registered under `name`; throws if the Controller has none. */
export async function resolveContract(client: PublicClient, controller: Address, name: string): Promise<Address> {
  let addr: Address;
  try {
    addr = await client.readContract({
      address: controller,
      abi: controllerAbi,
      functionName: 'getContract',
      args: [contractId(name)],
    });
  } catch (err) {
    throw toChainError(`Controller.getContract(${name})`, err);
  }
  if (addr === zeroAddress) {
    throw new ChainError(`Controller ${controller} has no ${name} registered (wrong network or Controller address?)`);
  }
  return getAddress(addr);
}

/** Addresses of the contracts a gateway talks to. */
export interface ProtocolAddresses {
  controller: Address;
  ticketBroker: Address;
  roundsManager: Address;
  bondingManager: Address;
  serviceRegistry: Address;
}

/** Resolve TicketBroker, RoundsManager, BondingManager and ServiceRegistry in parallel. */
export async function resolveProtocolAddresses(client: PublicClient, controller: Address): Promise<ProtocolAddresses> {
  const code = await client.getCode({ address: controller }).catch((err: unknown) => {
    throw toChainError('eth_getCode(Controller)', err);
  });
  if (!code || code === '0x') throw new ChainError(`no contract at Controller address ${controller} on this chain`);
  const [ticketBroker, roundsManager, bondingManager, serviceRegistry] = await Promise.all([
    resolveContract(client, controller, 'TicketBroker'),
    resolveContract(client, controller, 'RoundsManager'),
    resolveContract(client, controller, 'BondingManager'),
    resolveContract(client, controller, 'ServiceRegistry'),
  ]);
  return { controller: getAddress(controller), ticketBroker, roundsManager, bondingManager, serviceRegistry };
}
