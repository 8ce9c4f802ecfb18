// The devnet orchestrator against a real local chain: sender funds shape the face value, inactive orchestrators
// refuse payments, and winning tickets are redeemed on the devnet TicketBroker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hex } from 'viem';
import { createChainClient, type ChainClient } from '../../src/lib/chain/chainClient.js';
import { bytesToBigint, localSigner, MAX_WIN_PROB } from '../../src/lib/protocol/index.js';
import { registerInPool } from '../../src/devnet/chain/admin.js';
import { deployDevnet, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { OrchClient } from './helpers/orchClient.js';
import { orchRequest, segmentHeaders } from './helpers/payments.js';

const ETH = 10n ** 18n;
const FACE_VALUE = ETH / 100n;
const BODY = new Uint8Array(188 * 10).fill(0x47);

let chain: LocalChain;
let deployed: DeployResult;
let gwChain: ChainClient;
let orch: DevnetOrchestrator;
let inactive: DevnetOrchestrator;
const clients: OrchClient[] = [];

function key(i: number): Hex {
  return chain.accounts[i]!.privateKey;
}

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, deployerKey: key(0) });
  const owner = { rpcUrl: chain.rpcUrl, chainId: chain.chainId, privateKey: key(0), contracts: deployed.contracts };
  await registerInPool(owner, chain.accounts[1]!.address, 1000n * ETH);
  gwChain = await createChainClient({ rpcUrl: chain.rpcUrl, controller: deployed.contracts.controller, account: key(3), pollingIntervalMs: 20 });
  await (await gwChain.fundDepositAndReserve(ETH, ETH)).wait();
  const common = {
    pricePerUnit: 1n,
    pixelsPerUnit: 1n,
    passthrough: true,
    chain: { rpcUrl: chain.rpcUrl, controller: deployed.contracts.controller, chainId: chain.chainId },
    // ticketEV == maxFaceValue: face value = EV, so winProb = 2^256 − 1 and every ticket wins.
    ticketEV: FACE_VALUE,
    maxFaceValue: FACE_VALUE,
    chainPollMs: 200,
  };
  [orch, inactive] = await Promise.all([
    startDevnetOrchestrator({ ...common, ethKey: key(1) }),
    startDevnetOrchestrator({ ...common, ethKey: key(2) }),
  ]);
}, 90_000);

afterAll(async () => {
  clients.forEach((c) => c.close());
  await orch?.close();
  await inactive?.close();
  await chain?.stop();
});

function client(o: DevnetOrchestrator): OrchClient {
  const c = new OrchClient(o.serviceUri);
  clients.push(c);
  return c;
}

describe('on a real chain', () => {
  it('redeems a winning ticket: the sender deposit drops by the face value', async () => {
    const gw = localSigner(key(3));
    const c = client(orch);
    const r = await c.getOrchestrator(await orchRequest(gw));
    expect(r.status, r.message).toBe(0);
    const tp = r.info!.ticketParams!;
    expect(bytesToBigint(tp.faceValue)).toBe(FACE_VALUE);
    expect(bytesToBigint(tp.winProb)).toBe(MAX_WIN_PROB);
    expect(tp.expirationParams?.creationRound).toBe(deployed.round);
    const l1 = await gwChain.latestL1Block();
    expect(bytesToBigint(tp.expirationBlock)).toBeGreaterThanOrEqual(l1 + 39n);

    const before = await gwChain.getSenderInfo(gw.address);
    const orchEthBefore = await gwChain.balance(orch.address);
    const h = await segmentHeaders({ info: r.info!, signer: gw, data: BODY, numTickets: 1 });
    const seg = await c.postSegment(h.seg, h.pay, BODY);
    expect(seg.status, seg.text).toBe(200);
    await orch.redemptionsSettled();
    const stats = orch.stats();
    expect(stats.lastRedeemError).toBeUndefined();
    expect([stats.winningTickets, stats.redeemed, stats.redeemFailed]).toEqual([1, 1, 0]);
    const after = await gwChain.getSenderInfo(gw.address);
    expect(before.deposit - after.deposit).toBe(FACE_VALUE);
    expect(after.reserve.fundsRemaining).toBe(ETH);
    const orchEthAfter = await gwChain.balance(orch.address);
    expect(orchEthAfter - orchEthBefore).toBeGreaterThan(FACE_VALUE - ETH / 1000n); // face value minus gas
  });

  it('refuses senders without a reserve and payments to an orchestrator outside the active set', async () => {
    const unfunded = await client(orch).getOrchestrator(await orchRequest(localSigner(key(4))));
    expect([unfunded.status, unfunded.message]).toEqual([2, 'insufficient sender reserve']);

    const gw = localSigner(key(3));
    const c = client(inactive);
    const r = await c.getOrchestrator(await orchRequest(gw));
    expect(r.status, r.message).toBe(0);
    const h = await segmentHeaders({ info: r.info!, signer: gw, data: BODY, numTickets: 1 });
    const seg = await c.postSegment(h.seg, h.pay, BODY);
    expect([seg.status, seg.text]).toEqual([400, `orchestrator ${inactive.address} is inactive in round ${deployed.round}, cannot process payments\n`]);
  });
});
