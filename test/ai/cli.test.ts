// `gw price set` / `gw price show` and `gw orchestrators ls --pipeline/--model` as real processes: against the config
// file when no daemon runs, and through a real control API (the daemon's Hono app with the AI routes, on a socket)
// over real devnet orchestrators.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import type { PricesResponse, NetworkOffersResponse, OrchestratorsResponse } from '../../src/api/contract.js';
import { createControlApp } from '../../src/core/control/app.js';
import { aiControlRoutes } from '../../src/core/control/routes/ai.js';
import { gatewayRoutes } from '../../src/core/control/routes/gateway.js';
import { discoverOrchestrators } from '../../src/core/discovery/discover.js';
import { OrchestratorRegistry } from '../../src/core/discovery/registry.js';
import { ActivityProjection } from '../../src/core/gateway/activityProjection.js';
import { buildOrchestratorRequest } from '../../src/lib/protocol/orchestratorRequest.js';
import { getOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';
import { defaultDevnetAi, startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { ROOT, tempDataDir } from '../helpers/gw.js';
import { startAiGateway, type TestAiGateway } from './harness.js';

const RUNNER = join(ROOT, 'test/ai/runCommand.ts');
const SET = join(ROOT, 'src/commands/price/set.ts');
const SHOW = join(ROOT, 'src/commands/price/show.ts');
const LS = join(ROOT, 'src/commands/orchestrators/ls.ts');

async function gw(cmd: string, args: string[], dataDir: string) {
  const r = await execa(process.execPath, ['--import', 'tsx', '--no-warnings', RUNNER, cmd, ...args], {
    reject: false,
    env: { GW_DATA_DIR: dataDir, NO_COLOR: '1' },
    cwd: ROOT,
    timeout: 30_000,
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr).replace(/\s*\n\s*›\s+/g, ' ') };
}

describe('gw price without a daemon (config file)', () => {
  const { dir, cleanup } = tempDataDir('gw-price-');
  afterAll(cleanup);

  it('sets the video cap exactly (ETH and fractional wei), AI max and customer prices, and shows them back', async () => {
    expect((await gw(SET, ['--max-price-per-unit', '0.0000000000000000005', '--currency', 'ETH', '--pixels-per-unit', '3'], dir)).code).toBe(0);
    const cfg1 = JSON.parse(readFileSync(resolvePaths(dir).configFile, 'utf8')) as Record<string, unknown>;
    // 0.5 wei per 3 pixels = 1 wei per 6 pixels.
    expect([cfg1['maxPricePerUnit'], cfg1['pixelsPerUnit']]).toEqual(['1', 6]);
    expect((await gw(SET, ['--pipeline', 'text-to-image', '--model', 'stabilityai/sdxl-turbo', '--max-price-per-unit', '4768371', '--pixels-per-unit', '1000'], dir)).code).toBe(0);
    expect((await gw(SET, ['--customer', '--pipeline', 'llm', '--price-per-unit', '60000000'], dir)).code).toBe(0);
    const show = await gw(SHOW, ['--json'], dir);
    expect(show.code, show.stderr).toBe(0);
    const p = JSON.parse(show.stdout) as PricesResponse;
    expect(p.video).toMatchObject({ maxPricePerUnit: '1', pixelsPerUnit: 6, weiPerPixel: '1/6', acceptsAnyPrice: false });
    expect(p.capabilities).toEqual([
      { pipeline: 'text-to-image', modelId: 'stabilityai/sdxl-turbo', pricePerUnit: '4768371', pixelsPerUnit: '1000', currency: 'wei', weiPerUnit: '4768371/1000', weiPerUnitDisplay: '4768.371' },
    ]);
    expect(p.customer[0]).toMatchObject({ pipeline: 'llm', modelId: 'default', weiPerUnit: '60000000/1' });
    // The stored list is go-livepeer's -maxPricePerCapability JSON.
    const cfg2 = JSON.parse(readFileSync(resolvePaths(dir).configFile, 'utf8')) as Record<string, string>;
    expect(JSON.parse(cfg2['maxPricePerCapability']!)).toEqual({ capabilities_prices: [{ pipeline: 'text-to-image', model_id: 'stabilityai/sdxl-turbo', price_per_unit: 4768371, pixels_per_unit: 1000, currency: 'wei' }] });
  });

  it('warns "accepting any price" when the video cap is 0 and refuses bad input', async () => {
    expect((await gw(SET, ['--max-price-per-unit', '0'], dir)).stderr).toMatch(/accepting any price/);
    expect((await gw(SHOW, [], dir)).stdout).toMatch(/WARNING: accepting any price/);
    const bad = await gw(SET, ['--pipeline', 'dance', '--max-price-per-unit', '1'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown pipeline "dance"/);
    expect((await gw(SET, ['--pipeline', 'llm'], dir)).stderr).toMatch(/--max-price-per-unit/);
    expect((await gw(SET, ['--pipeline', 'llm', '--max-price-per-unit', '-3'], dir)).code).toBe(1);
  });
});

describe('gw price and gw orchestrators ls through the control API', () => {
  const { dir, cleanup } = tempDataDir('gw-price-live-');
  let o1: DevnetOrchestrator;
  let o2: DevnetOrchestrator;
  let g: TestAiGateway;
  let server: ServerType;

  beforeAll(async () => {
    o1 = await startDevnetOrchestrator({ pricePerUnit: 1n, pixelsPerUnit: 1n, offchain: true, ai: defaultDevnetAi() });
    o2 = await startDevnetOrchestrator({ pricePerUnit: 1n, pixelsPerUnit: 1n, offchain: true, ai: { pipelines: [{ pipeline: 'llm', models: [{ id: 'devnet/llm-large', warm: true, capacity: 3 }] }] } });
    g = await startAiGateway([o1.serviceUri, o2.serviceUri]);
    // /v1/orchestrators as the daemon serves it: the registry its discovery probe fills with each reply
    const registry = new OrchestratorRegistry({ bus: g.bus });
    await discoverOrchestrators({
      candidates: [o1, o2].map((o) => ({ uri: o.serviceUri, score: 1 })),
      request: buildOrchestratorRequest({}),
      getOrchestrator,
      onOutcome: (x) => registry.recordOutcome(x),
    });
    const gateway = { orchestrators: (): OrchestratorsResponse => ({ orchestrators: registry.list(), maxPricePerPixel: null }) };
    const app = createControlApp(
      { token: 'secret-token', bus: g.bus, config: g.config, status: () => ({}) as never, shutdown: () => ({ drainTimeoutMs: 0 }), closing: new Promise(() => undefined) },
      [aiControlRoutes(g.ai.control), gatewayRoutes(gateway, new ActivityProjection(g.bus))],
    );
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const paths = resolvePaths(dir);
    mkdirSync(paths.dataDir, { recursive: true });
    writeFileSync(paths.tokenFile, 'secret-token');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // This test process stands in for the daemon: its pid is alive and the control API answers at controlUrl.
    writeFileSync(paths.daemonFile, JSON.stringify({ pid: process.pid, version: 'test', startedAt: new Date().toISOString(), controlUrl: url, httpUrl: g.url, rtmpUrl: '', tokenPath: paths.tokenFile, logPath: '', dataDir: dir }));
  });

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await g?.close();
    await Promise.all([o1?.close(), o2?.close()]);
    cleanup();
  });

  it('applies prices live to the daemon and reads them back', async () => {
    const set = await gw(SET, ['--pipeline', 'llm', '--model', 'devnet/llm-tiny', '--max-price-per-unit', '7'], dir);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/applied live/);
    expect(g.ai.prices.maxPrice('llm', 'devnet/llm-tiny')?.toString()).toBe('7/1');
    expect((await gw(SET, ['--max-price-per-unit', '1200'], dir)).code).toBe(0);
    expect(g.config.get('maxPricePerUnit')).toBe('1200');
    // Models without their own entry now fall back to the video cap.
    expect(g.ai.prices.maxPrice('llm', 'devnet/llm-large')?.toString()).toBe('1200/1');
    const show = JSON.parse((await gw(SHOW, ['--json'], dir)).stdout) as PricesResponse;
    expect(show.capabilities.map((c) => [c.pipeline, c.modelId, c.weiPerUnit])).toEqual([['llm', 'devnet/llm-tiny', '7/1']]);
    expect(show.video.acceptsAnyPrice).toBe(false);
    const bad = await gw(SET, ['--pipeline', 'llm', '--max-price-per-unit', '1', '--pixels-per-unit', '0'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/pixels per unit/);
  });

  it('lists who serves a pipeline / model, warm or cold, with capacity', async () => {
    const r = await gw(LS, ['--pipeline', 'llm', '--model', 'devnet/llm-large', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as NetworkOffersResponse;
    expect(view.orchestrators.map((o) => [o.uri, o.warm, o.capacity]).sort()).toEqual(
      [
        [o1.serviceUri, false, 1],
        [o2.serviceUri, true, 3],
      ].sort(),
    );
    const text = await gw(LS, ['--pipeline', 'text-to-image'], dir);
    expect(text.stdout).toMatch(/devnet\/sd-tiny/);
    expect(text.stdout).toMatch(/warm/);
    expect(text.stdout).not.toContain(o2.serviceUri);
    expect((await gw(LS, ['--model', 'no/such-model'], dir)).stdout).toMatch(/no orchestrator serves no\/such-model/);
  });

  it('plain ls shows per orchestrator the AI pipelines and models it serves, warm or cold (table and --json)', async () => {
    const r = await gw(LS, ['--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as OrchestratorsResponse;
    const two = view.orchestrators.find((o) => o.uri === o2.serviceUri)!;
    expect(two.ai).toEqual([{ pipeline: 'llm', modelId: 'devnet/llm-large', warm: true }]);
    const one = view.orchestrators.find((o) => o.uri === o1.serviceUri)!;
    expect(one.ai).toContainEqual({ pipeline: 'text-to-image', modelId: 'devnet/sd-tiny', warm: true });
    expect(one.ai).toContainEqual({ pipeline: 'llm', modelId: 'devnet/llm-large', warm: false });
    const table = await gw(LS, [], dir);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('AI models');
    expect(table.stdout).toContain('llm: devnet/llm-large');
    expect(table.stdout).toMatch(/devnet\/llm-large \(cold\)/);
  });
});
