import { GwCommand } from '../../cli/baseCommand.js';
import { devnetDown } from '../../devnet/devnetUp.js';

/** Stops the devnet and removes its state. */
export default class DevnetDown extends GwCommand {
  static override description = 'Stop the local devnet (orchestrators and chain) and remove its state';

  static override examples = ['<%= config.bin %> devnet down'];

  async run(): Promise<{ wasUp: boolean; stopped: number }> {
    const { flags } = await this.parse(DevnetDown);
    const r = await devnetDown(this.pathsFor(flags));
    if (!r) {
      this.log('devnet is not up');
      return { wasUp: false, stopped: 0 };
    }
    this.log(`devnet stopped (${r.stopped} process${r.stopped === 1 ? '' : 'es'} were running)`);
    return { wasUp: true, stopped: r.stopped };
  }
}
