// `gw monitoring`: a Prometheus scrape config for this gateway's /metrics (control port, with the control token
// unless metricsPublic is on), and where the shipped Grafana dashboards and alert rules are.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient } from '../../api/controlClient.js';
import { checkDaemon } from '../../api/daemonState.js';
import { parseListenAddr } from '../../lib/net/listenAddr.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolveSettings } from '../../lib/settings/resolveSettings.js';
import { GwUserError } from '../baseCommand.js';

/** The package's monitoring/ folder: three levels up from src/cli/services and from dist/cli/services alike. */
export const MONITORING_DIR = fileURLToPath(new URL('../../../monitoring/', import.meta.url));

/** Prometheus job name of the scrape config; the shipped alert rules select `up{job="gw"}` by it. */
export const SCRAPE_JOB = 'gw';

/** How Prometheus reaches this gateway, and the files that go with it. */
export interface MonitoringSetup {
  /** host:port of the control API, where /metrics is. */
  readonly target: string;
  readonly metricsUrl: string;
  /** Read from the running daemon, or from the settings a start would use. */
  readonly from: 'daemon' | 'settings';
  readonly metricsPublic: boolean;
  /** The control token file Prometheus sends as a bearer token; null when metrics are public. */
  readonly tokenFile: string | null;
  readonly scrapeInterval: string;
  /** The `scrape_configs` entry, as YAML. */
  readonly scrapeConfig: string;
  /** Grafana dashboards to import (absolute paths). */
  readonly dashboards: string[];
  /** Prometheus alert-rule files (absolute paths). */
  readonly rules: string[];
}

export interface MonitoringOptions {
  /** Prometheus scrape interval, e.g. 15s. */
  readonly scrapeInterval?: string;
  /** host:port Prometheus should scrape, when it differs from the control address (another host, a proxy). */
  readonly target?: string;
}

const DURATION = /^(\d+(ms|s|m|h))+$/;

/** Works out the scrape target and auth from the running daemon (or the settings) and lists the shipped files. */
export async function monitoringSetup(paths: GwPaths, opts: MonitoringOptions = {}): Promise<MonitoringSetup> {
  const scrapeInterval = opts.scrapeInterval ?? '15s';
  if (!DURATION.test(scrapeInterval)) throw new GwUserError(`--scrape-interval must be a Prometheus duration such as 15s or 1m, got "${scrapeInterval}"`, 'invalid_setting');
  const live = checkDaemon(paths);
  let address: string;
  let metricsPublic: boolean;
  let from: MonitoringSetup['from'];
  if (live.state === 'running') {
    address = new URL(live.daemon.controlUrl).host;
    const entry = (await ControlClient.forPaths(paths).config()).settings.find((s) => s.key === 'metricsPublic');
    metricsPublic = entry?.value === true;
    from = 'daemon';
  } else {
    const settings = resolveSettings({ configFile: paths.configFile });
    address = settings.get('controlAddr')?.value as string;
    metricsPublic = settings.get('metricsPublic')?.value === true;
    from = 'settings';
  }
  const target = opts.target ?? scrapeableAddress(address);
  checkTarget(target);
  const tokenFile = metricsPublic ? null : paths.tokenFile;
  return {
    target,
    metricsUrl: `http://${target}/metrics`,
    from,
    metricsPublic,
    tokenFile,
    scrapeInterval,
    scrapeConfig: scrapeConfigYaml(target, tokenFile, scrapeInterval),
    dashboards: shipped('grafana', '.json'),
    rules: shipped('prometheus', '.yml'),
  };
}

/** A listen address as a scrape target: a wildcard host (0.0.0.0, ::) listens on loopback too. */
function scrapeableAddress(listen: string): string {
  const { host, port } = parseListenAddr(listen, 'controlAddr');
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
}

function checkTarget(target: string): void {
  if (!/^(\[[^\]]+\]|[^:/\s]+):\d{1,5}$/.test(target)) throw new GwUserError(`--target must look like host:port, got "${target}"`, 'invalid_setting');
}

function shipped(sub: string, ext: string): string[] {
  const dir = join(MONITORING_DIR, sub);
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(ext))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

// YAML is a superset of JSON: JSON strings are valid YAML scalars, whatever a path or host contains.
const q = (s: string) => JSON.stringify(s);

function scrapeConfigYaml(target: string, tokenFile: string | null, interval: string): string {
  const lines = [
    `  - job_name: ${SCRAPE_JOB}`,
    `    scrape_interval: ${interval}`,
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: [${q(target)}]`,
  ];
  // Prometheus reads the file at every scrape, so a new token (a new data dir) needs no reload.
  if (tokenFile) lines.push('    authorization:', `      credentials_file: ${q(tokenFile)}`);
  return `${lines.join('\n')}\n`;
}

/** A whole prometheus.yml: global intervals, the alert rules (copied beside it, by file name), this gateway's job. */
export function prometheusYaml(setup: MonitoringSetup): string {
  return [
    `# Prometheus config for the gw gateway at ${setup.target}, written by \`gw monitoring --write\`.`,
    `# Run: prometheus --config.file=prometheus.yml   Grafana dashboards: ${join(MONITORING_DIR, 'grafana')}`,
    'global:',
    `  scrape_interval: ${setup.scrapeInterval}`,
    `  evaluation_interval: ${setup.scrapeInterval}`,
    'rule_files:',
    ...(setup.rules.length ? setup.rules.map((r) => `  - ${q(basename(r))}`) : ['  []']),
    'scrape_configs:',
    setup.scrapeConfig,
  ].join('\n');
}

/** Writes prometheus.yml and copies the alert rules into `dir` (created if missing); returns the files written. */
export function writePrometheusConfig(dir: string, setup: MonitoringSetup): string[] {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, prometheusYaml(setup));
  const written = [config];
  for (const r of setup.rules) {
    const to = join(dir, basename(r));
    copyFileSync(r, to);
    written.push(to);
  }
  return written;
}
