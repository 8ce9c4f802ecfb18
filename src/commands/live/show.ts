import { Args } from '@oclif/core';
import type { LiveStreamView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { aboutStream, liveDetail } from '../../cli/live.js';

/** Shows one live AI stream in detail. */
export default class LiveShow extends GwCommand {
  static override description = 'Show one live AI stream: state, orchestrator, fps, latency, spend, params, HLS URL, RTMP outputs and its swaps with reasons';

  static override examples = ['<%= config.bin %> live show my-stream', '<%= config.bin %> live show my-stream --json'];

  static override args = { stream: Args.string({ description: 'Stream name (as published or started)', required: true }) };

  async run(): Promise<LiveStreamView> {
    const { args, flags } = await this.parse(LiveShow);
    const client = ControlClient.forPaths(this.pathsFor(flags));
    const view = await aboutStream(args.stream, () => client.liveStream(args.stream));
    this.log(liveDetail(view));
    return view;
  }
}
