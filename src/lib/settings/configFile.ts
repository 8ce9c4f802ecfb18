import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { coerceSetting, findSetting, SettingError, type SettingValue } from './settings.js';

/** The persistent settings file (`config.json` in the data dir): only explicitly set values are stored. */
export type ConfigValues = Record<string, SettingValue>;

/** Reads and validates the config file; unknown keys and bad values are errors naming the file. */
export function readConfigFile(path: string): ConfigValues {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`config file ${path} must hold a JSON object`);
  const out: ConfigValues = {};
  for (const [key, value] of Object.entries(raw)) {
    const spec = findSetting(key);
    if (!spec) throw new Error(`config file ${path}: unknown setting "${key}"`);
    try {
      out[spec.key] = coerceSetting(spec, value);
    } catch (err) {
      if (err instanceof SettingError) throw new Error(`config file ${path}: ${err.message}`);
      throw err;
    }
  }
  return out;
}

/** Writes the config file atomically (temp file + rename), mode 0600. */
export function writeConfigFile(path: string, values: ConfigValues): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(sorted, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  chmodSync(path, 0o600);
}

/** Applies set/unset changes to the file and returns the new stored values. */
export function updateConfigFile(path: string, set: ConfigValues, unset: readonly string[]): ConfigValues {
  const values = { ...readConfigFile(path), ...set };
  for (const key of unset) delete values[key];
  writeConfigFile(path, values);
  return values;
}
