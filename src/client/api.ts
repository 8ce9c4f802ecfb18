/** Wire types of the control API, shared by the daemon and the typed client. */
import type { GatewayMode } from './events.js';
import type { SettingSource, SettingValue } from './settings.js';

export interface Endpoints {
  readonly control: string;
  readonly http: string;
  readonly rtmp: string;
  readonly metrics: string;
}

export interface StatusResponse {
  readonly version: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly uptimeMs: number;
  readonly mode: GatewayMode;
  readonly network: string;
  readonly dataDir: string;
  readonly endpoints: Endpoints;
  readonly orchestrators: { readonly known: number; readonly usable: number; readonly rejected: number };
  readonly sessions: { readonly active: number; readonly streams: number; readonly aiJobs: number };
  readonly draining: boolean;
}

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

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** What the daemon writes to `daemon.json` once its control API listens. */
export interface DaemonState {
  readonly pid: number;
  readonly version: string;
  readonly startedAt: string;
  readonly controlUrl: string;
  readonly httpUrl: string;
  readonly rtmpUrl: string;
  readonly tokenPath: string;
  readonly logPath: string;
  readonly dataDir: string;
}
