// On-chain pool against a real hardhat node with the devnet contracts, and on-chain session selection over it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, getAddress, http, type PublicClient } from 'viem';
import { devnetOwner, registerInPool, setServiceUri } from '../../src/devnet/chain/admin.js';
import { deployDevnet, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { OnChainPool, walkTranscoderPool } from '../../src/core/discovery/pools.js';
import { OrchestratorRegistry } from '../../src/core/discovery/registry.js';
import { getOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';
import { buildOrchestratorRequest } from '../../src/lib/protocol/orchestratorRequest.js';
import { buildCapabilities } from '../../src/lib/protocol/capabilities.js';
import { bytesToBigint, hexToBytes } from '../../src/lib/protocol/encoding.js';
import { StreamSessions } from '../../src/core/sessions/streamSessions.js';
import { startMiniOrchestrator, type MiniOrchestrator } from './miniOrchestrator.js';

let chain: LocalChain;
let deployed: DeployResult;
let client: PublicClient;
const minis: MiniOrchestrator[] = [];

const owner = () => devnetOwner(chain, deployed.contracts);
const as = (i: number) => ({ ...owner(), privateKey: chain.accounts[i]!.privateKey });
const acct = (i: number) => chain.accounts[i]!.address;

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, deployerKey: chain.accounts[0]!.privateKey });
  client = createPublicClient({ transport: http(chain.rpcUrl, { retryCount: 0 }) }) as PublicClient;
  // Accounts 2, 3 answer fast / slower with valid params; 5 has expired params; 4 has no service URI.
  const specs: [number, bigint, number, bigint][] = [
    [2, 100n, 0, 1000n],
    [3, 300n, 60, 1000n],
    [5, 50n, 0, 5n],
  ];
  for (const [i, stake, delayMs, expirationBlock] of specs) {
    const m = await startMiniOrchestrator({ delayMs, address: hexToBytes(acct(i)), ticketParams: { expirationBlock } });
    minis.push(m);
    await registerInPool(owner(), acct(i), stake);
    await setServiceUri(as(i), m.uri);
  }
  await registerInPool(owner(), acct(4), 200n);
});

afterAll(async () => {
  await Promise.all(minis.map((m) => m.close()));
  await chain?.stop();
});

describe('on-chain pool', () => {
  it('walks the BondingManager pool with service URIs and stakes, score 0; cached until refreshed', async () => {
    expect(await walkTranscoderPool(client, deployed.contracts.bondingManager)).toEqual([acct(3), acct(4), acct(2), acct(5)].map((a) => getAddress(a)));
    const pool = new OnChainPool({ client, bondingManager: deployed.contracts.bondingManager, serviceRegistry: deployed.contracts.serviceRegistry });
    const list = await pool.candidates();
    expect(list).toEqual([
      { uri: minis[1]!.uri, score: 0, address: getAddress(acct(3)), stake: 300n },
      { uri: minis[0]!.uri, score: 0, address: getAddress(acct(2)), stake: 100n },
      { uri: minis[2]!.uri, score: 0, address: getAddress(acct(5)), stake: 50n },
    ]);
    expect(pool.stakes().get(acct(3).toLowerCase())).toBe(300n);

    await registerInPool(owner(), acct(2), 400n);
    expect(await pool.candidates()).toBe(list);
    const fresh = await pool.refresh();
    expect(fresh[0]).toEqual({ uri: minis[0]!.uri, score: 0, address: getAddress(acct(2)), stake: 400n });
    await registerInPool(owner(), acct(2), 100n);
  });

  it('on-chain sessions: ticket-params validation and stake-weighted selection of unused sessions', async () => {
    const pool = new OnChainPool({ client, bondingManager: deployed.contracts.bondingManager, serviceRegistry: deployed.contracts.serviceRegistry });
    const request = buildOrchestratorRequest({ capabilities: buildCapabilities({ ids: [0, 1, 12] }) });
    const registry = new OrchestratorRegistry();
    let r = 0.5;
    const make = () =>
      new StreamSessions({
        streamId: 'chain-stream',
        pool,
        request,
        getOrchestrator,
        registry,
        onChain: true,
        validateTicketParams: (info) => (bytesToBigint(info.ticketParams!.expirationBlock) <= 10n ? 'TicketParams expired' : undefined),
        rng: () => r,
      });
    const ss = make();
    expect(await ss.start()).toEqual({ trusted: 0, untrusted: 2 });
    expect(registry.list().find((v) => v.uri === minis[2]!.uri)!.rejected).toEqual({ reason: 'bad ticket params', detail: 'TicketParams expired' });
    // Unused order is [acct2 (fast, stake 100), acct3 (slow, stake 300)]: p = 0.325 / 0.675. r = 0.5 → acct3,
    // where the off-chain rule would take the first.
    const s = (await ss.select())!;
    expect(s.uri).toBe(minis[1]!.uri);
    expect(s.stake).toBe(300n);
    expect(s.pmSessionId).toMatch(/^0x[0-9a-f]{64}$/);
    await ss.teardown();

    r = 0.1;
    const ss2 = make();
    await ss2.start();
    expect((await ss2.select())!.uri).toBe(minis[0]!.uri);
    await ss2.teardown();
  });
});
