// Settings as the API shows them (GET/POST /v1/config): values with their source, and an update.
import { findSetting, type SettingSource, type SettingValue } from './settings.js';

/** One setting with its value, where the value came from, and its schema facts. */
export interface ConfigEntry {
  readonly key: string;
  readonly value: SettingValue | null;
  readonly source: SettingSource;
  readonly default: SettingValue | null;
  readonly restart: boolean;
  readonly description: string;
  readonly goFlag: string | null;
}

export interface ConfigResponse {
  readonly settings: ConfigEntry[];
  /** Keys whose new values take effect only after a restart. */
  readonly pendingRestart: string[];
}

export interface ConfigUpdateRequest {
  readonly set?: Record<string, SettingValue>;
  readonly unset?: string[];
}

/** How a secret setting's value is shown. */
export const SECRET_MASK = '********';

/** True for a key or password setting (`secret: true` in the schema). */
export function isSecretSetting(key: string): boolean {
  const spec = findSetting(key);
  return spec !== undefined && 'secret' in spec && spec.secret === true;
}

/** A setting's value as the API, `gw config` and events show it: secrets masked. */
export function shownSettingValue(key: string, value: SettingValue | undefined): SettingValue | null {
  if (value === undefined) return null;
  return isSecretSetting(key) ? SECRET_MASK : value;
}
