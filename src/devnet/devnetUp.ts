// `gw devnet up/status/down`: a local chain with the protocol contracts, N devnet orchestrators registered on it, and
// a funded gateway account, all as detached processes recorded in <devnetDir>/devnet.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { createChainClient } from '../lib/chain/chainClient.js';
import type { GwPaths } from '../lib/settings/paths.js';
import { privateKeyToAddress } from '../lib/protocol/signer.js';
import { devnetOwner, registerInPool, setServiceUri } from './chain/admin.js';
import { deployDevnet } from './chain/deploy.js';
import { mnemonicAccounts, LOCAL_CHAIN_ID, type ModuleResolver, resolveHardhat } from './chain/localChain.js';
import { devnetEntry, isDevnetProcess, spawnDetached, stopGroup, waitForReady } from './devnetProcesses.js';
import { type DevnetOrchestratorState, type DevnetState, devnetPids, readDevnetState, removeDevnetState, writeDevnetState } from './devnetState.js';
import { CONTROL_TOKEN_ENV, ETH_KEY_ENV, liveOptionsFromFlags } from './orchestrator/orchestratorFlags.js';
import { parsePrice } from './orchestrator/faults.js';
import { aiOptionsFromFlags, parseByoc } from './orchestrator/ai/config.js';

/** Hardhat account roles: #0 deployer/owner, #1 gateway, #2… orchestrators. */
const GATEWAY_ACCOUNT = 1;
const FIRST_ORCH_ACCOUNT = 2;
export const MAX_DEVNET_ORCHESTRATORS = 8;
const ETH = 10n ** 18n;

export interface DevnetUpOptions {
  paths: GwPaths;
  orchestrators: number;
  /** One price for all, or one per orchestrator ("1200/1"); default 1000/1, 1100/1, … */
  prices?: string[];
  /** false: no chain, orchestrators run off-chain. */
  chain: boolean;
  passthrough: boolean;
  /** First orchestrator port (then +1 each); 0 = free ports. */
  basePort: number;
  /** JSON-RPC port of the chain; 0 = a free port. */
  chainPort: number;
  /** Gateway TicketBroker funding (wei). */
  deposit: bigint;
  reserve: bigint;
  /** Orchestrators' ticket EV (wei); with maxFaceValue equal to it every ticket wins (deposit visibly drops). */
  ticketEV?: bigint;
  /** Orchestrators' max ticket face value (wei). */
  maxFaceValue?: bigint;
  timeoutMs?: number;
  onProgress?: (msg: string) => void;
  /** Orchestrators serve the default devnet AI runner set (`--ai`). */
  ai?: boolean;
  /** `--ai-models` value passed to every orchestrator. */
  aiModels?: string;
  /** `--ai-price` value passed to every orchestrator. */
  aiPrices?: string;
  /** `--byoc` value passed to every orchestrator. */
  byoc?: string;
  /** Orchestrators serve live-video-to-video (`--live`). */
  live?: boolean;
  /** `--live-price` value passed to every orchestrator (implies live). */
  livePrice?: string;
  /** For tests: how hardhat is looked up (default: require.resolve from gw's code). */
  resolveModule?: ModuleResolver;
}

/** Orchestrator flags for the AI/BYOC/live options, validated before anything starts. */
function aiArgs(o: DevnetUpOptions): string[] {
  aiOptionsFromFlags({ ai: o.ai === true, ...(o.aiModels !== undefined ? { models: o.aiModels } : {}), ...(o.aiPrices !== undefined ? { prices: o.aiPrices } : {}) });
  if (o.byoc !== undefined) parseByoc(o.byoc);
  liveOptionsFromFlags({ live: o.live === true, ...(o.livePrice !== undefined ? { 'live-price': o.livePrice } : {}) });
  const args: string[] = [];
  if (o.ai) args.push('--ai');
  if (o.aiModels !== undefined) args.push('--ai-models', o.aiModels);
  if (o.aiPrices !== undefined) args.push('--ai-price', o.aiPrices);
  if (o.byoc !== undefined) args.push('--byoc', o.byoc);
  if (o.live || o.livePrice !== undefined) args.push('--live');
  if (o.livePrice !== undefined) args.push('--live-price', o.livePrice);
  return args;
}

export interface DevnetUpResult {
  state: DevnetState;
  alreadyUp: boolean;
}

function pricesFor(n: number, given: string[] | undefined): string[] {
  if (!given || given.length === 0) return Array.from({ length: n }, (_, i) => `${1000 + 100 * i}/1`);
  if (given.length !== 1 && given.length !== n) throw new Error(`--prices has ${given.length} entries for ${n} orchestrators (give 1 or ${n})`);
  for (const p of given) parsePrice(p);
  return Array.from({ length: n }, (_, i) => (given.length === 1 ? given[0] : given[i]) as string);
}

/** Whether any recorded process is still running. */
export function devnetAlive(state: DevnetState): boolean {
  return devnetPids(state).some((pid) => isDevnetProcess(pid));
}

/** Starts the devnet unless one is already up (then returns it with alreadyUp). Cleans up everything on failure. */
export async function devnetUp(o: DevnetUpOptions): Promise<DevnetUpResult> {
  if (!Number.isInteger(o.orchestrators) || o.orchestrators < 0 || o.orchestrators > MAX_DEVNET_ORCHESTRATORS) {
    throw new Error(`--orchestrators must be between 0 and ${MAX_DEVNET_ORCHESTRATORS}`);
  }
  // 0 is a chain and a funded account for the operator's own orchestrators; without the chain it would be nothing
  if (o.orchestrators === 0 && !o.chain) throw new Error('--orchestrators 0 needs the chain (it starts only a chain and a funded gateway account): leave out --no-chain');
  const prices = pricesFor(o.orchestrators, o.prices);
  const extraArgs = aiArgs(o);
  const existing = readDevnetState(o.paths);
  if (existing && devnetAlive(existing)) return { state: existing, alreadyUp: true };
  // Checked here, before anything starts: the chain process would only fail in its log.
  if (o.chain) resolveHardhat(o.resolveModule);
  if (existing) removeDevnetState(o.paths);
  mkdirSync(o.paths.devnetDir, { recursive: true, mode: 0o700 });
  const progress = o.onProgress ?? (() => {});
  const timeout = o.timeoutMs ?? 60_000;
  const accounts = mnemonicAccounts(undefined, FIRST_ORCH_ACCOUNT + o.orchestrators);
  const started: number[] = [];
  try {
    let chainState: DevnetState['chain'] = null;
    if (o.chain) {
      progress('starting the local chain');
      const log = join(o.paths.devnetDir, 'chain.log');
      const pid = spawnDetached(devnetEntry('chainMain'), ['--port', String(o.chainPort), '--data-dir', join(o.paths.devnetDir, 'chain')], log);
      started.push(pid);
      const ready = await waitForReady<{ rpcUrl: string; chainId: number }>(pid, log, timeout, 'the devnet chain');
      progress('deploying the protocol contracts');
      const deployed = await deployDevnet({
        rpcUrl: ready.rpcUrl,
        chainId: ready.chainId,
        deployerKey: accounts[0]!.privateKey,
        // the reserve is split among the active orchestrators: never 0, even before the operator's own register
        activeOrchestrators: BigInt(Math.max(1, o.orchestrators)),
      });
      // The ETH/USD feed is not in the Controller: devnet.json is how the gateway finds it (see core/chain/priceFeed.ts).
      chainState = { rpcUrl: ready.rpcUrl, chainId: ready.chainId ?? LOCAL_CHAIN_ID, pid, contracts: { ...deployed.contracts, priceFeed: deployed.priceFeed }, log };
      progress('funding the gateway account');
      const gw = await createChainClient({ rpcUrl: ready.rpcUrl, controller: deployed.contracts.controller, account: accounts[GATEWAY_ACCOUNT]!.privateKey, pollingIntervalMs: 20 });
      await (await gw.fundDepositAndReserve(o.deposit, o.reserve)).wait();
    }

    if (o.orchestrators > 0) progress(`starting ${o.orchestrators} orchestrator(s)`);
    const orchestrators = await Promise.all(
      prices.map(async (price, i): Promise<DevnetOrchestratorState> => {
        const key = accounts[FIRST_ORCH_ACCOUNT + i]!.privateKey;
        const log = join(o.paths.devnetDir, `orch-${i}.log`);
        const controlToken = randomBytes(24).toString('base64url');
        const args = ['--port', String(o.basePort === 0 ? 0 : o.basePort + i), '--price', price];
        if (o.passthrough) args.push('--passthrough');
        args.push(...extraArgs);
        if (o.ticketEV !== undefined) args.push('--ticket-ev', o.ticketEV.toString());
        if (o.maxFaceValue !== undefined) args.push('--max-face-value', o.maxFaceValue.toString());
        if (chainState) args.push('--eth-url', chainState.rpcUrl, '--controller', chainState.contracts.controller);
        else args.push('--offchain');
        const env: Record<string, string> = { [CONTROL_TOKEN_ENV]: controlToken };
        if (chainState) env[ETH_KEY_ENV] = key;
        const pid = spawnDetached(devnetEntry('orchestrator/main'), args, log, env);
        started.push(pid);
        const ready = await waitForReady<{ serviceUri: string; address: Hex }>(pid, log, timeout, `orchestrator ${i}`);
        return { uri: ready.serviceUri, address: chainState ? privateKeyToAddress(key) : ready.address, price, pid, controlToken, log };
      }),
    );

    if (chainState) {
      progress('registering the orchestrators');
      const owner = devnetOwner({ rpcUrl: chainState.rpcUrl, chainId: chainState.chainId, accounts }, chainState.contracts);
      for (const [i, orch] of orchestrators.entries()) {
        await registerInPool(owner, orch.address, BigInt(MAX_DEVNET_ORCHESTRATORS - i) * 1000n * ETH);
        await setServiceUri({ ...owner, privateKey: accounts[FIRST_ORCH_ACCOUNT + i]!.privateKey }, orch.uri);
      }
    }
    const gateway = accounts[GATEWAY_ACCOUNT]!;
    const state: DevnetState = {
      version: 1,
      createdAt: new Date().toISOString(),
      chain: chainState,
      orchestrators,
      accounts: chainState ? [{ address: gateway.address, privateKey: gateway.privateKey }] : [],
    };
    writeDevnetState(o.paths, state);
    return { state, alreadyUp: false };
  } catch (err) {
    await Promise.all(started.map((pid) => stopGroup(pid, 2000)));
    throw err;
  }
}

/** Stops every recorded process and removes the state; returns how many were running (undefined: no devnet). */
export async function devnetDown(paths: GwPaths): Promise<{ stopped: number } | undefined> {
  const state = readDevnetState(paths);
  if (!state) return undefined;
  const orchs = await Promise.all(state.orchestrators.map((orch) => stopGroup(orch.pid)));
  const chain = state.chain ? await stopGroup(state.chain.pid) : false;
  removeDevnetState(paths);
  rmSync(join(paths.devnetDir, 'chain'), { recursive: true, force: true });
  return { stopped: orchs.filter(Boolean).length + (chain ? 1 : 0) };
}

/** Live view of a recorded devnet. */
export interface DevnetStatus {
  state: DevnetState;
  chain: { alive: boolean; blockNumber?: bigint } | null;
  orchestrators: Array<DevnetOrchestratorState & { alive: boolean; stats?: { sessions: number; segments: number; ticketsReceived: number; winningTickets: number; redeemed: number } }>;
  accounts: Array<{ address: string; privateKey: string; balance?: bigint; deposit?: bigint; reserve?: bigint }>;
}

async function orchStats(uri: string, token: string): Promise<DevnetStatus['orchestrators'][number]['stats']> {
  const { Agent, fetch } = await import('undici');
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const res = await fetch(`${uri}/devnet/stats`, { headers: { authorization: `Bearer ${token}` }, dispatcher, signal: AbortSignal.timeout(2000) });
    if (res.status !== 200) return undefined;
    return (await res.json()) as DevnetStatus['orchestrators'][number]['stats'];
  } catch {
    return undefined;
  } finally {
    await dispatcher.close();
  }
}

/** Processes, orchestrator counters and account funds of the recorded devnet; undefined when there is none. */
export async function devnetStatus(paths: GwPaths): Promise<DevnetStatus | undefined> {
  const state = readDevnetState(paths);
  if (!state) return undefined;
  const orchestrators = await Promise.all(
    state.orchestrators.map(async (orch) => {
      const alive = isDevnetProcess(orch.pid);
      const stats = alive ? await orchStats(orch.uri, orch.controlToken) : undefined;
      return { ...orch, alive, ...(stats ? { stats } : {}) };
    }),
  );
  let chain: DevnetStatus['chain'] = null;
  const accounts: DevnetStatus['accounts'] = state.accounts.map((a) => ({ ...a }));
  if (state.chain) {
    chain = { alive: isDevnetProcess(state.chain.pid) };
    if (chain.alive) {
      try {
        const client = await createChainClient({ rpcUrl: state.chain.rpcUrl, controller: state.chain.contracts.controller, requestTimeoutMs: 3000 });
        chain.blockNumber = (await client.latestBlock()).number;
        for (const a of accounts) {
          const [balance, info] = await Promise.all([client.balance(a.address as Hex), client.getSenderInfo(a.address as Hex)]);
          Object.assign(a, { balance, deposit: info.deposit, reserve: info.reserve.fundsRemaining });
        }
      } catch {
        // chain unreachable: shown without balances
      }
    }
  }
  return { state, chain, orchestrators, accounts };
}
