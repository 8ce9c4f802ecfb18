import type { SessionView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { eth, ms, pct } from '../../cli/format.js';
import { renderTable } from '../../cli/render.js';

/** Lists streams and AI jobs. */
export default class SessionsLs extends GwCommand {
  static override description = 'List streams and AI jobs: orchestrator, renditions, segments ok/failed, p50/p95 latency, spend';

  static override examples = ['<%= config.bin %> sessions ls', '<%= config.bin %> sessions ls --json'];

  async run(): Promise<{ sessions: SessionView[] }> {
    const { flags } = await this.parse(SessionsLs);
    const { sessions } = await ControlClient.forPaths(this.pathsFor(flags)).sessions();
    if (sessions.length === 0) this.log('no streams or AI jobs yet');
    else
      this.log(
        renderTable(
          ['id', 'kind', 'orchestrator', 'renditions', 'ok', 'failed', 'p50', 'p95', 'success', 'spend', 'state'],
          sessions.map((s) => [s.id, s.kind, s.orchestrator ?? '—', s.renditions.join(','), s.segmentsOk, s.segmentsFailed, ms(s.p50Ms), ms(s.p95Ms), pct(s.successRate), eth(s.spendWei), s.endedAt ? 'ended' : 'live']),
        ),
      );
    return { sessions };
  }
}
