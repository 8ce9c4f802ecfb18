// The ETH/USD feed reader and watcher against a real hardhat node with the devnet DevnetPriceFeed, and the proof
// that a USD video cap follows the feed: a real orchestrator's price turns acceptable / too high as the ETH price moves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { resolveSettings } from '../../src/lib/settings/resolveSettings.js';
import { renderPrices } from '../../src/cli/services/prices.js';
import { AiPrices } from '../../src/lib/pricing/aiPrices.js';
import { createChainClient, type ChainClient } from '../../src/lib/chain/chainClient.js';
import { ChainError } from '../../src/lib/chain/errors.js';
import { PriceFeedWatcher, priceFeedAddressFor, readPriceFeed } from '../../src/core/chain/priceFeed.js';
import { EventBus } from '../../src/core/eventBus.js';
import { GatewayService } from '../../src/core/gateway/gatewayService.js';
import { DiscoveryService } from '../../src/core/discovery/discoveryService.js';
import { LocalPaymentSource } from '../../src/core/payments/localPaymentSource.js';
import { fixedSenderState } from '../../src/lib/payments/senderMonitor.js';
import { TicketSender } from '../../src/lib/payments/ticketSender.js';
import { localSigner } from '../../src/lib/protocol/signer.js';
import type { EthUsdQuote } from '../../src/lib/pricing/fiatPrice.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { RuntimeConfig } from '../../src/core/runtimeConfig.js';
import { devnetOwner, setEthUsdAnswer } from '../../src/devnet/chain/admin.js';
import { DEVNET_ETH_USD_ANSWER, DEVNET_PRICE_FEED_DECIMALS, deployDevnet, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { type DevnetState, writeDevnetState } from '../../src/devnet/devnetState.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { fundedChain, GATEWAY_KEY } from '../payments/helpers.js';

const USD = (n: bigint) => n * 10n ** 8n;
let chain: LocalChain;
let deployed: DeployResult;
let client: ChainClient;
const dir = mkdtempSync(join(tmpdir(), 'gw-pricefeed-'));

const owner = () => devnetOwner(chain, deployed.contracts);

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, deployerKey: chain.accounts[0]!.privateKey });
  client = await createChainClient({ rpcUrl: chain.rpcUrl, controller: deployed.contracts.controller, pollingIntervalMs: 20 });
}, 60_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await chain?.stop();
});

describe('readPriceFeed', () => {
  it('reads decimals and latestRoundData of the devnet feed as typed values', async () => {
    const r = await readPriceFeed(client.publicClient, deployed.priceFeed);
    expect(r).toMatchObject({ answer: DEVNET_ETH_USD_ANSWER, decimals: DEVNET_PRICE_FEED_DECIMALS, roundId: 1n, answeredInRound: 1n });
    expect(r.answer).toBe(USD(3000n));
    const block = await client.publicClient.getBlock();
    expect(r.updatedAt > 0n && r.updatedAt <= block.timestamp).toBe(true);
    expect(r.startedAt).toBe(r.updatedAt);
  });

  it('fails with a ChainError at an address that is not a feed', async () => {
    await expect(readPriceFeed(client.publicClient, deployed.contracts.controller)).rejects.toThrow(ChainError);
    await expect(readPriceFeed(client.publicClient, deployed.contracts.controller)).rejects.toThrow(/price feed 0x/);
  });

  it('picks the configured feed, else the network default', async () => {
    const base = { devnetDir: join(dir, 'devnet'), rpcUrl: chain.rpcUrl };
    expect(await priceFeedAddressFor({ ...base, network: 'devnet', configured: deployed.priceFeed.toLowerCase() })).toBe(deployed.priceFeed);
    expect(await priceFeedAddressFor({ ...base, network: 'arbitrum-one-mainnet', configured: undefined })).toBe('0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612');
    // No devnet.json here: no feed.
    expect(await priceFeedAddressFor({ ...base, network: 'devnet', configured: undefined })).toBeUndefined();
    // `gw devnet up` records the feed in devnet.json; it is used only for the chain that file describes.
    const state: DevnetState = { version: 1, createdAt: new Date().toISOString(), chain: { rpcUrl: chain.rpcUrl, chainId: chain.chainId, pid: process.pid, contracts: { ...deployed.contracts, priceFeed: deployed.priceFeed }, log: 'chain.log' }, orchestrators: [], accounts: [] };
    writeDevnetState(resolvePaths(join(dir, 'gw')), state);
    const devnetDir = resolvePaths(join(dir, 'gw')).devnetDir;
    expect(await priceFeedAddressFor({ devnetDir, rpcUrl: chain.rpcUrl, network: 'devnet', configured: undefined })).toBe(deployed.priceFeed);
    expect(await priceFeedAddressFor({ devnetDir, rpcUrl: 'http://127.0.0.1:1/', network: 'devnet', configured: undefined })).toBeUndefined();
  });
});

describe('PriceFeedWatcher', () => {
  it('re-reads on its interval, keeps the last good rate through bad answers and reports them', async () => {
    await setEthUsdAnswer(owner(), deployed.priceFeed, USD(3000n));
    const seen: EthUsdQuote[] = [];
    const errors: string[] = [];
    const w = new PriceFeedWatcher({ client: client.publicClient, feed: deployed.priceFeed, intervalMs: 100, retryMs: 100, onError: (e) => errors.push(e.message) });
    w.onChange((q) => seen.push(q));
    try {
      expect((await w.start())?.answer).toBe(USD(3000n));
      expect(seen.map((q) => q.answer)).toEqual([USD(3000n)]);

      await setEthUsdAnswer(owner(), deployed.priceFeed, USD(3500n));
      await until('the 3500 USD rate', () => w.current()?.answer === USD(3500n));
      expect(seen.map((q) => q.answer)).toEqual([USD(3000n), USD(3500n)]);
      const good = w.current()!;

      // Zero and negative answers are refused; the last good rate stays in use.
      await setEthUsdAnswer(owner(), deployed.priceFeed, 0n);
      await until('the zero answer to be reported', () => w.problem()?.includes('positive'));
      // The same quote (a re-read of 3500 just before the zero landed may have renewed readAt).
      expect({ ...w.current()!, readAt: 0 }).toEqual({ ...good, readAt: 0 });
      await setEthUsdAnswer(owner(), deployed.priceFeed, -1n);
      await until('the negative answer to be reported', () => errors.some((e) => /got -1/.test(e)));
      expect(w.current()!.answer).toBe(USD(3500n));

      await setEthUsdAnswer(owner(), deployed.priceFeed, USD(2800n));
      await until('recovery at 2800 USD', () => w.current()?.answer === USD(2800n));
      expect(w.problem()).toBeNull();
      // Re-reads of an unchanged rate do not notify.
      const count = seen.length;
      await new Promise((r) => setTimeout(r, 350));
      expect(seen.length).toBe(count);
      expect(seen.map((q) => q.answer)).toEqual([USD(3000n), USD(3500n), USD(2800n)]);
    } finally {
      w.close();
    }
  });

  it('a feed that never answers leaves the rate unknown with the reason', async () => {
    const w = new PriceFeedWatcher({ client: client.publicClient, feed: deployed.contracts.controller, intervalMs: 60_000 });
    try {
      expect(await w.start()).toBeNull();
      expect(w.current()).toBeNull();
      expect(w.problem()).toMatch(/price feed 0x/);
    } finally {
      w.close();
    }
  });
});

describe('a USD video cap follows the feed (real watcher, real orchestrator, real discovery)', () => {
  let orch: DevnetOrchestrator;
  let watcher: PriceFeedWatcher;
  let gateway: GatewayService;
  let discovery: DiscoveryService;
  let prices: AiPrices;

  beforeAll(async () => {
    await setEthUsdAnswer(owner(), deployed.priceFeed, USD(3000n));
    // 5,000,000 wei per pixel; its simulated chain gives it a price and ticket params like an on-chain O.
    orch = await startDevnetOrchestrator({ pricePerUnit: 5_000_000n, pixelsPerUnit: 1n });
    watcher = new PriceFeedWatcher({ client: client.publicClient, feed: deployed.priceFeed });
    await watcher.start();
    const configFile = join(dir, 'config.json');
    const bus = new EventBus();
    // 0.02 USD per 1e6 pixels: at 3000 USD/ETH that is 20000000/3 ≈ 6,666,667 wei/pixel.
    const settings = {
      orchAddr: [orch.serviceUri],
      maxPricePerUnit: '0.02USD',
      pixelsPerUnit: 1_000_000,
      maxPricePerCapability: '{"capabilities_prices":[{"pipeline":"llm","model_id":"default","price_per_unit":0.003,"pixels_per_unit":1000,"currency":"USD"}]}',
    };
    const config = new RuntimeConfig(resolveSettings({ flags: settings, configFile, env: {} }), configFile, bus);
    // The orchestrator checks the request signature: the gateway signs with a local key (its funds are simulated).
    const signer = localSigner(GATEWAY_KEY);
    const payments = new LocalPaymentSource({ sender: new TicketSender({ signer, chain: fixedSenderState(fundedChain()) }), signer });
    const log = pino({ level: 'silent' });
    discovery = new DiscoveryService({ config, bus, log, metrics: null, payments, onChain: false });
    gateway = new GatewayService({ config, bus, log, metrics: null, payments, segmentSigner: signer, onChain: false, discovery, dataDir: dir, ethUsd: watcher });
    prices = new AiPrices(config);
    prices.setRateSource(watcher);
    discovery.start(() => gateway.probeSpec());
  }, 30_000);

  afterAll(async () => {
    prices?.close();
    await gateway?.close();
    discovery?.close();
    watcher?.close();
    await orch?.close();
  });

  const state = () => discovery.registry.list().find((o) => o.uri === orch.serviceUri);

  it('accepts the orchestrator at 3000 USD/ETH, refuses it at 5000, accepts it again at 2000', async () => {
    expect(gateway.maxPrice()!.toString()).toBe('20000000/3');
    await until('the orchestrator accepted at 3000 USD/ETH', () => state()?.pricePerPixel && state()!.rejected === null);

    await setEthUsdAnswer(owner(), deployed.priceFeed, USD(5000n));
    await watcher.refresh();
    // 0.02 USD / 5000 USD/ETH = 4e12 wei per 1e6 pixels = 4,000,000 wei per pixel < 5,000,000.
    expect(gateway.maxPrice()!.eq(4_000_000n)).toBe(true);
    expect(gateway.orchestrators().maxPricePerPixel).toBe('4000000/1');
    const rejected = await until('the orchestrator refused at 5000 USD/ETH', () => state()?.rejected ?? undefined);
    expect(rejected.reason).toBe('price too high');

    await setEthUsdAnswer(owner(), deployed.priceFeed, USD(2000n));
    await watcher.refresh();
    expect(gateway.maxPrice()!.eq(10_000_000n)).toBe(true);
    await until('the orchestrator accepted again at 2000 USD/ETH', () => state()?.rejected === null);
  });

  it('AI USD prices and the price view follow the same rate', async () => {
    const file = join(dir, 'config2.json');
    const llmUsd = '{"capabilities_prices":[{"pipeline":"llm","price_per_unit":0.003,"pixels_per_unit":1000,"currency":"USD"}]}';
    const p2 = new AiPrices(new RuntimeConfig(resolveSettings({ flags: { maxPricePerCapability: llmUsd }, configFile: file, env: {} }), file, new EventBus()));
    // Before a rate source is attached the USD price is unknown: 0, pay nothing.
    expect(p2.maxPrice('llm', 'any')!.isZero()).toBe(true);
    expect(p2.view().capabilities[0]).toMatchObject({ currency: 'USD', weiPerUnit: null, unknownReason: expect.stringMatching(/no ETH\/USD price feed/) });
    p2.close();

    // At 2000 USD/ETH: 0.003 USD = 1.5e12 wei per 1000 units = 1.5e9 wei per unit.
    expect(prices.maxPrice('llm', 'm')!.eq(1_500_000_000n)).toBe(true);
    const v = prices.view();
    expect(v.video).toMatchObject({ maxPricePerUnit: '0.02USD', currency: 'USD', pixelsPerUnit: 1_000_000, weiPerPixel: '10000000/1', weiPerUnit: '10000000000000/1', acceptsAnyPrice: false, unknownReason: null });
    expect(v.ethUsd).toMatchObject({ feed: deployed.priceFeed, usdPerEth: '2000.00', answer: USD(2000n).toString(), decimals: 8, problem: null });
    expect(v.ethUsd!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(v.capabilities[0]).toMatchObject({ weiPerUnit: '1500000000/1' });
    // `gw price show` renders the USD cap with its wei equivalent, the rate and its age.
    const text = renderPrices(v);
    expect(text).toContain('video cap: 0.02 USD per 1000000 pixel(s) = 10000000000000 wei per 1000000 pixel(s) = 10000000 wei/pixel at 2000.00 USD/ETH');
    expect(text).toMatch(new RegExp(`ETH/USD: 2000\\.00 \\(feed ${deployed.priceFeed}, updated \\S+Z, \\d+ s ago\\)`));
    expect(text).toMatch(/llm\s*│\s*default\s*│\s*0\.003 USD \/ 1000\s*│\s*1500000000/);

    await setEthUsdAnswer(owner(), deployed.priceFeed, USD(2400n));
    await watcher.refresh();
    // 0.003 USD / 2400 = 1.25e12 wei per 1000 units.
    expect(prices.maxPrice('llm', 'm')!.eq(Rational.of(1_250_000_000n))).toBe(true);
    expect(prices.view().ethUsd!.usdPerEth).toBe('2400.00');
  });
});
