import { Errors, Flags, type Interfaces } from '@oclif/core';
import { flagName, parseSetting, SETTINGS, SettingError, type SettingValue } from '../lib/settings/settings.js';

/** One oclif flag per setting (`--orch-addr`, `--max-price-per-unit`, …), for `gw start`. */
export function settingFlags(): Interfaces.FlagInput {
  const out: Interfaces.FlagInput = {};
  for (const s of SETTINGS) {
    const go = 'goFlag' in s && s.goFlag ? ` [go-livepeer ${s.goFlag}]` : '';
    const description = `${s.description}${go}`;
    const helpGroup = s.group.toUpperCase();
    out[flagName(s.key)] = s.kind === 'bool' ? Flags.boolean({ description, helpGroup, allowNo: true }) : Flags.string({ description, helpGroup });
  }
  return out;
}

/** Turns the setting flags a user typed into typed values; a bad value is a usage error (exit 2). */
export function collectSettingFlags(flags: Record<string, unknown>): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const s of SETTINGS) {
    const v = flags[flagName(s.key)];
    if (v === undefined) continue;
    try {
      out[s.key] = typeof v === 'boolean' ? v : parseSetting(s, String(v));
    } catch (err) {
      if (err instanceof SettingError) throw new Errors.CLIError(`--${flagName(s.key)}: ${err.message.replace(`${s.key}: `, '')}`, { exit: 2 });
      throw err;
    }
  }
  return out;
}
