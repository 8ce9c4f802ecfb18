// <devnetDir>/devnet.json: what `gw devnet up` started, for `status` and `down`.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import type { GwPaths } from '../lib/settings/paths.js';
import type { DevnetContracts } from './chain/deploy.js';

export interface DevnetChainState {
  rpcUrl: string;
  chainId: number;
  /** The chain keeper process (leader of the process group that includes `hardhat node`). */
  pid: number;
  contracts: DevnetContracts;
  log: string;
}

export interface DevnetOrchestratorState {
  uri: string;
  address: Address;
  /** "pricePerUnit/pixelsPerUnit". */
  price: string;
  pid: number;
  /** Bearer token of its /devnet/faults and /devnet/stats. */
  controlToken: string;
  log: string;
}

/** A funded development account for the gateway (public Hardhat keys: never for real funds). */
export interface DevnetAccount {
  address: Address;
  privateKey: Hex;
}

export interface DevnetState {
  version: 1;
  createdAt: string;
  /** null with --no-chain (orchestrators then run off-chain). */
  chain: DevnetChainState | null;
  orchestrators: DevnetOrchestratorState[];
  accounts: DevnetAccount[];
}

/** Path of the state file. */
export function devnetStateFile(paths: GwPaths): string {
  return join(paths.devnetDir, 'devnet.json');
}

/** The recorded devnet, or undefined when there is none (or the file is unreadable). */
export function readDevnetState(paths: GwPaths): DevnetState | undefined {
  let text: string;
  try {
    text = readFileSync(devnetStateFile(paths), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as DevnetState;
    return s && s.version === 1 && Array.isArray(s.orchestrators) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the state atomically, readable by the owner only (it holds dev keys and control tokens). */
export function writeDevnetState(paths: GwPaths, state: DevnetState): void {
  mkdirSync(paths.devnetDir, { recursive: true, mode: 0o700 });
  const file = devnetStateFile(paths);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeDevnetState(paths: GwPaths): void {
  rmSync(devnetStateFile(paths), { force: true });
}

/** Every pid the state records (orchestrators first, then the chain). */
export function devnetPids(state: DevnetState): number[] {
  return [...state.orchestrators.map((o) => o.pid), ...(state.chain ? [state.chain.pid] : [])];
}
