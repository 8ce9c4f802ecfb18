import { GwCommand } from '../../cli/baseCommand.js';
import { commandOutput, fundingFlags, runFunding, type FundingResult } from '../../cli/services/funding.js';

/** TicketBroker.cancelUnlock for the gateway account. */
export default class DepositCancelUnlock extends GwCommand {
  static override description = 'Cancel an unlock in progress: funds lock again and the gateway can pay for work';

  static override examples = ['<%= config.bin %> deposit cancel-unlock', '<%= config.bin %> deposit cancel-unlock --yes --json'];

  static override flags = { yes: fundingFlags.yes };

  async run(): Promise<FundingResult> {
    const { flags } = await this.parse(DepositCancelUnlock);
    return runFunding({ paths: this.pathsFor(flags), request: { action: 'cancel-unlock' }, yes: flags.yes, out: commandOutput(this) });
  }
}
