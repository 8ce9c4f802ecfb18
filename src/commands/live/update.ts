import { Args, Flags } from '@oclif/core';
import type { LiveStreamView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { aboutStream, parseParamsFlag } from '../../cli/live.js';

/** Sends new params to a running live AI stream. */
export default class LiveUpdate extends GwCommand {
  static override description = "Send new params to a running live AI stream (its runner gets them on the control channel; later orchestrators after a swap get them too)";

  static override examples = [`<%= config.bin %> live update my-stream --params '{"hue":90}'`, `<%= config.bin %> live update my-stream --params '{"prompt":"a watercolor"}' --json`];

  static override args = { stream: Args.string({ description: 'Stream name', required: true }) };

  static override flags = { params: Flags.string({ description: 'The new params, a JSON object', required: true }) };

  async run(): Promise<LiveStreamView> {
    const { args, flags } = await this.parse(LiveUpdate);
    // checked before the daemon is looked for: a typo is the same usage error with or without a daemon
    const params = parseParamsFlag(flags.params);
    const client = ControlClient.forPaths(this.pathsFor(flags));
    const view = await aboutStream(args.stream, () => client.liveUpdate(args.stream, params), { running: true });
    this.log(`updated ${view.stream}: params ${JSON.stringify(view.params)}`);
    return view;
  }
}
