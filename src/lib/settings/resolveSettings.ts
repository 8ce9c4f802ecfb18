import { readConfigFile } from './configFile.js';
import { envName, parseSetting, settingDefault, SETTINGS, type SettingKey, type SettingSource, type SettingValue, type SettingValueOf, type SettingValues } from './settings.js';

export interface ResolvedSetting {
  readonly key: string;
  readonly value: SettingValue | undefined;
  readonly source: SettingSource;
}

export type ResolvedSettings = ReadonlyMap<string, ResolvedSetting>;

/**
 * Resolves every setting with the precedence flag > environment (`GW_*`) > config file > default,
 * remembering where each value came from (shown by `gw config ls`).
 */
export function resolveSettings(input: {
  flags?: Record<string, SettingValue>;
  env?: NodeJS.ProcessEnv;
  configFile?: string;
}): ResolvedSettings {
  const env = input.env ?? process.env;
  const file = input.configFile ? readConfigFile(input.configFile) : {};
  const out = new Map<string, ResolvedSetting>();
  for (const spec of SETTINGS) {
    const flag = input.flags?.[spec.key];
    const envRaw = env[envName(spec.key)];
    if (flag !== undefined) out.set(spec.key, { key: spec.key, value: flag, source: 'flag' });
    else if (envRaw !== undefined && envRaw !== '') out.set(spec.key, { key: spec.key, value: parseSetting(spec, envRaw), source: 'env' });
    else if (file[spec.key] !== undefined) out.set(spec.key, { key: spec.key, value: file[spec.key], source: 'file' });
    else out.set(spec.key, { key: spec.key, value: spec.default, source: 'default' });
  }
  return out;
}

/** Plain key → value view of resolved settings. */
export function settingValues(resolved: ResolvedSettings): SettingValues {
  return Object.fromEntries(SETTINGS.map((s) => [s.key, resolvedValue(resolved, s.key)])) as unknown as SettingValues;
}

/** The resolved value of `key`, typed by the schema; the schema default when it is missing or unset. */
export function resolvedValue<K extends SettingKey>(resolved: ResolvedSettings, key: K): SettingValueOf<K> {
  // Values were checked against the schema when they were resolved or updated, so the cast only restores their key's type.
  return (resolved.get(key)?.value ?? settingDefault(key)) as SettingValueOf<K>;
}
