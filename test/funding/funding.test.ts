// Gateway account and TicketBroker funding end to end: a real hardhat chain, a real daemon, the real commands.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, http, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonState } from '../../src/api/contract.js';
import { ControlClient } from '../../src/api/controlClient.js';
import { checkDaemon } from '../../src/api/daemonState.js';
import { GwClientError } from '../../src/api/errors.js';
import { resolvePaths, type GwPaths } from '../../src/lib/settings/paths.js';
import type { SettingValue } from '../../src/lib/settings/settings.js';
import { DaemonStartError, launchDaemon, stopDaemon } from '../../src/cli/services/daemonProcess.js';
import type { FundingResult } from '../../src/cli/services/funding.js';
import type { AccountView } from '../../src/lib/chain/accountView.js';
import { ticketBrokerAbi } from '../../src/lib/chain/abi.js';
import { decryptKeystore, readKeyFile } from '../../src/lib/payments/keystore.js';
import { parseEth } from '../../src/lib/payments/units.js';
import { devnetOwner, advanceRounds, registerInPool } from '../../src/devnet/chain/admin.js';
import { deployDevnet, localChainDefinition, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { tempDataDir } from '../helpers/gw.js';
import { runInProcess, runInPty, runProcess } from './gwCommands.js';

const PASSWORD = 'correct horse battery staple 42';
const WRONG_PASSWORD = 'hunter2-not-the-password';
const FREE = { controlAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', rtmpAddr: '127.0.0.1:0' };

let chain: LocalChain;
let deployed: DeployResult;
let pub: PublicClient;
const main = tempDataDir('gw-funding-');
const paths: GwPaths = resolvePaths(main.dir);
const passwordFile = join(main.dir, 'password');
const wrongPasswordFile = join(main.dir, 'wrong_password');
let gateway: Address;
let createdKeyFile: string;
let daemon: DaemonState;
const extraDirs: Array<{ dir: string; cleanup: () => void }> = [];
const running: GwPaths[] = [];

const owner = () => devnetOwner(chain, deployed.contracts);
const chainFlags = (): Record<string, SettingValue> => ({
  ...FREE,
  network: 'devnet',
  ethUrl: chain.rpcUrl,
  ethController: deployed.contracts.controller,
  keystore: paths.keystoreDir,
});

async function senderInfo(addr: Address) {
  const [sender, reserve] = await pub.readContract({
    address: deployed.contracts.ticketBroker,
    abi: ticketBrokerAbi,
    functionName: 'getSenderInfo',
    args: [addr],
  });
  return { deposit: sender.deposit, withdrawRound: sender.withdrawRound, reserve: reserve.fundsRemaining };
}

/** The state the CLI printed agrees with the chain. */
async function expectMatchesChain(view: AccountView) {
  const info = await senderInfo(gateway);
  expect(view.address).toBe(gateway);
  expect(view.depositWei).toBe(info.deposit.toString());
  expect(view.reserveWei).toBe(info.reserve.toString());
  const empty = info.deposit === 0n && info.reserve === 0n;
  expect(view.withdrawRound).toBe(info.withdrawRound === 0n || empty ? null : info.withdrawRound.toString());
}

async function gw(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string; json: unknown }> {
  const r = await runInProcess([...argv, '--data-dir', main.dir]);
  let json: unknown;
  if (argv.includes('--json') && r.stdout.trim() !== '') json = JSON.parse(r.stdout);
  return { ...r, json };
}

async function fund(argv: string[]): Promise<FundingResult> {
  const r = await gw([...argv, '--yes', '--json']);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const result = r.json as FundingResult;
  expect(result.status).toBe('success');
  expect(result.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  const receipt = await pub.getTransactionReceipt({ hash: result.txHash as Hex });
  expect(receipt.status).toBe('success');
  expect(result.blockNumber).toBe(receipt.blockNumber.toString());
  await expectMatchesChain(result.account);
  return result;
}

beforeAll(async () => {
  delete process.env.GW_ETH_PASSWORD;
  chain = await startLocalChain();
  deployed = await deployDevnet({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    deployerKey: chain.accounts[0]!.privateKey,
    unlockPeriod: 2n,
    ticketValidityPeriod: 2n,
  });
  pub = createPublicClient({ chain: localChainDefinition(chain.rpcUrl, chain.chainId), transport: http(chain.rpcUrl), pollingInterval: 20 }) as PublicClient;
  // Two registered orchestrators: the devnet pool size used by the reserve guidance.
  await registerInPool(owner(), chain.accounts[7]!.address, 1n);
  await registerInPool(owner(), chain.accounts[8]!.address, 1n);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(wrongPasswordFile, `${WRONG_PASSWORD}\n`, { mode: 0o600 });
});

afterAll(async () => {
  for (const p of running) await stopDaemon({ paths: p, timeoutMs: 5000 }).catch(() => undefined);
  await chain?.stop();
  main.cleanup();
  for (const d of extraDirs) d.cleanup();
});

function extraDir(): { dir: string; paths: GwPaths } {
  const d = tempDataDir('gw-funding-x-');
  extraDirs.push(d);
  return { dir: d.dir, paths: resolvePaths(d.dir) };
}

async function start(p: GwPaths, flags: Record<string, SettingValue>, password?: string): Promise<DaemonState> {
  running.push(p);
  const { state } = await launchDaemon({ paths: p, flags, timeoutMs: 30_000, ...(password !== undefined ? { password } : {}) });
  return state;
}

describe('gateway account and funding (hardhat chain, real daemon, real commands)', () => {
  it('creates an account: a light-scrypt v3 key file, 0600, decryptable with the password', async () => {
    const r = await gw(['account', 'create', '--light-kdf', '--password-file', passwordFile, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const created = r.json as { address: Address; path: string };
    expect(created.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(created.path.startsWith(paths.keystoreDir)).toBe(true);
    expect(created.path).toMatch(new RegExp(`UTC--\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{9}Z--${created.address.slice(2).toLowerCase()}$`));
    expect(statSync(created.path).mode & 0o777).toBe(0o600);
    const ks = await readKeyFile(created.path);
    expect(ks.crypto.kdf).toBe('scrypt');
    expect((ks.crypto.kdfparams as { n: number }).n).toBe(4096);
    expect((await decryptKeystore(ks, PASSWORD)).address).toBe(created.address);
    expect(readFileSync(created.path, 'utf8')).not.toContain(PASSWORD);
    gateway = created.address;
    createdKeyFile = created.path;

    // ETH for the gateway from dev account #0.
    const wallet = createWalletClient({ chain: localChainDefinition(chain.rpcUrl, chain.chainId), account: privateKeyToAccount(chain.accounts[0]!.privateKey), transport: http(chain.rpcUrl) });
    await pub.waitForTransactionReceipt({ hash: await wallet.sendTransaction({ to: gateway, value: parseEth('5') }) });
  });

  it('creates an account interactively: the password is asked twice and never echoed (pseudo-terminal)', async () => {
    const other = extraDir();
    const typed = 'typed-in-a-terminal-7';
    const r = await runInPty(['account', 'create', '--light-kdf', '--data-dir', other.dir], [
      ['New keystore password:', typed],
      ['Repeat the password:', typed],
    ]);
    expect(r.screen).not.toContain(typed);
    expect(r.exitCode).toBe(0);
    const address = /Address:\s+(0x[0-9a-fA-F]{40})/.exec(r.screen)?.[1];
    const path = /Key file:\s+(\S+)/.exec(r.screen)?.[1];
    expect(address).toBeDefined();
    expect((await decryptKeystore(await readKeyFile(path!), typed)).address).toBe(address);
  });

  it('imports a raw private key and copies a v3 key file; refuses a duplicate', async () => {
    const other = extraDir();
    const keyFile = join(other.dir, 'key.hex');
    writeFileSync(keyFile, `${chain.accounts[5]!.privateKey.slice(2)}\n`, { mode: 0o600 });
    const imported = await runInProcess(['account', 'import', '--private-key-file', keyFile, '--light-kdf', '--password-file', passwordFile, '--data-dir', other.dir, '--json']);
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).not.toContain(chain.accounts[5]!.privateKey.slice(2));
    const r = JSON.parse(imported.stdout) as { address: string; path: string; encrypted: boolean };
    expect(r).toMatchObject({ address: chain.accounts[5]!.address, encrypted: true });
    expect((await decryptKeystore(await readKeyFile(r.path), PASSWORD)).address).toBe(chain.accounts[5]!.address);
    const again = await runInProcess(['account', 'import', '--private-key-file', keyFile, '--light-kdf', '--password-file', passwordFile, '--data-dir', other.dir]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('already in the keystore');

    const copied = await runInProcess(['account', 'import', createdKeyFile, '--data-dir', other.dir, '--json']);
    expect(copied.exitCode).toBe(0);
    expect(JSON.parse(copied.stdout)).toMatchObject({ address: gateway, encrypted: false });
  });

  it('starts the daemon on the devnet with the keystore and a password file', async () => {
    daemon = await start(paths, { ...chainFlags(), passwordFile });
    expect(daemon.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const log = readFileSync(paths.logFile, 'utf8');
    expect(log).toContain('gateway account unlocked');
    expect(log).not.toContain(PASSWORD);
  });

  it('shows the empty account with balances, rounds, runway and reserve guidance', async () => {
    const r = await gw(['account', '--json']);
    expect(r.exitCode).toBe(0);
    const v = r.json as AccountView;
    await expectMatchesChain(v);
    expect(v).toMatchObject({
      network: 'devnet',
      chainId: 31337,
      senderState: 'Empty',
      ethBalanceWei: parseEth('5').toString(),
      currentRound: '1',
      unlockPeriod: '2',
      projectedWithdrawRound: '3',
      source: 'daemon',
      payError: 'no sender reserve',
    });
    expect(v.runway?.text).toBe('unknown — no spend yet');
    expect(v.reserveGuidance).toMatchObject({ poolSize: 2, poolSizeSource: 'devnet orchestrators', recommendedReserveWei: parseEth('0.0072').toString() });
    const text = await gw(['account', 'show', '--pool-size', '100']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/Deposit:\s+0 ETH/);
    expect(text.stdout).toMatch(/State:\s+Empty/);
    expect(text.stdout).toMatch(/Runway:\s+unknown — no spend yet/);
    expect(text.stdout).toContain('Recommended reserve: 0.36 ETH (3 gwei × 1.2M gas × 100 orchestrators)');
  });

  it('refuses to send without --yes when stdin is not a terminal (real process)', async () => {
    const r = await runProcess(['deposit', 'fund', '0.01', '--data-dir', main.dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('refusing to send a transaction without confirmation');
    expect(r.stderr).toContain('--yes');
    expect(r.stdout).toContain('deposit 0 ETH → 0.01 ETH');
    expect((await senderInfo(gateway)).deposit).toBe(0n);
  });

  it('asks for confirmation in a terminal: "n" sends nothing (pseudo-terminal)', async () => {
    const r = await runInPty(['deposit', 'fund', '0.01', '--data-dir', main.dir], [['Send this transaction? [y/N]', 'n']]);
    expect(r.screen).toContain('deposit 0 ETH → 0.01 ETH');
    expect(r.screen).toContain('cancelled: nothing was sent');
    expect(r.exitCode).toBe(1);
    expect((await senderInfo(gateway)).deposit).toBe(0n);
  });

  it('funds the deposit, printing the plan, the tx hash and the new state', async () => {
    const r = await gw(['deposit', 'fund', '1', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`Fund the deposit of ${gateway} with 1 ETH (TicketBroker.fundDeposit).`);
    expect(r.stdout).toContain('deposit 0 ETH → 1 ETH');
    expect(r.stdout).toMatch(/Transaction sent: 0x[0-9a-f]{64}/);
    expect(r.stdout).toMatch(/Mined in block \d+ \(fee 0\.\d+ ETH\)/);
    expect(r.stdout).toMatch(/Deposit:\s+1 ETH/);
    expect(r.stdout).toContain('warning: no reserve');
    const v = (await gw(['account', '--json'])).json as AccountView;
    await expectMatchesChain(v);
    expect(v.depositWei).toBe(parseEth('1').toString());
  });

  it('funds the reserve, then both in one fundDepositAndReserve transaction', async () => {
    const reserve = await fund(['reserve', 'fund', '0.5']);
    expect(reserve.account).toMatchObject({ reserveWei: parseEth('0.5').toString(), senderState: 'Locked', payError: null });
    expect(reserve.account.reserveGuidance.perOrchestratorWei).toBe(parseEth('0.25').toString());

    const both = await fund(['deposit', 'fund', '0.25', '--reserve', '0.1']);
    expect(both.action).toBe('deposit-and-reserve');
    expect(both.account).toMatchObject({ depositWei: parseEth('1.25').toString(), reserveWei: parseEth('0.6').toString() });
    const tx = await pub.getTransaction({ hash: both.txHash as Hex });
    expect(tx.input.slice(0, 10)).toBe('0x511f4073');
    expect(tx.value).toBe(parseEth('0.35'));
  });

  it('announces chain.updated events on the bus', async () => {
    const client = ControlClient.forPaths(paths);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 10_000);
    const seen: Array<{ depositWei: string; reserveWei: string; senderState: string }> = [];
    for await (const ev of client.events({ signal: ac.signal, lastEventId: 0 })) {
      if (ev.type === 'chain.updated') seen.push(ev);
      if (ev.type === 'chain.updated' && ev.depositWei === parseEth('1.25').toString()) break;
    }
    clearTimeout(timer);
    ac.abort();
    expect(seen[0]).toMatchObject({ depositWei: '0', reserveWei: '0', senderState: 'Empty', round: '1' });
    expect(seen.at(-1)).toMatchObject({ reserveWei: parseEth('0.6').toString(), senderState: 'Locked' });
  });

  it('unlocks (warning that work stops), refuses an early withdraw, cancels, unlocks again', async () => {
    const r = await gw(['deposit', 'unlock', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('work stops almost at once');
    expect(r.stdout).toContain('#1184');
    expect(r.stdout).toContain('funds can be withdrawn from round 3 (current round 1 + unlock period 2)');
    const v = (await gw(['account', '--json'])).json as AccountView;
    await expectMatchesChain(v);
    expect(v).toMatchObject({ senderState: 'Unlocking', withdrawRound: '3' });
    // go-livepeer refuses a sender only once withdrawRound ≤ lastInitializedRound + 1: here from round 2.
    expect(v.payError).toBeNull();

    const early = await gw(['deposit', 'withdraw', '--yes']);
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toContain('withdrawal opens in round 3 (current round 1)');
    const api = await ControlClient.forPaths(paths).request('POST', '/v1/funding/withdraw', {}).catch((e: unknown) => e);
    expect(api).toBeInstanceOf(GwClientError);
    expect(api).toMatchObject({ status: 409, code: 'too_early' });
    const twice = await gw(['deposit', 'unlock', '--yes']);
    expect(twice.exitCode).toBe(1);
    expect(twice.stderr).toContain('an unlock is already in progress');

    const cancelled = await fund(['deposit', 'cancel-unlock']);
    expect(cancelled.account).toMatchObject({ senderState: 'Locked', withdrawRound: null });
    const again = await fund(['deposit', 'unlock']);
    expect(again.account).toMatchObject({ senderState: 'Unlocking', withdrawRound: '3' });
  });

  it('withdraws once the withdraw round is reached', async () => {
    expect(await advanceRounds(owner(), 2n)).toBe(3n);
    const before = await pub.getBalance({ address: gateway });
    const v = (await gw(['account', '--json'])).json as AccountView;
    expect(v).toMatchObject({ senderState: 'Unlocked', currentRound: '3', payError: 'unable to validate sender: deposit and reserve is set to unlock soon' });
    const w = await fund(['deposit', 'withdraw']);
    expect(w.account).toMatchObject({ senderState: 'Empty', depositWei: '0', reserveWei: '0', withdrawRound: null });
    const after = await pub.getBalance({ address: gateway });
    expect(after).toBe(before + parseEth('1.85') - BigInt(w.feeWei!));
    const nothing = await gw(['deposit', 'withdraw', '--yes']);
    expect(nothing.exitCode).toBe(1);
    expect(nothing.stderr).toContain('nothing to withdraw');
  });

  it('asks for confirmation in a terminal: "y" sends, shows the hash and the new state (pseudo-terminal)', async () => {
    const r = await runInPty(['reserve', 'fund', '0.01', '--data-dir', main.dir], [['Send this transaction? [y/N]', 'y']]);
    expect(r.exitCode).toBe(0);
    expect(r.screen).toMatch(/Transaction sent: 0x[0-9a-f]{64}/);
    expect(r.screen).toMatch(/Reserve:\s+0\.01 ETH/);
    expect((await senderInfo(gateway)).reserve).toBe(parseEth('0.01'));
  });

  it('validates control API bodies and tx hashes', async () => {
    const client = ControlClient.forPaths(paths);
    const post = (path: string, body: unknown) => client.request('POST', path, body).catch((e: GwClientError) => e);
    for (const [path, body, field] of [
      ['/v1/funding/deposit', { amountWei: '1.5' }, '"amountWei" must be a decimal string of wei'],
      ['/v1/funding/deposit', { amountWei: 5 }, '"amountWei" must be a decimal string of wei'],
      ['/v1/funding/reserve', {}, '"amountWei" is required'],
      ['/v1/funding/reserve', { amountWei: '0' }, '"amountWei" must be greater than 0'],
      ['/v1/funding/deposit-and-reserve', { depositWei: '1', reserveWei: 'x' }, '"reserveWei" must be a decimal string'],
      ['/v1/funding/deposit', { amountWei: '1', extra: true }, 'unknown field "extra"'],
      ['/v1/funding/unlock', { now: true }, 'unknown field "now"'],
    ] as const) {
      const e = await post(path, body);
      expect(e).toMatchObject({ status: 400 });
      expect((e as Error).message).toContain(field);
    }
    expect(await client.request('GET', '/v1/tx/0x1234').catch((e: GwClientError) => e)).toMatchObject({ status: 400 });
    expect(await client.request('GET', `/v1/tx/0x${'ab'.repeat(32)}`).catch((e: GwClientError) => e)).toMatchObject({ status: 404, code: 'unknown_tx' });
    expect(await client.request('GET', '/v1/funding/unlock').catch((e: GwClientError) => e)).toMatchObject({ status: 405 });
    const big = await post('/v1/funding/deposit', { amountWei: parseEth('1000').toString() });
    expect(big).toMatchObject({ status: 409, code: 'insufficient_funds' });
  });

  it('a daemon started without a password source fails fast; a handed-over password works', async () => {
    await stopDaemon({ paths, timeoutMs: 5000 });
    const err = await launchDaemon({ paths, flags: chainFlags(), timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonStartError);
    expect((err as Error).message).toContain('the daemon never prompts');
    expect((err as Error).message).toContain('--password-file');
    expect(checkDaemon(paths).state).not.toBe('running');

    const state = await start(paths, chainFlags(), PASSWORD);
    expect(state.pid).toBeGreaterThan(0);
    const v = (await gw(['account', '--json'])).json as AccountView;
    expect(v.address).toBe(gateway);
    expect(readFileSync(paths.logFile, 'utf8')).not.toContain(PASSWORD);
    await stopDaemon({ paths, timeoutMs: 5000 });
  });

  it('`gw start` in a terminal asks for the password and hands it to the daemon (pseudo-terminal)', async () => {
    const flags = Object.entries(chainFlags()).flatMap(([k, v]) => [`--${k.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`, String(v)]);
    running.push(paths);
    const r = await runInPty(['start', ...flags, '--data-dir', main.dir], [[`Keystore password for ${gateway}:`, PASSWORD]]);
    expect(r.screen).not.toContain(PASSWORD);
    expect(r.exitCode).toBe(0);
    expect(r.screen).toContain('is running');
    const v = (await gw(['account', '--json'])).json as AccountView;
    expect(v.address).toBe(gateway);
    await stopDaemon({ paths, timeoutMs: 5000 });
  });

  it('a wrong password stops the start with a clear error that never shows the password', async () => {
    const err = await launchDaemon({ paths, flags: { ...chainFlags(), passwordFile: wrongPasswordFile }, timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonStartError);
    expect((err as Error).message).toContain(`cannot unlock the gateway account: wrong password for ${gateway.toLowerCase()}`);
    expect((err as Error).message).not.toContain(WRONG_PASSWORD);
    expect(readFileSync(paths.logFile, 'utf8')).not.toContain(WRONG_PASSWORD);
    expect(checkDaemon(paths).state).not.toBe('running');
  });

  it('reads the chain directly when the daemon is not running', async () => {
    writeFileSync(paths.configFile, JSON.stringify({ network: 'devnet', ethUrl: chain.rpcUrl, ethController: deployed.contracts.controller }));
    const r = await gw(['account', '--json']);
    expect(r.exitCode).toBe(0);
    const v = r.json as AccountView;
    await expectMatchesChain(v);
    expect(v).toMatchObject({ source: 'chain', runway: null, senderState: 'Locked', reserveWei: parseEth('0.01').toString() });
    const text = await gw(['account']);
    expect(text.stdout).toMatch(/Runway:\s+unknown — no spend yet/);
  });

  it('an off-chain daemon answers the funding commands with a clear error', async () => {
    const off = extraDir();
    await start(off.paths, FREE);
    const r = await runInProcess(['deposit', 'fund', '1', '--yes', '--data-dir', off.dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('this gateway runs off-chain: no account or deposit (start with --network …)');
    const api = await ControlClient.forPaths(off.paths).request('GET', '/v1/account').catch((e: unknown) => e);
    expect(api).toMatchObject({ status: 409, code: 'offchain' });
    await stopDaemon({ paths: off.paths, timeoutMs: 5000 });
  });

  it('on a devnet without a keystore, uses the first dev account and the RPC/Controller of devnet.json', async () => {
    const dev = extraDir();
    const devAccount = chain.accounts[3]!;
    mkdirSync(dev.paths.devnetDir, { recursive: true });
    writeFileSync(
      join(dev.paths.devnetDir, 'devnet.json'),
      JSON.stringify({ chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId, contracts: deployed.contracts }, accounts: [devAccount] }),
    );
    await start(dev.paths, { ...FREE, network: 'devnet' });
    const v = (await runInProcess(['account', '--json', '--data-dir', dev.dir]).then((r) => JSON.parse(r.stdout))) as AccountView;
    expect(v).toMatchObject({ address: devAccount.address, network: 'devnet', source: 'daemon' });
    await stopDaemon({ paths: dev.paths, timeoutMs: 5000 });
  });
});
