import { readConfigFile } from './configFile.js';
import { envName, parseSetting, SETTINGS, type SettingSource, type SettingValue } from './settings.js';

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
export function settingValues(resolved: ResolvedSettings): Record<string, SettingValue | undefined> {
  return Object.fromEntries([...resolved.values()].map((r) => [r.key, r.value]));
}
