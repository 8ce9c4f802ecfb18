import { Args } from '@oclif/core';
import { findSetting } from '../../lib/settings/settings.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { changeConfig } from '../../cli/services/configService.js';

/** Persists (and applies live) one setting. */
export default class ConfigSet extends GwCommand {
  static override description = 'Set a setting: persisted to the config file and applied to the running daemon';

  static override examples = [
    '<%= config.bin %> config set maxPricePerUnit 1200',
    '<%= config.bin %> config set orch-addr 127.0.0.1:8935,127.0.0.1:8936',
    '<%= config.bin %> config set transcodingOptions P240p30fps16x9,P720p30fps16x9',
  ];

  static override args = {
    key: Args.string({ description: 'Setting key or flag name', required: true }),
    value: Args.string({ description: 'New value (lists are comma-separated)', required: true }),
  };

  async run(): Promise<{ key: string; value: unknown; target: string; appliesAfterRestart: boolean }> {
    const { args, flags } = await this.parse(ConfigSet);
    const { config, target } = await changeConfig(this.pathsFor(flags), { [args.key]: args.value }, []);
    const key = findSetting(args.key)!.key;
    const entry = config.settings.find((s) => s.key === key)!;
    const restart = config.pendingRestart.includes(entry.key);
    this.log(`${entry.key} = ${args.value} (${target === 'daemon' ? (restart ? 'saved; applies after a restart' : 'saved and applied live') : 'saved; used at the next start'})`);
    return { key: entry.key, value: entry.value, target, appliesAfterRestart: restart };
  }
}
