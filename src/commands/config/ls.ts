import type { ConfigResponse } from '../../api/contract.js';
import { formatSetting } from '../../lib/settings/settings.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { renderTable } from '../../cli/render.js';
import { listConfig } from '../../cli/services/configService.js';

/** Lists every setting with its value and source. */
export default class ConfigLs extends GwCommand {
  static override description = 'List settings with their value and where it comes from (default, file, env, flag)';

  static override examples = ['<%= config.bin %> config ls', '<%= config.bin %> config ls --json'];

  async run(): Promise<ConfigResponse> {
    const { flags } = await this.parse(ConfigLs);
    const { config, from } = await listConfig(this.pathsFor(flags));
    this.log(
      renderTable(
        ['setting', 'value', 'source', 'go-livepeer'],
        config.settings.map((s) => [s.key, formatSetting(s.value ?? undefined) || '—', s.source, s.goFlag ?? '']),
      ),
    );
    this.log(from === 'daemon' ? 'values of the running daemon' : 'gw is not running: values a start would use (plus any flags you pass)');
    if (config.pendingRestart.length) this.log(`changed, applied after a restart: ${config.pendingRestart.join(', ')}`);
    return config;
  }
}
