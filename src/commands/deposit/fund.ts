import { Args, Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { commandOutput, fundingFlags, parseEthArg, runFunding, type FundingResult } from '../../cli/services/funding.js';

/** Funds the TicketBroker deposit (and optionally the reserve in the same transaction). */
export default class DepositFund extends GwCommand {
  static override description =
    'Add ETH to the deposit that pays orchestrators; with --reserve, fund the reserve in the same transaction';

  static override examples = [
    '<%= config.bin %> deposit fund 0.1',
    '<%= config.bin %> deposit fund 0.1 --reserve 0.36',
    '<%= config.bin %> deposit fund 0.05 --yes --json',
  ];

  static override args = {
    eth: Args.string({ description: 'Deposit amount in ETH (exact decimal, e.g. 0.1)', required: true }),
  };

  static override flags = {
    reserve: Flags.string({ description: 'Also add this much ETH to the reserve (one fundDepositAndReserve transaction)' }),
    ...fundingFlags,
  };

  async run(): Promise<FundingResult> {
    const { args, flags } = await this.parse(DepositFund);
    const depositWei = parseEthArg('<eth>', args.eth);
    const request =
      flags.reserve !== undefined
        ? { action: 'deposit-and-reserve' as const, depositWei, reserveWei: parseEthArg('--reserve', flags.reserve) }
        : { action: 'deposit' as const, amountWei: depositWei };
    return runFunding({
      paths: this.pathsFor(flags),
      request,
      yes: flags.yes,
      ...(flags['pool-size'] !== undefined ? { poolSize: flags['pool-size'] } : {}),
      out: commandOutput(this),
    });
  }
}
