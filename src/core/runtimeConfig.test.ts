import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { resolveSettings } from '../lib/settings/resolveSettings.js';
import { findSetting, type SettingValueOf } from '../lib/settings/settings.js';
import { EventBus } from './eventBus.js';
import { RuntimeConfig } from './runtimeConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-runtime-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(flags: Parameters<typeof resolveSettings>[0]['flags'] = {}): RuntimeConfig {
  const file = join(dir, 'config.json');
  return new RuntimeConfig(resolveSettings({ flags, configFile: file, env: {} }), file, new EventBus());
}

describe('RuntimeConfig typing', () => {
  it('types each value from the settings schema', () => {
    const c = config();
    expectTypeOf(c.get('drainTimeout')).toEqualTypeOf<number>();
    expectTypeOf(c.get('maxSessions')).toEqualTypeOf<number>();
    expectTypeOf(c.get('allowPublicBind')).toEqualTypeOf<boolean>();
    expectTypeOf(c.get('orchAddr')).toEqualTypeOf<string[]>();
    expectTypeOf(c.get('maxTicketEV')).toEqualTypeOf<string>();
    expectTypeOf(c.get('logLevel')).toEqualTypeOf<'trace' | 'debug' | 'info' | 'warn' | 'error'>();
    expectTypeOf(c.get('network')).toEqualTypeOf<'offchain' | 'devnet' | 'arbitrum-one-mainnet'>();
    // No default: unset is a real state the caller must handle.
    expectTypeOf(c.get('ethUrl')).toEqualTypeOf<string | undefined>();
    expectTypeOf(c.get('recordDir')).toEqualTypeOf<string | undefined>();
    expectTypeOf<SettingValueOf<'maxPricePerCapability'>>().toEqualTypeOf<string | undefined>();
    c.onChange('maxSessions', (v) => expectTypeOf(v).toEqualTypeOf<number>());
    // @ts-expect-error a misspelled key is a type error
    c.get('drainTimout');
    // @ts-expect-error so is a listener for one
    c.onChange('maxSesions', () => undefined);
  });
});

describe('RuntimeConfig values', () => {
  it('returns the schema default for a setting left unset', () => {
    const c = config();
    expect(c.get('drainTimeout')).toBe(findSetting('drainTimeout')!.default);
    expect(c.get('drainTimeout')).toBe(10_000);
    expect(c.get('pixelsPerUnit')).toBe(1);
    expect(c.get('ethUrl')).toBeUndefined();
  });

  it('returns the schema default for a key missing from what it was built with', () => {
    const file = join(dir, 'partial.json');
    const c = new RuntimeConfig(new Map(), file, new EventBus());
    expect(c.get('maxAttempts')).toBe(3);
    expect(c.get('transcodingOptions')).toEqual(['P240p30fps16x9', 'P360p30fps16x9']);
  });

  it('returns the default again after an unset, and tells listeners', () => {
    const c = config({ maxSessions: 4 });
    const seen: number[] = [];
    c.onChange('maxSessions', (v) => seen.push(v));
    expect(c.get('maxSessions')).toBe(4);
    c.update({ unset: ['maxSessions'] });
    expect(c.get('maxSessions')).toBe(10);
    expect(seen).toEqual([10]);
  });
});
