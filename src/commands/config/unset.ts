import { Args } from '@oclif/core';
import { findSetting } from '../../lib/settings/settings.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { changeConfig } from '../../cli/services/configService.js';

/** Removes a setting from the config file (back to env or default). */
export default class ConfigUnset extends GwCommand {
  static override description = 'Remove a setting from the config file (it falls back to the environment or the default)';

  static override examples = ['<%= config.bin %> config unset maxPricePerUnit'];

  static override args = { key: Args.string({ description: 'Setting key or flag name', required: true }) };

  async run(): Promise<{ key: string; target: string }> {
    const { args, flags } = await this.parse(ConfigUnset);
    const { target } = await changeConfig(this.pathsFor(flags), {}, [args.key]);
    const key = findSetting(args.key)?.key ?? args.key;
    this.log(`${key} unset (${target === 'daemon' ? 'applied live' : 'used at the next start'})`);
    return { key, target };
  }
}
