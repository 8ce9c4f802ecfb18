// Compiles the devnet Solidity contracts with the bundled solc-js (offline; only its own version works).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';
import type { Abi, Hex } from 'viem';

/** ABI and creation bytecode of one deployable contract. */
export interface ContractArtifact {
  abi: Abi;
  bytecode: Hex;
}

/** Everything `artifacts.json` holds. */
export interface CompiledArtifacts {
  compiler: string;
  evmVersion: string;
  contracts: Record<string, ContractArtifact>;
}

/** The Solidity sources shipped next to this module (src/devnet/chain/contracts). */
export const CONTRACTS_DIR = fileURLToPath(new URL('../../../src/devnet/chain/contracts/', import.meta.url));

// Hardhat 2.29 runs Prague by default; Cancun opcodes are a safe subset for any recent node.
const EVM_VERSION = 'cancun';

interface SolcMessage {
  severity: 'error' | 'warning' | 'info';
  formattedMessage: string;
}

interface SolcOutput {
  errors?: SolcMessage[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** Compile every .sol file in `dir`; returns deployable contracts (non-empty bytecode) by name. */
export function compileContracts(dir: string = CONTRACTS_DIR): CompiledArtifacts {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sol'))
    .sort();
  if (files.length === 0) throw new Error(`no .sol files in ${dir}`);
  const sources: Record<string, { content: string }> = {};
  for (const f of files) sources[f] = { content: readFileSync(join(dir, f), 'utf8') };

  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: EVM_VERSION,
      // No metadata hash: bytecode then depends only on code, not on comments or file paths.
      metadata: { bytecodeHash: 'none' },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)) as string) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  const warnings = (output.errors ?? []).filter((e) => e.severity === 'warning');
  if (warnings.length > 0) {
    throw new Error(`solc warnings (fix them):\n${warnings.map((e) => e.formattedMessage).join('\n')}`);
  }

  const contracts: Record<string, ContractArtifact> = {};
  for (const file of Object.keys(output.contracts ?? {}).sort()) {
    const byName = output.contracts?.[file] ?? {};
    for (const name of Object.keys(byName).sort()) {
      const c = byName[name];
      if (!c || c.evm.bytecode.object.length === 0) continue;
      if (contracts[name]) throw new Error(`duplicate contract name ${name}`);
      contracts[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  return { compiler: solc.version() as string, evmVersion: EVM_VERSION, contracts };
}
