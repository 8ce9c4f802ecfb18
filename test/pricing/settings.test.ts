// The price settings: maxPricePerUnit in wei or USD, priceFeedAddr, and the CLI's currency handling.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/lib/settings/resolveSettings.js';
import { envName, findSetting, flagName, parseSetting, SettingError } from '../../src/lib/settings/settings.js';
import { parseCurrencyFlag, videoCapSettings } from '../../src/cli/services/prices.js';
import { EventBus } from '../../src/core/eventBus.js';
import { RuntimeConfig } from '../../src/core/runtimeConfig.js';

const maxPrice = findSetting('maxPricePerUnit')!;
const dir = mkdtempSync(join(tmpdir(), 'gw-pricing-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('maxPricePerUnit', () => {
  it('takes whole wei or a USD amount, stored as go-livepeer writes it', () => {
    expect(parseSetting(maxPrice, '1200')).toBe('1200');
    expect(parseSetting(maxPrice, '0')).toBe('0');
    expect(parseSetting(maxPrice, '0.02USD')).toBe('0.02USD');
    expect(parseSetting(maxPrice, ' 0.02 usd ')).toBe('0.02USD');
  });

  it('refuses anything else with a clear message', () => {
    for (const bad of ['1.5', '0.02EUR', '12ETH', 'USD', 'cheap', '-3']) {
      expect(() => parseSetting(maxPrice, bad), bad).toThrow(SettingError);
      expect(() => parseSetting(maxPrice, bad), bad).toThrow(/maxPricePerUnit: expected a whole number of wei or a USD amount like 0\.02USD/);
    }
    expect(() => parseSetting(maxPrice, '0.00USD')).toThrow(/greater than 0/);
  });

  it('is validated and persisted by the runtime config', () => {
    const file = join(dir, 'config.json');
    const config = new RuntimeConfig(resolveSettings({ flags: {}, configFile: file, env: {} }), file, new EventBus());
    const seen: unknown[] = [];
    config.onChange('maxPricePerUnit', (v) => seen.push(v));
    config.update({ set: { maxPricePerUnit: '0.5usd' } });
    expect(config.get('maxPricePerUnit')).toBe('0.5USD');
    expect(seen).toEqual(['0.5USD']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ maxPricePerUnit: '0.5USD' });
    expect(() => config.update({ set: { maxPricePerUnit: '0.5EUR' } })).toThrow(/USD amount/);
    expect(config.get('maxPricePerUnit')).toBe('0.5USD');
  });

  it('comes from GW_MAX_PRICE_PER_UNIT like any setting', () => {
    const r = resolveSettings({ flags: {}, configFile: join(dir, 'none.json'), env: { GW_MAX_PRICE_PER_UNIT: '0.02USD' } });
    expect(r.get('maxPricePerUnit')).toMatchObject({ value: '0.02USD', source: 'env' });
  });
});

describe('priceFeedAddr', () => {
  it('mirrors -priceFeedAddr, needs a restart and takes an address', () => {
    const s = findSetting('price-feed-addr')!;
    expect(s).toMatchObject({ key: 'priceFeedAddr', goFlag: '-priceFeedAddr', restart: true, kind: 'address' });
    expect([flagName(s.key), envName(s.key)]).toEqual(['price-feed-addr', 'GW_PRICE_FEED_ADDR']);
    expect(parseSetting(s, '0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612')).toBe('0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612');
    expect(() => parseSetting(s, 'chainlink')).toThrow(/20-byte hex address/);
  });
});

describe('gw price set --currency USD', () => {
  it('stores the USD amount for the daemon to convert; 0 clears the cap', () => {
    expect(parseCurrencyFlag('usd')).toBe('USD');
    expect(() => parseCurrencyFlag('EUR')).toThrow(/wei, ETH or USD/);
    expect(videoCapSettings('0.02', '1000000', 'USD')).toEqual({ maxPricePerUnit: '0.02USD', pixelsPerUnit: '1000000' });
    expect(videoCapSettings('0', '1', 'USD')).toEqual({ maxPricePerUnit: '0', pixelsPerUnit: '1' });
    // What the CLI stores passes the setting's own validation.
    expect(parseSetting(maxPrice, videoCapSettings('0.02', '1000000', 'USD').maxPricePerUnit)).toBe('0.02USD');
    expect(() => videoCapSettings('two cents', '1', 'USD')).toThrow(/decimal number/);
  });
});
