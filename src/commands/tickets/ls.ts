import { Flags } from '@oclif/core';
import type { TicketView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { clock, eth, winProbText } from '../../cli/format.js';
import { renderTable } from '../../cli/render.js';

/** Lists recent tickets. */
export default class TicketsLs extends GwCommand {
  static override description = 'List recent payment tickets (recipient, nonce, face value, win probability, EV); --json keeps the raw winProb (an integer over 2^256 − 1)';

  static override examples = ['<%= config.bin %> tickets ls', '<%= config.bin %> tickets ls -n 500 --json'];

  static override flags = { limit: Flags.integer({ char: 'n', description: 'How many', default: 50 }) };

  async run(): Promise<{ tickets: TicketView[] }> {
    const { flags } = await this.parse(TicketsLs);
    const { tickets } = await ControlClient.forPaths(this.pathsFor(flags)).tickets(flags.limit);
    if (tickets.length === 0) this.log('no tickets sent yet (off-chain gateways and free orchestrators send none)');
    else this.log(renderTable(['time', 'session', 'recipient', 'nonce', 'face value', 'win prob', 'EV'], tickets.map((t) => [clock(t.at), t.sessionId, t.recipient, t.nonce, eth(t.faceValueWei), winProbText(t.winProb), eth(t.evWei)])));
    return { tickets };
  }
}
