import { GwCommand } from '../../cli/baseCommand.js';
import { readPrices, renderPrices } from '../../cli/services/prices.js';
import type { PricesResponse } from '../../api/contract.js';

/** Shows every price setting, including the per-capability ones go-livepeer cannot read back. */
export default class PriceShow extends GwCommand {
  static override description = 'Show the video price cap, the AI max price per pipeline/model and the customer prices';

  static override examples = ['<%= config.bin %> price show', '<%= config.bin %> price show --json'];

  async run(): Promise<PricesResponse> {
    const { flags } = await this.parse(PriceShow);
    const { prices, from } = await readPrices(this.pathsFor(flags));
    this.log(renderPrices(prices));
    if (from === 'file') this.log('\n(daemon not running: values from the config file)');
    return prices;
  }
}
