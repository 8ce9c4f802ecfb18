// Sender validation against a real hardhat node with the devnet contracts: getSenderInfo through SenderMonitor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { advanceRounds } from '../../src/devnet/chain/admin.js';
import { deployDevnet, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { createChainClient, type ChainClient } from '../../src/lib/chain/chainClient.js';
import { hexToBytes } from '../../src/lib/protocol/encoding.js';
import { ZERO_HASH } from '../../src/lib/protocol/hash.js';
import { fastLocalSigner } from '../../src/lib/payments/fastSigner.js';
import { SenderMonitor } from '../../src/lib/payments/senderMonitor.js';
import type { ChainSnapshot } from '../../src/lib/chain/watcher.js';
import { SenderFundsError } from '../../src/lib/payments/senderValidation.js';
import { TicketSender } from '../../src/lib/payments/ticketSender.js';
import { RemotePaymentSession, RemoteSignerClient } from '../../src/core/payments/remoteSigner.js';
import { decodePaymentHeader } from '../../src/lib/protocol/headers.js';
import { parseEth } from '../../src/lib/payments/units.js';
import { TestOrchestrator } from './helpers.js';

let chain: LocalChain;
let deployed: DeployResult;
let gw: ChainClient;
let monitor: SenderMonitor;
let sender: TicketSender;
const orch = new TestOrchestrator();

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    deployerKey: chain.accounts[0]!.privateKey,
    unlockPeriod: 2n,
  });
  const key = chain.accounts[2]!.privateKey;
  gw = await createChainClient({ rpcUrl: chain.rpcUrl, controller: deployed.contracts.controller, account: key, pollingIntervalMs: 20 });
  const signer = fastLocalSigner(key);
  monitor = new SenderMonitor(gw, signer.address);
  sender = new TicketSender({ signer, chain: monitor });
}, 60_000);

afterAll(async () => {
  await chain?.stop();
});

async function tryPay(creationRound?: bigint) {
  const state = await monitor.refresh();
  const info = orch.info(sender.address, {
    expirationBlock: state.lastSeenL1Block + 40n,
    creationRound: creationRound ?? state.lastInitializedRound,
    creationRoundBlockHash: creationRound === 0n ? ZERO_HASH : state.lastInitializedBlockHash,
  });
  return sender.session(info).createPayment(1);
}

describe('ticket sender on a devnet chain', () => {
  it('an empty sender cannot pay: no sender reserve, then (reserve only) no sender deposit', async () => {
    const err = await tryPay().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SenderFundsError);
    expect((err as SenderFundsError).message).toBe('no sender reserve');
    expect((err as SenderFundsError).stopsStream).toBe(true);
    await (await gw.fundReserve(parseEth('0.5'))).wait();
    await expect(tryPay()).rejects.toThrow('no sender deposit');
  });

  it('after funding the deposit, payments are built and an orchestrator accepts them', async () => {
    await (await gw.fundDeposit(parseEth('1'))).wait();
    const signed = await tryPay();
    const state = monitor.current()!;
    expect(state.info.deposit).toBe(parseEth('1'));
    expect(orch.receive(signed.payment, state.lastSeenL1Block).error).toBeUndefined();
  });

  it('uses the chain\'s last initialized round and its block hash when O sends none', async () => {
    const signed = await tryPay(0n);
    const round = await gw.lastInitializedRound();
    expect(signed.payment.expirationParams?.creationRound).toBe(round);
    expect(signed.payment.expirationParams?.creationRoundBlockHash).toEqual(hexToBytes(await gw.blockHashForRound(round)));
  });

  it('follows chain watcher snapshots (applySnapshot) like its own polling', async () => {
    const polled = await monitor.refresh();
    const fresh = new SenderMonitor(gw, sender.address);
    const abort = new AbortController();
    let snapshot: ChainSnapshot | undefined;
    await gw.watch({
      signal: abort.signal,
      sender: sender.address,
      intervalMs: 20,
      onEvent: (e) => {
        if (e.type === 'snapshot') {
          snapshot = e.snapshot;
          abort.abort();
        }
      },
    });
    await fresh.applySnapshot(snapshot!);
    expect(fresh.current()).toEqual(polled);
    await expect(fresh.applySnapshot({ ...snapshot!, sender: undefined })).rejects.toThrow(/not for sender/);
  });

  it('unlocking: still payable this round, refused ("unlock soon") one round later', async () => {
    await (await gw.unlock()).wait();
    await expect(tryPay()).resolves.toMatchObject({ batch: { count: 1 } });
    await advanceRounds({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, privateKey: chain.accounts[0]!.privateKey, contracts: deployed.contracts }, 1n);
    await expect(tryPay()).rejects.toThrow('unable to validate sender: deposit and reserve is set to unlock soon');
    expect(sender.checkParams(orch.info(sender.address, { expirationBlock: monitor.current()!.lastSeenL1Block + 40n }).ticketParams)?.stopsStream).toBe(true);
  });
});

describe('gw devnet signer process on the chain', () => {
  it('reads its funds from the chain, pays, and stops on SIGTERM', async () => {
    const account = chain.accounts[3]!;
    await (await gw.fundDepositAndReserveFor(account.address, parseEth('1'), parseEth('1'))).wait();
    const main = fileURLToPath(new URL('../../src/devnet/signer/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, '--port', '0', '--eth-url', chain.rpcUrl, '--controller', deployed.contracts.controller],
      { env: { ...process.env, GW_SIGNER_ETH_KEY: account.privateKey }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`signer did not start: ${output}`)), 30_000);
        const onData = (d: Buffer) => {
          output += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`signer exited with ${code}: ${output}`)));
      });
      expect(output).not.toContain(account.privateKey.slice(2));
      const l1 = await gw.latestL1Block();
      const round = await gw.lastInitializedRound();
      const info = orch.info(account.address, {
        expirationBlock: l1 + 40n,
        creationRound: round,
        creationRoundBlockHash: hexToBytes(await gw.blockHashForRound(round)),
        price: { pricePerUnit: 100n, pixelsPerUnit: 1n },
      });
      const session = new RemotePaymentSession(new RemoteSignerClient({ url }), { info, type: 'lv2v', refresh: async (_u, c) => c });
      const out = await session.pay();
      expect(out.status).toBe('paid');
      if (out.status === 'paid') expect(orch.receive(decodePaymentHeader(out.payment), l1).error).toBeUndefined();
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    }
  }, 60_000);
});
