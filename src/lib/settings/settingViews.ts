// Settings as the API shows them (GET/POST /v1/config): values with their source, and an update.
import type { SettingSource, SettingValue } from './settings.js';

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
