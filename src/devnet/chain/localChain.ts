// Local EVM for the devnet and tests: `hardhat node` as a child process on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex, type Address, type Hex } from 'viem';
import { HDKey, privateKeyToAddress } from 'viem/accounts';

/** Hardhat's well-known development mnemonic: its accounts are public, never use them for real funds. */
export const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk';
/** Hardhat's default chain id. */
export const LOCAL_CHAIN_ID = 31337;

/** A funded development account. */
export interface DevAccount {
  address: Address;
  privateKey: Hex;
}

export interface LocalChainOptions {
  /** TCP port on 127.0.0.1; 0 (default) lets the OS choose. */
  port?: number;
  /** Directory for the generated hardhat config; a temp dir (removed on stop) when omitted. */
  dataDir?: string;
  chainId?: number;
  /** ETH balance of each dev account, in wei (default 10,000 ETH). */
  accountBalanceWei?: bigint;
  startTimeoutMs?: number;
  /** Receives the node's output lines (it logs every RPC call); dropped when omitted. */
  onLog?: (line: string) => void;
}

export interface LocalChain {
  rpcUrl: string;
  chainId: number;
  /** The first 10 accounts of HARDHAT_MNEMONIC, all funded. */
  accounts: DevAccount[];
  pid: number;
  /** Milliseconds from spawn until eth_chainId answered. */
  startupMs: number;
  stop(): Promise<void>;
}

/** Derive the first `count` accounts of a BIP-39 mnemonic on m/44'/60'/0'/0/i. */
export function mnemonicAccounts(mnemonic: string = HARDHAT_MNEMONIC, count = 10): DevAccount[] {
  // BIP-39 seed: PBKDF2-HMAC-SHA512(mnemonic, "mnemonic", 2048) — native crypto is much faster than JS.
  const seed = pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512');
  const root = HDKey.fromMasterSeed(seed);
  const accounts: DevAccount[] = [];
  for (let i = 0; i < count; i++) {
    const key = root.derive(`m/44'/60'/0'/0/${i}`).privateKey;
    if (!key) throw new Error(`could not derive account ${i}`);
    const privateKey = bytesToHex(key);
    accounts.push({ address: privateKeyToAddress(privateKey), privateKey });
  }
  return accounts;
}

/** Resolves a module id to a file, as require.resolve does from gw's own code; injectable for tests. */
export type ModuleResolver = (id: string) => string;

/** gw's package directory (src/devnet/chain or dist/devnet/chain, three levels down). */
const GW_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The hardhat version gw is developed with (its devDependency), for the install hint. */
function hardhatVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(GW_ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    return pkg.devDependencies?.['hardhat']?.replace(/^[\^~]/, '') ?? '2';
  } catch {
    return '2';
  }
}

/** What to tell someone whose gw cannot find hardhat: why it is needed and the command that installs it. */
export function hardhatMissingMessage(): string {
  const spec = `hardhat@${hardhatVersion()}`;
  return (
    `the devnet needs hardhat to run its local chain, and it is not installed: hardhat is a development dependency of gw, ` +
    `which installing gw as a package leaves out. Install it where gw finds it: npm install --no-save --prefix ${GW_ROOT.replace(/\/$/, '')} ${spec} ` +
    `(or, in the project that depends on gw, npm install --save-dev ${spec}), then run the command again`
  );
}

/** Where hardhat's CLI is; throws an Error with hardhatMissingMessage() when it cannot be resolved. */
export function resolveHardhat(resolve: ModuleResolver = createRequire(import.meta.url).resolve): { cli: string; projectRoot: string } {
  let pkgJson: string;
  try {
    pkgJson = resolve('hardhat/package.json');
  } catch {
    throw new Error(hardhatMissingMessage());
  }
  const pkgDir = dirname(pkgJson);
  // Hardhat refuses to run unless its cwd resolves a local install: use the project that has it.
  return { cli: join(pkgDir, 'internal', 'cli', 'bootstrap.js'), projectRoot: dirname(dirname(pkgDir)) };
}

function hardhatConfig(chainId: number, balanceWei: bigint): string {
  const config = {
    networks: {
      hardhat: {
        chainId,
        accounts: { mnemonic: HARDHAT_MNEMONIC, count: 10, accountsBalance: balanceWei.toString() },
      },
    },
  };
  return `module.exports = ${JSON.stringify(config, null, 2)};\n`;
}

async function rpcChainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number.parseInt(body.result, 16) : undefined;
  } catch {
    return undefined;
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Start `hardhat node` on 127.0.0.1 and wait until it answers eth_chainId. */
export async function startLocalChain(options: LocalChainOptions = {}): Promise<LocalChain> {
  const chainId = options.chainId ?? LOCAL_CHAIN_ID;
  const port = options.port ?? 0;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const ownDir = options.dataDir === undefined;
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'gw-chain-')));
  await mkdir(dir, { recursive: true });
  const configPath = join(dir, 'hardhat.config.cjs');
  await writeFile(configPath, hardhatConfig(chainId, options.accountBalanceWei ?? 10_000n * 10n ** 18n));

  const { cli, projectRoot } = resolveHardhat();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [cli, '--config', configPath, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: projectRoot,
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', DO_NOT_TRACK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const recent: string[] = [];
  let announcedUrl: string | undefined;
  const onLine = (line: string) => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    const m = /JSON-RPC server at (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(line);
    if (m?.[1]) announcedUrl = m[1];
    options.onLog?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
  }

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5000);
    }
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    const deadline = started + timeoutMs;
    let rpcUrl: string | undefined;
    while (performance.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`hardhat node exited with code ${child.exitCode}`);
      const candidate = port !== 0 ? `http://127.0.0.1:${port}` : announcedUrl;
      if (candidate) {
        const id = await rpcChainId(candidate);
        if (id !== undefined) {
          if (id !== chainId) throw new Error(`hardhat node reports chain id ${id}, expected ${chainId}`);
          rpcUrl = candidate;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!rpcUrl) throw new Error(`hardhat node did not answer within ${timeoutMs} ms`);
    return {
      rpcUrl,
      chainId,
      accounts: mnemonicAccounts(HARDHAT_MNEMONIC, 10),
      pid: child.pid ?? -1,
      startupMs: Math.round(performance.now() - started),
      stop,
    };
  } catch (err) {
    await stop();
    const tail = recent.slice(-10).join('\n');
    throw new Error(`${(err as Error).message}${tail ? `\nlast output:\n${tail}` : ''}`, { cause: err });
  }
}
