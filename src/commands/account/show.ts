import { Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { renderAccount, showAccount } from '../../cli/services/account.js';
import type { AccountView } from '../../lib/chain/accountView.js';

/** Shows the gateway account: balances, sender state, rounds, runway and reserve guidance. */
export default class AccountShow extends GwCommand {
  static override description =
    'Show the gateway account: address, ETH balance, deposit, reserve, sender state, withdraw round, runway and reserve guidance';

  static override examples = ['<%= config.bin %> account show', '<%= config.bin %> account show --pool-size 50 --json'];

  static override flags = {
    'pool-size': Flags.integer({
      min: 1,
      description: 'Orchestrators sharing the reserve (default: 100 on arbitrum-one-mainnet, the registered pool on a devnet)',
    }),
  };

  async run(): Promise<AccountView> {
    const { flags } = await this.parse(AccountShow);
    const view = await showAccount(this.pathsFor(flags), flags['pool-size'] !== undefined ? { poolSize: flags['pool-size'] } : {});
    this.log(renderAccount(view));
    return view;
  }
}
