import type { ConfigEntry, ConfigResponse } from '../../api/contract.js';
import { updateConfigFile } from '../../lib/settings/configFile.js';
import { ControlClient } from '../../api/controlClient.js';
import { checkDaemon } from '../../api/daemonState.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolveSettings } from '../../lib/settings/resolveSettings.js';
import { shownSettingValue } from '../../lib/settings/settingViews.js';
import { findSetting, parseSetting, SETTINGS, SettingError, type SettingValue } from '../../lib/settings/settings.js';
import { GwUserError } from '../baseCommand.js';

/** Where a config change went: applied to the running daemon (and persisted), or only written to the file. */
export type ApplyTarget = 'daemon' | 'file';

/** Settings as the running daemon sees them, or as a fresh start would (env + file + defaults). */
export async function listConfig(paths: GwPaths): Promise<{ config: ConfigResponse; from: ApplyTarget }> {
  if (checkDaemon(paths).state === 'running') return { config: await ControlClient.forPaths(paths).config(), from: 'daemon' };
  const resolved = resolveSettings({ configFile: paths.configFile });
  const settings: ConfigEntry[] = SETTINGS.map((s) => {
    const r = resolved.get(s.key)!;
    return {
      key: s.key,
      value: shownSettingValue(s.key, r.value),
      source: r.source,
      default: s.default ?? null,
      restart: Boolean('restart' in s && s.restart),
      description: s.description,
      goFlag: 'goFlag' in s && s.goFlag ? s.goFlag : null,
    };
  });
  return { config: { settings, pendingRestart: [] }, from: 'file' };
}

/** Validates and applies `set`/`unset`; live through the control API when the daemon runs, else to the file. */
export async function changeConfig(paths: GwPaths, set: Record<string, string>, unset: string[]): Promise<{ config: ConfigResponse; target: ApplyTarget }> {
  const typed: Record<string, SettingValue> = {};
  for (const [name, raw] of Object.entries(set)) typed[requireSetting(name)] = parseOrThrow(name, raw);
  const unsetKeys = unset.map(requireSetting);
  if (checkDaemon(paths).state === 'running') {
    const config = await ControlClient.forPaths(paths).updateConfig({ set: typed, unset: unsetKeys });
    return { config, target: 'daemon' };
  }
  updateConfigFile(paths.configFile, typed, unsetKeys);
  return { config: (await listConfig(paths)).config, target: 'file' };
}

function requireSetting(name: string): string {
  const s = findSetting(name);
  if (!s) throw new GwUserError(`unknown setting "${name}"; see \`gw config ls\` for the list`, 'unknown_setting');
  return s.key;
}

function parseOrThrow(name: string, raw: string): SettingValue {
  try {
    return parseSetting(findSetting(name)!, raw);
  } catch (err) {
    if (err instanceof SettingError) throw new GwUserError(err.message, 'invalid_setting');
    throw err;
  }
}
