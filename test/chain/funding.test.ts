// Gateway-side chain client against a real hardhat node with the devnet contracts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, zeroAddress, type Address, type Hash } from 'viem';
import { devnetOwner, advanceRounds, registerInPool, setServiceUri } from '../../src/devnet/chain/admin.js';
import { deployDevnet, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { latestBlock } from '../../src/lib/chain/blocks.js';
import { createChainClient, type ChainClient } from '../../src/lib/chain/chainClient.js';
import { resolveContract } from '../../src/lib/chain/controller.js';
import { ChainError } from '../../src/lib/chain/errors.js';
import { bondingManagerAbi, serviceRegistryAbi } from '../../src/lib/chain/abi.js';
import { ARBITRUM_ONE_MAINNET } from '../../src/lib/chain/networks.js';
import { watchChain, type ChainWatchEvent } from '../../src/lib/chain/watcher.js';
import { parseEth } from '../../src/lib/payments/units.js';

let chain: LocalChain;
let deployed: DeployResult;
let gw: ChainClient;

const owner = () => devnetOwner(chain, deployed.contracts);

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    deployerKey: chain.accounts[0]!.privateKey,
    unlockPeriod: 2n,
    ticketValidityPeriod: 2n,
  });
  console.log(`hardhat node ready in ${chain.startupMs} ms; devnet deployed in ${deployed.deployMs} ms`);
  gw = await createChainClient({
    rpcUrl: chain.rpcUrl,
    controller: deployed.contracts.controller,
    account: chain.accounts[1]!.privateKey,
    pollingIntervalMs: 20,
  });
});

afterAll(async () => {
  if (!chain) return;
  await chain.stop();
  // the node process is gone
  expect(() => process.kill(chain.pid, 0)).toThrow(/ESRCH/);
});

async function expectChainError(p: Promise<unknown>, reason: RegExp | string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChainError);
  if (typeof reason === 'string') expect((err as ChainError).reason).toBe(reason);
  else expect((err as ChainError).message).toMatch(reason);
}

describe('local chain and deployment', () => {
  it('serves the default dev accounts on 127.0.0.1', async () => {
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(chain.chainId).toBe(31337);
    expect(chain.accounts).toHaveLength(10);
    expect(chain.accounts[0]).toEqual({
      address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    });
    expect(await gw.balance(chain.accounts[9]!.address)).toBe(parseEth('10000'));
  });

  it('registers every contract in the Controller and initializes round 1', async () => {
    expect(gw.chainId).toBe(31337);
    expect(gw.network.name).toBe('devnet');
    expect(gw.network.l1BlockSource).toBe('block-number');
    expect(gw.contracts).toEqual(deployed.contracts);
    expect(deployed.contracts.controller).toBe(getAddress(deployed.contracts.controller));
    expect(deployed.round).toBe(1n);
    expect(await gw.currentRound()).toBe(1n);
    expect(await gw.lastInitializedRound()).toBe(1n);
    const hash = await gw.blockHashForRound(1n);
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(hash).not.toBe(`0x${'0'.repeat(64)}`);
    expect(await gw.blockHashForRound(2n)).toBe(`0x${'0'.repeat(64)}`);
    expect(await gw.unlockPeriod()).toBe(2n);
    expect(await gw.ticketValidityPeriod()).toBe(2n);
    await expect(resolveContract(gw.publicClient, gw.contracts.controller, 'Minter')).rejects.toThrow(
      /has no Minter registered/,
    );
  });

  it('latestL1Block is the block number on the devnet; the Arbitrum source needs the header field', async () => {
    const block = await gw.latestBlock();
    expect(block.l1BlockNumber).toBe(block.number);
    expect(await gw.latestL1Block()).toBe(await gw.publicClient.getBlockNumber());
    await expect(latestBlock(gw.publicClient, 'arbitrum-header')).rejects.toThrow(/no l1BlockNumber field/);
  });

  it('refuses a wrong Controller, a wrong network and an unreachable RPC with clear errors', async () => {
    await expect(
      createChainClient({ rpcUrl: chain.rpcUrl, controller: chain.accounts[5]!.address }),
    ).rejects.toThrow(/no contract at Controller address/);
    await expect(createChainClient({ rpcUrl: chain.rpcUrl, network: ARBITRUM_ONE_MAINNET })).rejects.toThrow(
      /serves chain 31337, but network arbitrum-one-mainnet is chain 42161/,
    );
    await expect(
      createChainClient({ rpcUrl: 'http://127.0.0.1:1', controller: zeroAddress, requestTimeoutMs: 2000 }),
    ).rejects.toThrow(/cannot reach the Ethereum RPC at http:\/\/127\.0\.0\.1:1/);
  });
});

describe('funding, unlock and withdraw (sender state machine)', () => {
  it('starts Empty and fails validation with "no sender reserve"', async () => {
    const s = await gw.getSenderStatus();
    expect(s.state).toBe('Empty');
    expect(s.info).toEqual({ deposit: 0n, withdrawRound: 0n, reserve: { fundsRemaining: 0n, claimedInCurrentRound: 0n } });
    expect((await gw.checkSender())?.message).toBe('no sender reserve');
  });

  it('fundDeposit returns the hash at once, then waits for the receipt', async () => {
    const tx = await gw.fundDeposit(parseEth('0.5'));
    expect(tx.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const receipt = await tx.wait();
    expect(receipt.hash).toBe(tx.hash);
    expect(receipt.gasUsed).toBeGreaterThan(21_000n);
    expect(receipt.feeWei).toBeGreaterThan(0n);
    expect((await gw.getSenderInfo()).deposit).toBe(parseEth('0.5'));
    expect((await gw.checkSender())?.message).toBe('no sender reserve');
  });

  it('fundReserve, then fundDepositAndReserve add up; state Locked; validation passes', async () => {
    await (await gw.fundReserve(parseEth('0.36'))).wait();
    await (await gw.fundDepositAndReserve(parseEth('0.1'), parseEth('0.04'))).wait();
    const s = await gw.getSenderStatus();
    expect(s.info).toEqual({
      deposit: parseEth('0.6'),
      withdrawRound: 0n,
      reserve: { fundsRemaining: parseEth('0.4'), claimedInCurrentRound: 0n },
    });
    expect(s.state).toBe('Locked');
    expect(await gw.checkSender()).toBeNull();
  });

  it('fundDepositAndReserveFor funds another address', async () => {
    const beneficiary = chain.accounts[4]!.address;
    await (await gw.fundDepositAndReserveFor(beneficiary, parseEth('1'), parseEth('2'))).wait();
    const info = await gw.getSenderInfo(beneficiary);
    expect(info.deposit).toBe(parseEth('1'));
    expect(info.reserve.fundsRemaining).toBe(parseEth('2'));
  });

  it('rejects zero amounts before sending', async () => {
    await expectChainError(gw.fundDeposit(0n), /deposit amount must be greater than 0/);
    await expectChainError(gw.fundDepositAndReserve(0n, 0n), /must be greater than 0/);
  });

  it('unlock → Unlocking with withdrawRound = currentRound + unlockPeriod; a second unlock reverts', async () => {
    await (await gw.unlock()).wait();
    const s = await gw.getSenderStatus();
    expect(s.state).toBe('Unlocking');
    expect(s.info.withdrawRound).toBe(s.currentRound + 2n);
    // withdrawRound 3 > lastInitializedRound + 1 = 2: still allowed to pay for now
    expect(await gw.checkSender()).toBeNull();
    await expectChainError(gw.unlock(), 'unlock already initiated');
    await expectChainError(gw.withdraw(), 'account is locked');
  });

  it('cancelUnlock → Locked; a second cancel reverts', async () => {
    await (await gw.cancelUnlock()).wait();
    expect((await gw.getSenderStatus()).state).toBe('Locked');
    expect((await gw.getSenderInfo()).withdrawRound).toBe(0n);
    await expectChainError(gw.cancelUnlock(), 'no unlock request in progress');
  });

  it('unlock again; one round later the gateway refuses to pay ("unlock soon")', async () => {
    await (await gw.unlock()).wait();
    const before = await gw.getSenderStatus();
    expect(before.state).toBe('Unlocking');
    expect(await advanceRounds(owner(), 1n)).toBe(before.currentRound + 1n);
    expect((await gw.getSenderStatus()).state).toBe('Unlocking');
    expect((await gw.checkSender())?.message).toBe(
      'unable to validate sender: deposit and reserve is set to unlock soon',
    );
  });

  it('after the unlock period → Unlocked; withdraw returns deposit + reserve to the wallet', async () => {
    await advanceRounds(owner(), 1n);
    const s = await gw.getSenderStatus();
    expect(s.state).toBe('Unlocked');
    const balanceBefore = await gw.balance();
    const tx = await gw.withdraw();
    const receipt = await tx.wait();
    const balanceAfter = await gw.balance();
    expect(balanceAfter - balanceBefore).toBe(parseEth('1') - receipt.feeWei);
    const after = await gw.getSenderStatus();
    expect(after.info.deposit).toBe(0n);
    expect(after.info.reserve.fundsRemaining).toBe(0n);
    expect(after.state).toBe('Empty');
    await expectChainError(gw.withdraw(), 'sender deposit and reserve are zero');
    await expectChainError(gw.unlock(), 'sender deposit and reserve are zero');
  });

  it('a client without an account can read but not send', async () => {
    const ro = await createChainClient({ rpcUrl: chain.rpcUrl, controller: deployed.contracts.controller });
    expect(ro.address).toBeUndefined();
    expect((await ro.getSenderInfo(chain.accounts[4]!.address)).deposit).toBe(parseEth('1'));
    await expectChainError(ro.fundDeposit(1n), /no account configured/);
    await expectChainError(ro.getSenderInfo(), /no sender address/);
  });
});

describe('watcher', () => {
  it('reports block, round and sender changes, then stops on abort', async () => {
    const events: ChainWatchEvent[] = [];
    const waiters: { pred: (e: ChainWatchEvent) => boolean; resolve: () => void }[] = [];
    const until = (pred: (e: ChainWatchEvent) => boolean) =>
      new Promise<void>((resolve, reject) => {
        if (events.some(pred)) return resolve();
        const timer = setTimeout(() => reject(new Error('timed out waiting for watcher event')), 10_000);
        waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
      });
    const controller = new AbortController();
    const done = gw.watch({
      signal: controller.signal,
      intervalMs: 25,
      onEvent: (e) => {
        events.push(e);
        for (const w of waiters) if (w.pred(e)) w.resolve();
      },
    });

    await until((e) => e.type === 'snapshot');
    const first = events.find((e) => e.type === 'senderState');
    expect(first).toEqual({ type: 'senderState', state: 'Empty' });
    expect(events.find((e) => e.type === 'deposit')).toEqual({ type: 'deposit', deposit: 0n });

    let hash: Hash = (await gw.fundDepositAndReserve(parseEth('0.2'), parseEth('0.3'))).hash;
    await gw.waitForTx(hash);
    await until((e) => e.type === 'senderState' && e.state === 'Locked');
    expect(events).toContainEqual({ type: 'deposit', deposit: parseEth('0.2'), previous: 0n });
    expect(events).toContainEqual({
      type: 'reserve',
      reserve: { fundsRemaining: parseEth('0.3'), claimedInCurrentRound: 0n },
      previous: { fundsRemaining: 0n, claimedInCurrentRound: 0n },
    });
    expect(events).toContainEqual({ type: 'senderState', state: 'Locked', previous: 'Empty' });

    const round = await gw.currentRound();
    await advanceRounds(owner(), 3n);
    await until((e) => e.type === 'lastInitializedRound' && e.lastInitializedRound === round + 3n);
    expect(events).toContainEqual({ type: 'round', currentRound: round + 3n, previous: round });

    hash = (await gw.unlock()).hash;
    await gw.waitForTx(hash);
    await until((e) => e.type === 'senderState' && e.state === 'Unlocking');
    expect(events.some((e) => e.type === 'withdrawRound' && e.withdrawRound === round + 5n)).toBe(true);

    const blocks = events.filter((e) => e.type === 'block');
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.type === 'error')).toBe(false);

    controller.abort();
    await expect(done).resolves.toBeUndefined();
    const count = events.length;
    await (await gw.cancelUnlock()).wait();
    await new Promise((r) => setTimeout(r, 100));
    expect(events.length).toBe(count);
  });

  it('reports poll errors as events and keeps going', async () => {
    const events: ChainWatchEvent[] = [];
    const controller = new AbortController();
    let calls = 0;
    const source = {
      latestBlock: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return { number: 7n, hash: `0x${'1'.repeat(64)}` as const, timestamp: 1n, l1BlockNumber: 7n };
      },
      currentRound: async () => 3n,
      lastInitializedRound: async () => 3n,
      getSenderInfo: async (_a: Address) => ({
        deposit: 1n,
        withdrawRound: 0n,
        reserve: { fundsRemaining: 1n, claimedInCurrentRound: 0n },
      }),
    };
    const done = watchChain({
      source,
      sender: chain.accounts[1]!.address,
      intervalMs: 5,
      signal: controller.signal,
      onEvent: (e) => events.push(e),
    });
    while (!events.some((e) => e.type === 'snapshot')) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await done;
    expect(events[0]?.type).toBe('error');
    expect((events[0] as { error: Error }).error.message).toMatch(/chain poll failed: boom/);
    expect(events).toContainEqual({ type: 'senderState', state: 'Locked' });
    // unchanged blocks produce no further events
    expect(events.filter((e) => e.type === 'snapshot')).toHaveLength(1);
  });
});

describe('discovery contracts (BondingManager pool, ServiceRegistry)', () => {
  async function pool(): Promise<[Address, bigint][]> {
    const bm = gw.contracts.bondingManager;
    const read = gw.publicClient.readContract;
    const out: [Address, bigint][] = [];
    let cur = await read({ address: bm, abi: bondingManagerAbi, functionName: 'getFirstTranscoderInPool' });
    while (cur !== zeroAddress) {
      out.push([cur, await read({ address: bm, abi: bondingManagerAbi, functionName: 'transcoderTotalStake', args: [cur] })]);
      cur = await read({ address: bm, abi: bondingManagerAbi, functionName: 'getNextTranscoderInPool', args: [cur] });
    }
    return out;
  }

  it('keeps the pool sorted by stake and serves each orchestrator its URI', async () => {
    const [a, b, c] = [chain.accounts[6]!, chain.accounts[7]!, chain.accounts[8]!];
    expect(await pool()).toEqual([]);
    await registerInPool(owner(), a.address, 100n);
    await registerInPool(owner(), b.address, 300n);
    await registerInPool(owner(), c.address, 200n);
    expect(await pool()).toEqual([
      [b.address, 300n],
      [c.address, 200n],
      [a.address, 100n],
    ]);
    await registerInPool(owner(), a.address, 250n); // stake update re-sorts
    expect((await pool()).map(([addr]) => addr)).toEqual([b.address, a.address, c.address]);
    expect(
      await gw.publicClient.readContract({
        address: gw.contracts.bondingManager,
        abi: bondingManagerAbi,
        functionName: 'getTranscoderPoolSize',
      }),
    ).toBe(3n);

    await setServiceUri({ ...owner(), privateKey: b.privateKey }, 'https://127.0.0.1:8935');
    const uri = (addr: Address) =>
      gw.publicClient.readContract({
        address: gw.contracts.serviceRegistry,
        abi: serviceRegistryAbi,
        functionName: 'getServiceURI',
        args: [addr],
      });
    expect(await uri(b.address)).toBe('https://127.0.0.1:8935');
    expect(await uri(a.address)).toBe('');
    // only the owner manages the devnet pool
    await expect(registerInPool({ ...owner(), privateKey: b.privateKey }, b.address, 1n)).rejects.toThrow(
      /caller is not the owner/,
    );
  });
});
