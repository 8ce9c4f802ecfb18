import type { ConfigEntry, ConfigResponse, ConfigUpdateRequest } from '../api/contract.js';
import { updateConfigFile } from '../lib/settings/configFile.js';
import { shownSettingValue } from '../lib/settings/settingViews.js';
import { type ResolvedSetting, type ResolvedSettings, resolvedValue } from '../lib/settings/resolveSettings.js';
import { coerceSetting, findSetting, SETTINGS, SettingError, type SettingKey, type SettingsReader, type SettingValue, type SettingValueOf } from '../lib/settings/settings.js';
import type { EventBus } from './eventBus.js';

type ChangeListener = (value: SettingValue | undefined) => void;

/**
 * The daemon's live settings. Updates through the control API are validated as a whole, persisted to the
 * config file, applied at once (or marked pending for settings that need a restart) and announced as events.
 */
export class RuntimeConfig implements SettingsReader {
  private readonly values = new Map<string, ResolvedSetting>();
  private readonly pending = new Set<string>();
  private readonly listeners = new Map<string, Set<ChangeListener>>();

  constructor(
    resolved: ResolvedSettings,
    private readonly configFile: string,
    private readonly bus: EventBus,
  ) {
    for (const [k, v] of resolved) this.values.set(k, v);
  }

  /** Current value of a setting (the schema default when unset). */
  get<K extends SettingKey>(key: K): SettingValueOf<K> {
    return resolvedValue(this.values, key);
  }

  /** Calls `listener` whenever `key` changes live. Returns the unsubscribe function. */
  onChange<K extends SettingKey>(key: K, listener: (value: SettingValueOf<K>) => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    // update() only calls a key's listeners with that key's checked value (or its default).
    const untyped = listener as ChangeListener;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  /** The control API view of every setting. */
  describe(): ConfigResponse {
    const settings: ConfigEntry[] = SETTINGS.map((s) => {
      const r = this.values.get(s.key);
      return {
        key: s.key,
        value: shownSettingValue(s.key, r?.value),
        source: r?.source ?? 'default',
        default: s.default ?? null,
        restart: Boolean('restart' in s && s.restart),
        description: s.description,
        goFlag: 'goFlag' in s && s.goFlag ? s.goFlag : null,
      };
    });
    return { settings, pendingRestart: [...this.pending] };
  }

  /** Validates, persists and applies an update; throws SettingError (nothing changed) on any bad entry. */
  update(req: ConfigUpdateRequest): ConfigResponse {
    const set: Record<string, SettingValue> = {};
    for (const [name, raw] of Object.entries(req.set ?? {})) {
      const spec = findSetting(name);
      if (!spec) throw new SettingError(name, 'unknown setting');
      set[spec.key] = coerceSetting(spec, raw);
    }
    const unset: string[] = [];
    for (const name of req.unset ?? []) {
      const spec = findSetting(name);
      if (!spec) throw new SettingError(name, 'unknown setting');
      unset.push(spec.key);
    }
    updateConfigFile(this.configFile, set, unset);
    for (const key of [...Object.keys(set), ...unset]) {
      const spec = findSetting(key)!;
      const previous = this.values.get(key)?.value;
      const value = key in set ? set[key] : spec.default;
      const restart = Boolean(spec.restart);
      if (restart) this.pending.add(key);
      else this.values.set(key, { key, value, source: key in set ? 'file' : 'default' });
      this.bus.emit({ type: 'config.changed', key, value: shownSettingValue(key, value), previous: shownSettingValue(key, previous), source: 'api', appliesAfterRestart: restart });
      if (!restart) for (const l of this.listeners.get(key) ?? []) l(value);
    }
    return this.describe();
  }
}
