import { Args } from '@oclif/core';
import type { SessionDetail } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { clock, eth, ms, pct } from '../../cli/format.js';
import { renderKeyValues, renderTable } from '../../cli/render.js';

/** Shows one stream or AI job in detail. */
export default class SessionsShow extends GwCommand {
  static override description = 'Show one stream or AI job: segment timeline, failovers and tickets';

  static override examples = ['<%= config.bin %> sessions show mystream', '<%= config.bin %> sessions show mystream --json'];

  static override args = { id: Args.string({ description: 'Stream or job id', required: true }) };

  async run(): Promise<SessionDetail> {
    const { args, flags } = await this.parse(SessionsShow);
    const s = await ControlClient.forPaths(this.pathsFor(flags)).session(args.id);
    this.log(
      renderKeyValues([
        ['Session', `${s.id} (${s.kind}, ${s.endedAt ? `ended ${clock(s.endedAt)}` : 'live'})`],
        ['Orchestrator', s.orchestrator ?? '—'],
        ['Renditions', s.renditions.join(', ')],
        ['Segments', `${s.segmentsOk} ok, ${s.segmentsFailed} failed (${pct(s.successRate)})`],
        ['Latency', `p50 ${ms(s.p50Ms)}, p95 ${ms(s.p95Ms)}`],
        ['Spend (EV)', eth(s.spendWei)],
      ]),
    );
    if (s.segments.length) {
      this.log('\nRecent segments');
      this.log(renderTable(['seq', 'time', 'orchestrator', 'result', 'latency', 'attempts'], s.segments.slice(-20).map((g) => [g.seq, clock(g.at), g.orchestrator ?? '—', g.ok ? 'ok' : (g.error ?? 'failed'), ms(g.latencyMs), g.attempts])));
    }
    if (s.failovers.length) {
      this.log('\nFailovers');
      this.log(renderTable(['time', 'from', 'to', 'reason', 'attempt'], s.failovers.map((f) => [clock(f.at), f.from, f.to, f.reason, f.attempt])));
    }
    if (s.tickets.length) {
      this.log('\nRecent tickets');
      this.log(renderTable(['time', 'recipient', 'nonce', 'face value', 'EV'], s.tickets.slice(-10).map((t) => [clock(t.at), t.recipient, t.nonce, eth(t.faceValueWei), eth(t.evWei)])));
    }
    return s;
  }
}
