// The daemon's chain module in-process against a real hardhat chain: cache, watcher, events, spend, routes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GwEvent } from '../../src/api/events.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { resolveSettings } from '../../src/lib/settings/resolveSettings.js';
import type { SettingValue } from '../../src/lib/settings/settings.js';
import type { AccountView } from '../../src/lib/chain/accountView.js';
import { ticketBrokerAbi } from '../../src/lib/chain/abi.js';
import { startGatewayChain, type GatewayChain } from '../../src/core/chain/gatewayChain.js';
import { chainRoutes } from '../../src/core/control/routes/chain.js';
import { FundingService } from '../../src/core/chain/fundingService.js';
import type { TxStatusView } from '../../src/api/contract.js';
import { EventBus } from '../../src/core/eventBus.js';
import { createLogger } from '../../src/core/logger.js';
import { RuntimeConfig } from '../../src/core/runtimeConfig.js';
import { parseEth } from '../../src/lib/payments/units.js';
import { deployDevnet, localChainDefinition, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { tempDataDir } from '../helpers/gw.js';

let chain: LocalChain;
let deployed: DeployResult;
const tmp = tempDataDir('gw-chainmod-');
const paths = resolvePaths(tmp.dir);
const bus = new EventBus();
const events: GwEvent[] = [];
bus.subscribe((e) => events.push(e));
const abort = new AbortController();
let gc: GatewayChain;
let app: Hono;

function runtime(flags: Record<string, SettingValue>): RuntimeConfig {
  return new RuntimeConfig(resolveSettings({ flags, configFile: paths.configFile, env: {} }), paths.configFile, bus);
}
const log = () => createLogger({ logFile: paths.logFile, level: 'info', foreground: false });

async function until<T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, deployerKey: chain.accounts[0]!.privateKey, unlockPeriod: 3n });
  mkdirSync(paths.devnetDir, { recursive: true });
  writeFileSync(
    join(paths.devnetDir, 'devnet.json'),
    JSON.stringify({ chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId, contracts: deployed.contracts }, accounts: [chain.accounts[4]] }),
  );
  const started = await startGatewayChain({ config: runtime({ network: 'devnet' }), log: log(), bus, paths, signal: abort.signal, pollIntervalMs: 100 });
  if (!started) throw new Error('expected an on-chain module');
  gc = started;
  app = new Hono();
  chainRoutes({ account: gc, funding: new FundingService(gc) }).register(app);
});

afterAll(async () => {
  await gc?.close();
  abort.abort();
  await chain?.stop();
  tmp.cleanup();
});

describe('startGatewayChain', () => {
  it('unlocks the devnet dev account and caches the first snapshot', async () => {
    expect(gc.address).toBe(chain.accounts[4]!.address);
    expect(gc.signer.address).toBe(gc.address);
    expect(gc.settings).toMatchObject({ network: 'devnet', rpcUrl: chain.rpcUrl, controller: deployed.contracts.controller, account: { kind: 'dev' } });
    expect(gc.senderInfo()).toEqual({ deposit: 0n, withdrawRound: 0n, reserve: { fundsRemaining: 0n, claimedInCurrentRound: 0n } });
    expect(gc.lastInitializedRound()).toBe(1n);
    expect(gc.latestL1Block()).toBe(await gc.client.publicClient.getBlockNumber());
    expect(events.find((e) => e.type === 'chain.updated')).toMatchObject({ depositWei: '0', reserveWei: '0', round: '1', senderState: 'Empty' });
  });

  it('follows funding sent through the routes: 202 with the hash, then the tx status and a fresh cache', async () => {
    const res = await app.request('/v1/funding/deposit-and-reserve', {
      method: 'POST',
      body: JSON.stringify({ depositWei: parseEth('2').toString(), reserveWei: parseEth('0.5').toString() }),
    });
    expect(res.status).toBe(202);
    const { txHash } = (await res.json()) as { txHash: string };
    let tx: TxStatusView | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      tx = (await (await app.request(`/v1/tx/${txHash}`)).json()) as TxStatusView;
      if (tx.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(tx).toMatchObject({ hash: txHash, status: 'success', action: 'deposit-and-reserve' });
    expect(BigInt(tx!.feeWei!)).toBeGreaterThan(0n);
    // The cache was refreshed before the status turned to success.
    expect(gc.senderInfo().deposit).toBe(parseEth('2'));
    expect(events.filter((e) => e.type === 'chain.updated').at(-1)).toMatchObject({ depositWei: parseEth('2').toString(), senderState: 'Locked' });
  });

  it('sees changes made by others through the watcher (fundDepositAndReserveFor from a cold wallet)', async () => {
    const cold = createWalletClient({ chain: localChainDefinition(chain.rpcUrl, chain.chainId), account: privateKeyToAccount(chain.accounts[0]!.privateKey), transport: http(chain.rpcUrl) });
    await cold.writeContract({
      address: deployed.contracts.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'fundDepositAndReserveFor',
      args: [gc.address, parseEth('1'), 0n],
      value: parseEth('1'),
    });
    const ev = await until('chain.updated with 3 ETH', () =>
      events.find((e) => e.type === 'chain.updated' && e.depositWei === parseEth('3').toString()),
    );
    expect(ev).toBeDefined();
    expect(gc.senderInfo().deposit).toBe(parseEth('3'));
  });

  it('estimates the runway from recorded spend and checks the largest face value seen', async () => {
    const empty = (await (await app.request('/v1/account')).json()) as AccountView;
    expect(empty.runway).toMatchObject({ evSpentWei: '0', seconds: null, text: 'unknown — no spend yet' });
    gc.recordSpend(parseEth('0.001'));
    gc.recordSpend(parseEth('0.002'));
    bus.emit({ type: 'tickets.sent', streamId: 's', recipient: '0x1', count: 1, faceValueWei: parseEth('4').toString(), winProb: '1', evWei: '1', firstNonce: 0 });
    expect(gc.maxFaceValueSeen()).toBe(parseEth('4'));
    const v = (await (await app.request('/v1/account?poolSize=10')).json()) as AccountView;
    expect(v.runway?.evSpentWei).toBe(parseEth('0.003').toString());
    // Deposit 3 ETH = 1000 × the EV spent over the span, so the runway in seconds is the span in milliseconds.
    const seconds = v.runway!.seconds!;
    expect(seconds).toBeGreaterThanOrEqual(1000);
    expect(seconds).toBeLessThan(120_000);
    expect(BigInt(v.runway!.perHourWei)).toBe((parseEth('0.003') * 3_600_000n) / BigInt(seconds));
    expect(v.reserveGuidance).toMatchObject({ poolSize: 10, poolSizeSource: 'flag', maxFaceValueSeenWei: parseEth('4').toString(), depositCoversFaceValue: false });
    expect(v.reserveGuidance.warnings.join('\n')).toContain('the deposit cannot cover one ticket');
  });

  it('refuses bad input and impossible actions with the error shape', async () => {
    const post = async (path: string, body?: string) => {
      const r = await app.request(path, { method: 'POST', ...(body !== undefined ? { body } : {}) });
      return { status: r.status, body: (await r.json()) as { error: { code: string; message: string } } };
    };
    expect(await post('/v1/funding/deposit', '{"amountWei":"0.5"}')).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(await post('/v1/funding/deposit', 'not json')).toMatchObject({ status: 400, body: { error: { code: 'bad_json' } } });
    expect(await post('/v1/funding/cancel-unlock')).toMatchObject({ status: 409, body: { error: { code: 'no_unlock' } } });
    expect(await post('/v1/funding/withdraw')).toMatchObject({ status: 409, body: { error: { code: 'not_unlocked', message: expect.stringContaining('wait 3 rounds') } } });
    expect((await app.request('/v1/account?poolSize=0')).status).toBe(400);
  });

  it('an off-chain module answers 409 offchain everywhere; offchain config starts nothing', async () => {
    const off = new Hono();
    chainRoutes(null).register(off);
    for (const [path, method] of [['/v1/account', 'GET'], ['/v1/funding/deposit', 'POST'], ['/v1/funding/withdraw', 'POST'], [`/v1/tx/0x${'0'.repeat(64)}`, 'GET']] as const) {
      const r = await off.request(path, { method });
      expect(r.status).toBe(409);
      expect(await r.json()).toEqual({ error: { code: 'offchain', message: 'this gateway runs off-chain: no account or deposit (start with --network …)' } });
    }
    expect(await startGatewayChain({ config: runtime({}), log: log(), bus, paths, signal: abort.signal })).toBeNull();
    await expect(
      startGatewayChain({ config: runtime({ network: 'arbitrum-one-mainnet' }), log: log(), bus, paths, signal: abort.signal }),
    ).rejects.toThrow('network arbitrum-one-mainnet needs --eth-url');
  });

  it('close() stops the watcher', async () => {
    await gc.close();
    const before = events.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(events.length).toBe(before);
  });
});
