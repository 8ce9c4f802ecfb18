import { GwCommand } from '../../cli/baseCommand.js';
import { commandOutput, fundingFlags, runFunding, type FundingResult } from '../../cli/services/funding.js';

/** TicketBroker.unlock for the gateway account. */
export default class DepositUnlock extends GwCommand {
  static override description = 'Start the unlock period of deposit and reserve (work stops almost at once; withdraw after the unlock period)';

  static override examples = ['<%= config.bin %> deposit unlock', '<%= config.bin %> deposit unlock --yes --json'];

  static override flags = { yes: fundingFlags.yes };

  async run(): Promise<FundingResult> {
    const { flags } = await this.parse(DepositUnlock);
    return runFunding({ paths: this.pathsFor(flags), request: { action: 'unlock' }, yes: flags.yes, out: commandOutput(this) });
  }
}
