import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from './configFile.js';
import { resolveSettings } from './resolveSettings.js';
import { envName, findSetting, flagName, parseSetting, SettingError } from './settings.js';

describe('settings schema', () => {
  it('maps keys to flags and env names', () => {
    expect(flagName('orchAddr')).toBe('orch-addr');
    expect(flagName('maxTicketEV')).toBe('max-ticket-ev');
    expect(envName('maxPricePerUnit')).toBe('GW_MAX_PRICE_PER_UNIT');
    expect(findSetting('max-ticket-ev')?.key).toBe('maxTicketEV');
    expect(findSetting('nope')).toBeUndefined();
  });

  it('parses each kind and rejects bad values with the setting named', () => {
    expect(parseSetting(findSetting('maxAttempts')!, '4')).toBe(4);
    expect(parseSetting(findSetting('discoveryTimeout')!, '2s')).toBe(2000);
    expect(parseSetting(findSetting('discoveryTimeout')!, '750')).toBe(750);
    expect(parseSetting(findSetting('orchAddr')!, 'a:1, b:2')).toEqual(['a:1', 'b:2']);
    expect(parseSetting(findSetting('maxPricePerUnit')!, '001200')).toBe('1200');
    expect(parseSetting(findSetting('metricsPublic')!, 'yes')).toBe(true);
    expect(() => parseSetting(findSetting('maxAttempts')!, '0')).toThrow('maxAttempts: must be at least 1');
    expect(() => parseSetting(findSetting('maxPricePerUnit')!, '1.5')).toThrow(SettingError);
    expect(() => parseSetting(findSetting('network')!, 'goerli')).toThrow(/one of offchain, devnet, arbitrum-one-mainnet/);
    expect(() => parseSetting(findSetting('ethUrl')!, 'ftp://x')).toThrow(/http/);
    expect(() => parseSetting(findSetting('ethAddr')!, '0x12')).toThrow(/20-byte/);
  });
});

describe('settings precedence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-settings-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ maxAttempts: 5, maxPricePerUnit: '100', orchAddr: ['x:1'] }));

  it('is flag > env > file > default, with sources', () => {
    const r = resolveSettings({ flags: { maxAttempts: 7 }, env: { GW_MAX_PRICE_PER_UNIT: '200' }, configFile: file });
    expect(r.get('maxAttempts')).toEqual({ key: 'maxAttempts', value: 7, source: 'flag' });
    expect(r.get('maxPricePerUnit')).toEqual({ key: 'maxPricePerUnit', value: '200', source: 'env' });
    expect(r.get('orchAddr')).toEqual({ key: 'orchAddr', value: ['x:1'], source: 'file' });
    expect(r.get('maxSessions')).toEqual({ key: 'maxSessions', value: 10, source: 'default' });
  });

  it('names the file and the setting when the file is bad', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ maxAttempts: 'many' }));
    expect(() => readConfigFile(bad)).toThrow(`config file ${bad}: maxAttempts: expected an integer`);
    writeFileSync(bad, '{');
    expect(() => readConfigFile(bad)).toThrow(/not valid JSON/);
    writeFileSync(bad, JSON.stringify({ frobnicate: 1 }));
    expect(() => readConfigFile(bad)).toThrow(/unknown setting "frobnicate"/);
  });
});
