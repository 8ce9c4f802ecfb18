import { Args } from '@oclif/core';
import type { ConfigEntry } from '../../api/contract.js';
import { findSetting, formatSetting } from '../../lib/settings/settings.js';
import { GwCommand, GwUserError } from '../../cli/baseCommand.js';
import { listConfig } from '../../cli/services/configService.js';

/** Prints one setting. */
export default class ConfigGet extends GwCommand {
  static override description = 'Print the value of one setting';

  static override examples = ['<%= config.bin %> config get maxPricePerUnit', '<%= config.bin %> config get orch-addr --json'];

  static override args = { key: Args.string({ description: 'Setting key (camelCase) or flag name (kebab-case)', required: true }) };

  async run(): Promise<ConfigEntry> {
    const { args, flags } = await this.parse(ConfigGet);
    const spec = findSetting(args.key);
    if (!spec) throw new GwUserError(`unknown setting "${args.key}"; see \`gw config ls\``, 'unknown_setting');
    const { config } = await listConfig(this.pathsFor(flags));
    const entry = config.settings.find((s) => s.key === spec.key)!;
    this.log(formatSetting(entry.value ?? undefined));
    return entry;
  }
}
