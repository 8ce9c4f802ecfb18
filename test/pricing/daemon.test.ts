// The daemon finds the devnet's ETH/USD feed through devnet.json, converts a USD video cap with it, shows the rate in
// GET /v1/prices, and `gw price set --currency USD` reports the wei the new cap stands for.
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { deployDevnet, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { writeDevnetState } from '../../src/devnet/devnetState.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ROOT, tempDataDir } from '../helpers/gw.js';

let chain: LocalChain;
let deployed: DeployResult;
let gateway: TestGateway;
const { dir, cleanup } = tempDataDir('gw-usd-daemon-');

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, deployerKey: chain.accounts[0]!.privateKey });
  // What `gw devnet up` records, without its orchestrators.
  const gw = chain.accounts[1]!;
  writeDevnetState(resolvePaths(dir), {
    version: 1,
    createdAt: new Date().toISOString(),
    chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId, pid: chain.pid, contracts: { ...deployed.contracts, priceFeed: deployed.priceFeed }, log: join(dir, 'chain.log') },
    orchestrators: [],
    accounts: [{ address: gw.address, privateKey: gw.privateKey }],
  });
  gateway = await startTestGateway({ network: 'devnet', maxPricePerUnit: '0.02USD', pixelsPerUnit: 1_000_000 }, dir);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await chain?.stop();
  cleanup();
});

describe('gw start on a devnet with a USD cap', () => {
  it('converts the cap at the devnet feed’s 3000 USD/ETH', async () => {
    const p = await gateway.client.prices();
    expect(p.ethUsd).toMatchObject({ feed: deployed.priceFeed, usdPerEth: '3000.00', decimals: 8, problem: null });
    expect(p.video).toMatchObject({ maxPricePerUnit: '0.02USD', currency: 'USD', weiPerPixel: '20000000/3', weiPerUnit: '20000000000000/3', unknownReason: null });
  });

  it('gw price set --currency USD applies live and prints the wei equivalent', async () => {
    const r = await execa(process.execPath, ['--import', 'tsx', '--no-warnings', join(ROOT, 'test/ai/runCommand.ts'), join(ROOT, 'src/commands/price/set.ts'), '--max-price-per-unit', '0.03', '--pixels-per-unit', '1000000', '--currency', 'USD'], {
      reject: false,
      env: { GW_DATA_DIR: dir, NO_COLOR: '1' },
      cwd: ROOT,
      timeout: 30_000,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    // 0.03 USD / 3000 USD/ETH = 1e13 wei per 1e6 pixels.
    expect(String(r.stdout)).toContain('video cap: 0.03 USD per 1000000 pixel(s) = 10000000000000 wei per 1000000 pixel(s) = 10000000 wei/pixel at 3000.00 USD/ETH');
    const p = await gateway.client.prices();
    expect(p.video.weiPerPixel).toBe('10000000/1');
  });
});
