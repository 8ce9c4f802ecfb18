import { Flags } from '@oclif/core';
import type { FailoverView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { clock } from '../../cli/format.js';
import { renderTable } from '../../cli/render.js';

/** Lists recent failovers. */
export default class FailoversLs extends GwCommand {
  static override description = 'List recent failovers: time, stream, from → to, reason, attempt';

  static override examples = ['<%= config.bin %> failovers ls', '<%= config.bin %> failovers ls --json'];

  static override flags = { limit: Flags.integer({ char: 'n', description: 'How many', default: 50 }) };

  async run(): Promise<{ failovers: FailoverView[] }> {
    const { flags } = await this.parse(FailoversLs);
    const { failovers } = await ControlClient.forPaths(this.pathsFor(flags)).failovers(flags.limit);
    if (failovers.length === 0) this.log('no failovers');
    else this.log(renderTable(['time', 'stream', 'from', 'to', 'reason', 'attempt'], failovers.map((f) => [clock(f.at), f.sessionId, f.from, f.to, f.reason, f.attempt])));
    return { failovers };
  }
}
