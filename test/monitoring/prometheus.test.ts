// The shipped monitoring against a real Prometheus (Debian's prometheus package): a gw daemon on the devnet chain
// carries a transcoded stream, an AI request and a live AI stream; Prometheus scrapes it with the config `gw
// monitoring --write` produced and loads the shipped alert rules; then every PromQL expression of every Grafana
// panel and every alert rule is evaluated through Prometheus's HTTP API and must return a series, and every metric
// name they use must be one Prometheus has scraped. promtool checks the rule files.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITORING_DIR, monitoringSetup, writePrometheusConfig } from '../../src/cli/services/monitoring.js';
import { devnetDown, devnetUp } from '../../src/devnet/devnetUp.js';
import type { DevnetState } from '../../src/devnet/devnetState.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { httpRequest, startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';
import { tempDataDir } from '../helpers/gw.js';
import { makeTsSegment } from '../helpers/media.js';
import { dashboardQueries, grafanaToPromQL, metricNames, ruleQueries, withBool, type PanelQuery } from './promql.js';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const run = promisify(execFile);

// Half of the tickets win (a gateway refuses tickets whose EV equals their face value), and the price makes each
// segment cost a few tickets, so winning tickets are redeemed on the devnet chain within the first segments.
const TICKET_EV = 2_500_000_000_000_000n;

interface PromVector {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('monitoring/ against a real Prometheus', () => {
  const { dir, cleanup } = tempDataDir('gw-mon-');
  const paths = resolvePaths(dir);
  let devnet: DevnetState;
  let gw: TestGateway;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let scraped = new Set<string>();

  const query = async (promql: string): Promise<PromVector> => {
    const r = await httpRequest(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return JSON.parse(r.body.toString('utf8')) as PromVector;
  };

  /** Why a query is not good enough for a panel (does not parse, no series, a metric never scraped), or null. */
  const problem = async (promql: string): Promise<string | null> => {
    const r = await query(promql);
    if (r.status !== 'success') return `does not evaluate: ${r.error}`;
    if (!r.data || r.data.result.length === 0) return 'returns no series';
    const unknown = metricNames(promql).filter((n) => !scraped.has(n));
    return unknown.length ? `uses metrics Prometheus never scraped: ${unknown.join(', ')}` : null;
  };

  beforeAll(async () => {
    ({ state: devnet } = await devnetUp({
      paths,
      orchestrators: 1,
      prices: ['500000000/1'],
      chain: true,
      passthrough: true,
      ai: true,
      live: true,
      basePort: 0,
      chainPort: 0,
      deposit: 10n ** 18n,
      reserve: 10n ** 18n,
      ticketEV: TICKET_EV,
      maxFaceValue: 2n * TICKET_EV,
    }));
    gw = await startTestGateway(
      {
        network: 'devnet',
        orchAddr: devnet.orchestrators.map((o) => o.uri),
        maxPricePerUnit: '1000000000',
        maxTicketEV: '10000000000000000',
        maxTotalEV: '100000000000000000',
        // A per-capability cap, so livepeer_price_per_capability has a series.
        maxPricePerCapability: JSON.stringify({ capabilities_prices: [{ pipeline: 'text-to-image', model_id: 'devnet/sd-tiny', price_per_unit: 100_000, pixels_per_unit: 1, currency: 'wei' }] }),
      },
      dir,
    );
    await waitFor(async () => (await gw.client.orchestrators()).orchestrators.some((o) => !o.rejected), 'the orchestrator probed');

    // Work of every kind, side by side: a live AI test card, a transcoded stream, an AI request.
    const live = httpRequest(`${gw.state.httpUrl}/live/video-to-video/smoketest`, {
      method: 'PUT',
      body: Buffer.from(JSON.stringify({ stream_url: `rtmp://127.0.0.1:${gw.rtmpPort}/ai/mon?pipeline=noop`, duration_secs: 30 })),
    });
    const segments = [0, 2].map((offset) => makeTsSegment({ seconds: 2, offsetSeconds: offset }));
    for (let seq = 0; seq < 4; seq++) {
      const r = await httpRequest(`${gw.state.httpUrl}/live/cam/${seq}.ts`, { method: 'POST', headers: { 'Content-Duration': '2000' }, body: segments[seq % 2]! });
      expect(r.status, r.body.toString()).toBe(200);
    }
    const ai = await httpRequest(`${gw.state.httpUrl}/text-to-image`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ model_id: 'devnet/sd-tiny', prompt: 'a lighthouse', width: 64, height: 64 })),
    });
    expect(ai.status, ai.body.toString()).toBe(200);
    expect((await live).status).toBe(200);
    await waitFor(async () => ((await gw.client.liveStream('mon').catch(() => undefined))?.outputSegments ?? 0) >= 1, 'live AI output', 30_000);

    // Prometheus with what `gw monitoring --write` writes, scraping every second.
    const setup = await monitoringSetup(paths, { scrapeInterval: '1s' });
    expect(setup.from).toBe('daemon');
    const promDir = join(dir, 'prometheus');
    writePrometheusConfig(promDir, setup);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [`--config.file=${join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let promLog = '';
    prometheus.stderr!.on('data', (c: Buffer) => (promLog = (promLog + c.toString()).slice(-4000)));
    await waitFor(async () => (await httpRequest(`${promUrl}/-/ready`).catch(() => ({ status: 0 }))).status === 200, `Prometheus ready (${promLog})`, 20_000);
    // Two scrapes of an up target: every rate() over a window has its two points.
    await waitFor(async () => {
      const r = await query('count_over_time(up{job="gw"}[1m]) >= 2 and up{job="gw"} == 1');
      return (r.data?.result.length ?? 0) === 1;
    }, `two scrapes of gw (${promLog})`, 20_000);
    const names = JSON.parse((await httpRequest(`${promUrl}/api/v1/label/__name__/values`)).body.toString()) as { data: string[] };
    scraped = new Set(names.data);
  }, 150_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill('SIGTERM');
      await new Promise((r) => prometheus!.once('exit', r));
    }
    await gw?.stop();
    await devnetDown(paths);
    cleanup();
  });

  it('promtool check rules passes on the shipped alert rules', async () => {
    const files = readdirSync(join(MONITORING_DIR, 'prometheus')).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    const { stdout } = await run(PROMTOOL, ['check', 'rules', ...files.map((f) => join(MONITORING_DIR, 'prometheus', f))]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('every PromQL expression of every shipped Grafana panel returns a series', async () => {
    const queries: PanelQuery[] = readdirSync(join(MONITORING_DIR, 'grafana'))
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => dashboardQueries(f, JSON.parse(readFileSync(join(MONITORING_DIR, 'grafana', f), 'utf8'))));
    expect(queries.length).toBeGreaterThan(30);
    const failed: string[] = [];
    for (const q of queries) {
      const why = await problem(grafanaToPromQL(q.expr));
      if (why) failed.push(`${q.where}: ${why}\n    ${q.expr}`);
    }
    expect(failed).toEqual([]);
  });

  it('Prometheus loaded every alert rule, and each expression (its comparisons made `bool`) returns a series', async () => {
    const body = JSON.parse((await httpRequest(`${promUrl}/api/v1/rules`)).body.toString()) as Parameters<typeof ruleQueries>[0];
    const rules = ruleQueries(body);
    const inFiles = readdirSync(join(MONITORING_DIR, 'prometheus'))
      .filter((f) => f.endsWith('.yml'))
      .reduce((n, f) => n + (readFileSync(join(MONITORING_DIR, 'prometheus', f), 'utf8').match(/^\s*- alert:/gm)?.length ?? 0), 0);
    expect(rules.length).toBe(inFiles);
    const failed: string[] = [];
    for (const r of rules) {
      const why = await problem(withBool(r.expr));
      if (why) failed.push(`${r.where}: ${why}\n    ${r.expr}`);
    }
    expect(failed).toEqual([]);
  });

  it('catches a metric-name typo in a panel and an expression that does not parse', async () => {
    expect(await problem('sum(rate(livepeer_segment_source_emerged_totl[1m]))')).toBe('returns no series');
    // A typo hidden behind `or` still returns a series: the scraped-names check catches it.
    expect(await problem('sum(rate(livepeer_segment_source_emerged_totl[1m])) or vector(0)')).toMatch(/never scraped: livepeer_segment_source_emerged_totl/);
    expect(await problem('sum(rate(livepeer_tickets_sent[1m])')).toMatch(/^does not evaluate/);
    expect(await problem(grafanaToPromQL('sum(rate(livepeer_tickets_sent{instance=~"$instance"}[$__rate_interval]))'))).toBeNull();
  });

  it("counts the gateway's winning tickets redeemed on chain", async () => {
    await waitFor(async () => Number((await query('sum(gw_winning_tickets_redeemed_total)')).data?.result[0]?.value[1] ?? 0) > 0, 'a redemption scraped', 30_000);
    const value = Number((await query('sum(gw_winning_tickets_redeemed_wei_total)')).data!.result[0]!.value[1]);
    const count = Number((await query('sum(gw_winning_tickets_redeemed_total)')).data!.result[0]!.value[1]);
    expect(value).toBe(count * Number(2n * TICKET_EV));
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// The package must be installed: fail with the fix rather than with a spawn error.
if (!existsSync(PROMETHEUS) || !existsSync(PROMTOOL)) throw new Error(`${PROMETHEUS} and ${PROMTOOL} are needed: apt-get install prometheus (.ci/run does)`);
