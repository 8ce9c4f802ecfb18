import type { StatusResponse } from '../api/contract.js';
import { ControlClient } from '../api/controlClient.js';
import { GwCommand } from '../cli/baseCommand.js';
import { formatDuration, renderKeyValues } from '../cli/render.js';

/** Shows what the daemon is doing. */
export default class Status extends GwCommand {
  static override description = 'Show version, pid, uptime, mode, endpoints, orchestrators and sessions';

  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json | jq .mode'];

  async run(): Promise<StatusResponse> {
    const { flags } = await this.parse(Status);
    const s = await ControlClient.forPaths(this.pathsFor(flags)).status();
    this.log(
      renderKeyValues([
        ['Version', s.version],
        ['PID', s.pid],
        ['Uptime', formatDuration(s.uptimeMs)],
        ['Mode', `${s.mode} (network ${s.network})${s.draining ? ' — draining' : ''}`],
        ['RTMP', s.endpoints.rtmp],
        ['HTTP', s.endpoints.http],
        ['Control', s.endpoints.control],
        ['Metrics', s.endpoints.metrics],
        ['Orchestrators', `${s.orchestrators.known} known, ${s.orchestrators.usable} usable, ${s.orchestrators.rejected} rejected`],
        ['Sessions', `${s.sessions.active} active (${s.sessions.streams} streams, ${s.sessions.aiJobs} AI jobs)`],
        ['Data dir', s.dataDir],
      ]),
    );
    return s;
  }
}
