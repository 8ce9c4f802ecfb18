import { Flags } from '@oclif/core';
import { GwCommand } from '../cli/baseCommand.js';
import { renderKeyValues } from '../cli/render.js';
import { monitoringSetup, writePrometheusConfig, type MonitoringSetup } from '../cli/services/monitoring.js';

/** Prints (or writes) a Prometheus scrape config for this gateway and says where the dashboards and alert rules are. */
export default class Monitoring extends GwCommand {
  static override description =
    "Prometheus scrape config for this gateway's /metrics (with the control token unless metrics are public), and where the Grafana dashboards and alert rules are";

  static override examples = [
    '<%= config.bin %> monitoring',
    '<%= config.bin %> monitoring --write ~/prometheus && prometheus --config.file ~/prometheus/prometheus.yml',
    '<%= config.bin %> monitoring --target gw1.internal:5935 --json | jq -r .scrapeConfig',
  ];

  static override flags = {
    write: Flags.string({ description: 'Write prometheus.yml (and copy the alert rules) into this directory' }),
    'scrape-interval': Flags.string({ description: 'Prometheus scrape interval', default: '15s' }),
    target: Flags.string({ description: 'host:port Prometheus scrapes, when not the control address (Prometheus on another host)' }),
  };

  async run(): Promise<MonitoringSetup & { written: string[] }> {
    const { flags } = await this.parse(Monitoring);
    const setup = await monitoringSetup(this.pathsFor(flags), {
      scrapeInterval: flags['scrape-interval'],
      ...(flags.target ? { target: flags.target } : {}),
    });
    const written = flags.write ? writePrometheusConfig(flags.write, setup) : [];
    if (written.length) this.log(`wrote ${written.join(', ')}\n`);
    else this.log(`# add to the scrape_configs of your prometheus.yml (or run gw monitoring --write <dir>)\nscrape_configs:\n${setup.scrapeConfig}`);
    // Continuation lines line up under the values of renderKeyValues (longest key "Alert rules" + ": ").
    const more = `\n${' '.repeat('Alert rules: '.length)}`;
    this.log(
      renderKeyValues([
        ['Metrics', `${setup.metricsUrl} (${setup.metricsPublic ? 'public' : `token: ${setup.tokenFile}`}; from the ${setup.from === 'daemon' ? 'running daemon' : 'settings'})`],
        ['Dashboards', setup.dashboards.join(more) || '(none found)'],
        ['Alert rules', setup.rules.join(more) || '(none found)'],
      ]),
    );
    this.log('\nGrafana: Dashboards → New → Import, upload each JSON file and pick your Prometheus data source.');
    if (!written.length) this.log('Prometheus: list the alert-rule files under rule_files in prometheus.yml.');
    return { ...setup, written };
  }
}
