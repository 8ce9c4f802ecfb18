// `gw price set --currency USD` / `gw price show` as real processes against the config file (no daemon): the USD
// amounts are stored as go-livepeer writes them and shown as unknown until a daemon with a price feed converts them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import type { PricesResponse } from '../../src/api/contract.js';
import { ROOT, tempDataDir } from '../helpers/gw.js';

const RUNNER = join(ROOT, 'test/ai/runCommand.ts');
const SET = join(ROOT, 'src/commands/price/set.ts');
const SHOW = join(ROOT, 'src/commands/price/show.ts');

async function gw(cmd: string, args: string[], dataDir: string) {
  const r = await execa(process.execPath, ['--import', 'tsx', '--no-warnings', RUNNER, cmd, ...args], { reject: false, env: { GW_DATA_DIR: dataDir, NO_COLOR: '1' }, cwd: ROOT, timeout: 30_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('gw price set --currency USD', () => {
  const { dir, cleanup } = tempDataDir('gw-price-usd-');
  afterAll(cleanup);

  it('stores USD prices for video and AI and shows them as unknown without a rate', async () => {
    const video = await gw(SET, ['--max-price-per-unit', '0.02', '--pixels-per-unit', '1000000', '--currency', 'USD'], dir);
    expect(video.code, video.stderr).toBe(0);
    expect(video.stdout).toMatch(/video cap = 0\.02 USD per 1000000 pixel\(s\)/);
    const ai = await gw(SET, ['--pipeline', 'llm', '--max-price-per-unit', '0.003', '--pixels-per-unit', '1000', '--currency', 'USD'], dir);
    expect(ai.code, ai.stderr).toBe(0);
    const cfg = JSON.parse(readFileSync(resolvePaths(dir).configFile, 'utf8')) as Record<string, unknown>;
    expect([cfg['maxPricePerUnit'], cfg['pixelsPerUnit']]).toEqual(['0.02USD', 1000000]);
    expect(JSON.parse(cfg['maxPricePerCapability'] as string)).toEqual({ capabilities_prices: [{ pipeline: 'llm', model_id: 'default', price_per_unit: 0.003, pixels_per_unit: 1000, currency: 'USD' }] });

    const show = await gw(SHOW, ['--json'], dir);
    expect(show.code, show.stderr).toBe(0);
    const p = JSON.parse(show.stdout) as PricesResponse;
    // Never "any price": the unknown USD cap is 0 wei per pixel.
    expect(p.video).toMatchObject({ maxPricePerUnit: '0.02USD', currency: 'USD', weiPerPixel: '0/1', acceptsAnyPrice: false, weiPerUnit: null });
    expect(p.video.unknownReason).toMatch(/no ETH\/USD price feed/);
    expect(p.capabilities[0]).toMatchObject({ currency: 'USD', weiPerUnit: null });
    const text = (await gw(SHOW, [], dir)).stdout;
    expect(text).toMatch(/video cap: 0\.02 USD per 1000000 pixel\(s\) — UNKNOWN \(no ETH\/USD price feed.*\): no orchestrator is paid until the rate is known/);
    expect(text).toMatch(/unknown: no ETH\/USD rate \(pays nothing\)/);
  });

  it('refuses other currencies', async () => {
    const bad = await gw(SET, ['--max-price-per-unit', '1', '--currency', 'EUR'], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/EUR/);
  });
});
