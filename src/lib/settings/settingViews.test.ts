import { describe, expect, it } from 'vitest';
import { SETTINGS } from './settings.js';
import { isSecretSetting, SECRET_MASK, shownSettingValue } from './settingViews.js';

describe('secret settings', () => {
  it('are masked wherever settings are shown; others pass as they are; unset stays null', () => {
    expect(isSecretSetting('liveAuthApiKey')).toBe(true);
    expect(shownSettingValue('liveAuthApiKey', 'sekret')).toBe(SECRET_MASK);
    expect(shownSettingValue('mediaMtxApiPassword', 'pw')).toBe(SECRET_MASK);
    expect(shownSettingValue('liveAuthApiKey', undefined)).toBeNull();
    expect(shownSettingValue('logLevel', 'debug')).toBe('debug');
    expect(isSecretSetting('no-such-setting')).toBe(false);
  });

  it('every key, password or header setting is marked secret', () => {
    const looksSecret = SETTINGS.filter((s) => /ApiKey|Password|Headers$/.test(s.key)).map((s) => s.key);
    expect(looksSecret.length).toBeGreaterThan(0);
    for (const key of looksSecret) expect(isSecretSetting(key), key).toBe(true);
  });
});
