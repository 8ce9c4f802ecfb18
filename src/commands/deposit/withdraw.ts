import { GwCommand } from '../../cli/baseCommand.js';
import { commandOutput, fundingFlags, runFunding, type FundingResult } from '../../cli/services/funding.js';

/** TicketBroker.withdraw for the gateway account. */
export default class DepositWithdraw extends GwCommand {
  static override description = 'Withdraw deposit and reserve to the account once the unlock period is over';

  static override examples = ['<%= config.bin %> deposit withdraw', '<%= config.bin %> deposit withdraw --yes --json'];

  static override flags = { yes: fundingFlags.yes };

  async run(): Promise<FundingResult> {
    const { flags } = await this.parse(DepositWithdraw);
    return runFunding({ paths: this.pathsFor(flags), request: { action: 'withdraw' }, yes: flags.yes, out: commandOutput(this) });
  }
}
