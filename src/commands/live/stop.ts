import { Args } from '@oclif/core';
import type { LiveStreamView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { aboutStream } from '../../cli/live.js';

/** Stops a live AI stream. */
export default class LiveStop extends GwCommand {
  static override description = 'Stop a live AI stream: its input is disconnected and its orchestrator released';

  static override examples = ['<%= config.bin %> live stop my-stream', '<%= config.bin %> live stop my-stream --json'];

  static override args = { stream: Args.string({ description: 'Stream name', required: true }) };

  async run(): Promise<LiveStreamView> {
    const { args, flags } = await this.parse(LiveStop);
    const client = ControlClient.forPaths(this.pathsFor(flags));
    const view = await aboutStream(args.stream, () => client.liveStop(args.stream), { running: true });
    this.log(`stopped ${view.stream} (${view.state}${view.endReason ? `: ${view.endReason}` : ''})`);
    return view;
  }
}
