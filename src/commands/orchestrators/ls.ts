import { Flags } from '@oclif/core';
import type { OrchestratorsResponse } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { aiModelsText, ms, pct } from '../../cli/format.js';
import { renderTable } from '../../cli/render.js';
import { fetchOffers, renderOffers } from '../../cli/services/prices.js';
import type { NetworkOffersResponse } from '../../api/contract.js';

/** Lists known and rejected orchestrators. */
export default class OrchestratorsLs extends GwCommand {
  static override description = 'List orchestrators the gateway knows: price vs our cap, latency, success rate, in use, suspended, why rejected ones were rejected, and the AI pipelines and models each serves';

  static override examples = [
    '<%= config.bin %> orchestrators ls',
    '<%= config.bin %> orchestrators ls --rejected',
    '<%= config.bin %> orchestrators ls --pipeline llm',
    '<%= config.bin %> orchestrators ls --pipeline text-to-image --model stabilityai/sdxl-turbo',
    '<%= config.bin %> orchestrators ls --json',
  ];

  static override flags = {
    rejected: Flags.boolean({ description: 'Only rejected orchestrators' }),
    usable: Flags.boolean({ description: 'Only usable orchestrators' }),
    pipeline: Flags.string({ description: 'Who serves this AI pipeline (or "byoc"): model, warm or cold, free capacity, price' }),
    model: Flags.string({ description: 'With or without --pipeline: only this model (or BYOC capability)' }),
    refresh: Flags.boolean({ description: 'With --pipeline/--model: ask every orchestrator now instead of using the last answers (≤ 30 s old)' }),
  };

  async run(): Promise<OrchestratorsResponse | NetworkOffersResponse> {
    const { flags } = await this.parse(OrchestratorsLs);
    if (flags.pipeline !== undefined || flags.model !== undefined) {
      const filter = { ...(flags.pipeline ? { pipeline: flags.pipeline } : {}), ...(flags.model ? { modelId: flags.model } : {}) };
      const view = await fetchOffers(this.pathsFor(flags), { ...filter, refresh: flags.refresh });
      this.log(renderOffers(view, filter));
      return view;
    }
    const res = await ControlClient.forPaths(this.pathsFor(flags)).orchestrators();
    const list = res.orchestrators.filter((o) => (flags.rejected ? o.rejected : flags.usable ? !o.rejected : true));
    this.log(`price cap: ${res.maxPricePerPixel ? `${res.maxPricePerPixel} wei/pixel` : 'none — accepting any price (gw config set max-price-per-unit N)'}`);
    if (list.length === 0) {
      this.log('no orchestrators known yet (set --orch-addr, --orch-webhook-url, or run on-chain)');
      return res;
    }
    this.log(
      renderTable(
        ['orchestrator', 'address', 'wei/pixel', 'latency', 'score', 'success', 'in use', 'state', 'AI models'],
        list.map((o) => [
          o.uri,
          o.address ? `${o.address.slice(0, 8)}…${o.address.slice(-4)}` : '—',
          o.pricePerPixelWei ?? '—',
          ms(o.latencyMs),
          o.latencyScore === null ? '—' : o.latencyScore.toFixed(2),
          pct(o.successRate),
          o.inUse,
          o.rejected ? `rejected: ${o.rejected.reason} (${o.rejected.detail})` : o.suspended ? `suspended (penalty ${o.suspended.penalty}): ${o.suspended.reason}` : 'usable',
          // a daemon older than this CLI sends no `ai`
          aiModelsText(o.ai ?? []),
        ]),
      ),
    );
    return res;
  }
}
