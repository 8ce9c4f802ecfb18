// `gw monitoring` as a user runs it (the built CLI, no daemon: the settings decide the target and the token), the
// config it writes passes `promtool check config`, and the PromQL helpers of the Prometheus test do what they say.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runGw, tempDataDir } from '../helpers/gw.js';
import { grafanaToPromQL, metricNames, withBool } from './promql.js';

const run = promisify(execFile);

describe('gw monitoring', () => {
  it('prints a scrape config with the control token, and where the dashboards and rules are', async () => {
    const { dir, cleanup } = tempDataDir('gw-mon-cli-');
    try {
      const r = await runGw(['monitoring', '--data-dir', dir], { dataDir: dir, env: { GW_CONTROL_ADDR: '0.0.0.0:6935' } });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain('scrape_configs:\n  - job_name: gw\n');
      // A wildcard listen address is scraped on loopback.
      expect(r.stdout).toContain('      - targets: ["127.0.0.1:6935"]');
      expect(r.stdout).toContain(`      credentials_file: ${JSON.stringify(join(dir, 'control.token'))}`);
      expect(r.stdout).toMatch(/Dashboards:\s+\S+\/monitoring\/grafana\/gw-ai\.json\n\s+\S+gw-live-ai\.json\n\s+\S+gw-overview\.json\n\s+\S+gw-payments\.json/);
      expect(r.stdout).toMatch(/Alert rules:\s+\S+\/monitoring\/prometheus\/gw-alerts\.yml/);
      expect(r.stdout).toMatch(/from the settings/);
    } finally {
      cleanup();
    }
  });

  it('--write writes a prometheus.yml promtool accepts; public metrics need no token; --json has it all', async () => {
    const { dir, cleanup } = tempDataDir('gw-mon-cli-');
    try {
      const out = join(dir, 'prom');
      const r = await runGw(['monitoring', '--write', out, '--scrape-interval', '5s', '--target', 'gw1.internal:5935', '--json', '--data-dir', dir], { dataDir: dir, env: { GW_METRICS_PUBLIC: 'true' } });
      expect(r.exitCode, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { target: string; metricsPublic: boolean; tokenFile: string | null; written: string[]; dashboards: string[]; rules: string[] };
      expect(j).toMatchObject({ target: 'gw1.internal:5935', metricsPublic: true, tokenFile: null, written: [join(out, 'prometheus.yml'), join(out, 'gw-alerts.yml')] });
      expect(j.dashboards).toHaveLength(4);
      const yml = readFileSync(join(out, 'prometheus.yml'), 'utf8');
      expect(yml).toContain('  scrape_interval: 5s');
      expect(yml).toContain('  - "gw-alerts.yml"');
      expect(yml).not.toContain('authorization');
      expect(existsSync(join(out, 'gw-alerts.yml'))).toBe(true);
      const { stdout } = await run('/usr/bin/promtool', ['check', 'config', join(out, 'prometheus.yml')]);
      expect(stdout).toMatch(/SUCCESS: 8 rules found/);
    } finally {
      cleanup();
    }
  });

  it('refuses a target or interval Prometheus could not use', async () => {
    const { dir, cleanup } = tempDataDir('gw-mon-cli-');
    try {
      const bad = await runGw(['monitoring', '--target', 'http://x:1/metrics', '--data-dir', dir], { dataDir: dir });
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toContain('--target must look like host:port');
      const interval = await runGw(['monitoring', '--scrape-interval', '15', '--data-dir', dir], { dataDir: dir });
      expect(interval.exitCode).toBe(1);
      expect(interval.stderr).toContain('--scrape-interval must be a Prometheus duration');
    } finally {
      cleanup();
    }
  });
});

describe('PromQL helpers of the Prometheus test', () => {
  it('finds the metric names an expression reads, not functions, labels, keywords, numbers or durations', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le, orchestrator_uri) (rate(a_bucket{job=~"x",e="b_total"}[5m])))')).toEqual(['a_bucket']);
    expect(metricNames('sum(a) / ignoring(sender) rate(b[30m]) * 1e9 < 24 * 3600 and on(instance) c > 0 offset 5m').sort()).toEqual(['a', 'b', 'c']);
    expect(metricNames('max(x) by (state) == bool 1 or vector(0)')).toEqual(['x']);
  });

  it('makes every comparison outside label matchers bool', () => {
    expect(withBool('up{job="gw"} == 0')).toBe('up{job="gw"} == bool 0');
    expect(withBool('a{x!="1",y=~"<>"} < 0.9 and on(i) b>0')).toBe('a{x!="1",y=~"<>"} < bool 0.9 and on(i) b> bool 0');
    expect(withBool('a >= bool 1')).toBe('a >= bool 1');
  });

  it('substitutes Grafana variables', () => {
    expect(grafanaToPromQL('rate(a{job=~"$job",instance=~"${instance}"}[$__rate_interval]) + increase(a[$__range])')).toBe('rate(a{job=~".+",instance=~".+"}[1m]) + increase(a[1m])');
  });
});
