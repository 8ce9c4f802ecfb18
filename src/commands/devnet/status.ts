import { Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { renderTable } from '../../cli/render.js';
import { formatEth } from '../../lib/payments/units.js';
import { devnetStatus } from '../../devnet/devnetUp.js';

/** Shows the devnet's processes, orchestrators and funded accounts. */
export default class DevnetStatus extends GwCommand {
  static override description = 'Show the local devnet: chain, orchestrators (alive or dead, with counters) and funded gateway accounts';

  static override examples = ['<%= config.bin %> devnet status', '<%= config.bin %> devnet status --show-keys'];

  static override flags = {
    'show-keys': Flags.boolean({ description: 'Also print the dev accounts\' private keys (public Hardhat keys; never use them for real funds)' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DevnetStatus);
    const s = await devnetStatus(this.pathsFor(flags));
    if (!s) {
      this.log('devnet is not up (start it with gw devnet up)');
      return { up: false };
    }
    const c = s.state.chain;
    if (c && s.chain) {
      this.log(`Chain:  ${c.rpcUrl} chain id ${c.chainId}, pid ${c.pid}, ${s.chain.alive ? `alive, block ${s.chain.blockNumber ?? '?'}` : 'DEAD'}`);
      this.log(`        Controller ${c.contracts.controller}, TicketBroker ${c.contracts.ticketBroker}`);
    } else {
      this.log('Chain:  none (off-chain orchestrators)');
    }
    this.log(
      renderTable(
        ['#', 'orchestrator', 'address', 'price', 'pid', 'state', 'sessions', 'segments', 'tickets'],
        s.orchestrators.map((o, i) => [
          i, o.uri, o.address, o.price, o.pid, o.alive ? 'alive' : 'DEAD',
          o.stats?.sessions ?? '-', o.stats?.segments ?? '-', o.stats ? `${o.stats.ticketsReceived} (${o.stats.winningTickets} won)` : '-',
        ]),
      ),
    );
    for (const a of s.accounts) {
      const funds = a.balance !== undefined ? `${formatEth(a.balance, { maxDecimals: 4 })}, deposit ${formatEth(a.deposit ?? 0n)}, reserve ${formatEth(a.reserve ?? 0n)}` : 'balance unknown';
      this.log(`Gateway account: ${a.address}  ${funds}`);
      if (flags['show-keys']) this.log(`  private key: ${a.privateKey}`);
    }
    return {
      up: true,
      chain: c ? { ...c, alive: s.chain?.alive ?? false, blockNumber: s.chain?.blockNumber?.toString() } : null,
      orchestrators: s.orchestrators.map(({ controlToken: _t, ...o }) => o),
      accounts: s.accounts.map((a) => ({
        address: a.address,
        ...(flags['show-keys'] ? { privateKey: a.privateKey } : {}),
        balance: a.balance?.toString(),
        deposit: a.deposit?.toString(),
        reserve: a.reserve?.toString(),
      })),
    };
  }
}
