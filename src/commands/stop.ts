import { Flags } from '@oclif/core';
import { GwCommand } from '../cli/baseCommand.js';
import { stopDaemon, type StopOutcome } from '../cli/services/daemonProcess.js';

const MESSAGES: Record<StopOutcome, string> = {
  'not-running': 'gw is not running',
  'cleaned-stale': 'gw was not running; removed the stale state of a crashed daemon',
  graceful: 'gw stopped (drained)',
  terminated: 'gw stopped after SIGTERM (drain did not finish in time)',
  killed: 'gw killed with SIGKILL (it ignored SIGTERM)',
};

/** Stops the gateway daemon gracefully. */
export default class Stop extends GwCommand {
  static override description = 'Stop the gateway: stop intake, drain in-flight work, then SIGTERM, then SIGKILL after a timeout';

  static override examples = ['<%= config.bin %> stop', '<%= config.bin %> stop --timeout 30'];

  static override flags = {
    timeout: Flags.integer({ description: 'Seconds to wait for the drain before SIGTERM', default: 15 }),
  };

  async run(): Promise<{ outcome: StopOutcome }> {
    const { flags } = await this.parse(Stop);
    const outcome = await stopDaemon({ paths: this.pathsFor(flags), timeoutMs: flags.timeout * 1000 });
    this.log(MESSAGES[outcome]);
    return { outcome };
  }
}
