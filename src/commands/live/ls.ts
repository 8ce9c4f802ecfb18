import type { LiveStreamView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { aboutStream, liveTable } from '../../cli/live.js';

/** Lists live AI streams. */
export default class LiveLs extends GwCommand {
  static override description = 'List live AI (live video-to-video) streams: pipeline, state, orchestrator, in/out fps, latency, swaps, spend, age';

  static override examples = ['<%= config.bin %> live ls', '<%= config.bin %> live ls --json'];

  async run(): Promise<{ streams: LiveStreamView[] }> {
    const { flags } = await this.parse(LiveLs);
    const client = ControlClient.forPaths(this.pathsFor(flags));
    const streams = await aboutStream(undefined, () => client.liveStreams());
    if (streams.length === 0) this.log('no live AI streams yet: publish to rtmp://<gateway>/ai/<stream>?pipeline=… or run `gw live start`');
    else this.log(liveTable(streams));
    return { streams };
  }
}
