import { Args } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { commandOutput, fundingFlags, parseEthArg, runFunding, type FundingResult } from '../../cli/services/funding.js';

/** Funds the TicketBroker reserve. */
export default class ReserveFund extends GwCommand {
  static override description =
    "Add ETH to the reserve: orchestrators' guarantee, shared among the active pool (recommended ≥ 0.36 ETH on Arbitrum One)";

  static override examples = ['<%= config.bin %> reserve fund 0.36', '<%= config.bin %> reserve fund 0.36 --pool-size 100 --yes'];

  static override args = {
    eth: Args.string({ description: 'Reserve amount in ETH (exact decimal, e.g. 0.36)', required: true }),
  };

  static override flags = { ...fundingFlags };

  async run(): Promise<FundingResult> {
    const { args, flags } = await this.parse(ReserveFund);
    return runFunding({
      paths: this.pathsFor(flags),
      request: { action: 'reserve', amountWei: parseEthArg('<eth>', args.eth) },
      yes: flags.yes,
      ...(flags['pool-size'] !== undefined ? { poolSize: flags['pool-size'] } : {}),
      out: commandOutput(this),
    });
  }
}
