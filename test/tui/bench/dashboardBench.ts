/**
 * Dashboard benchmark: runs the real dashboard (feed → store → Ink) against stubDaemon.ts in a child process
 * and reports this process's CPU share, renders per second and event-to-screen latency (event received →
 * Ink wrote the frame). Needs a terminal: run it in tmux, e.g.
 *   tmux new -d -x 80 -y 24 'node --import tsx test/tui/bench/dashboardBench.ts --sessions 100 --seconds 20 --tab 1 --out /tmp/bench.json'
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { sessions: { type: 'string', default: '100' }, seconds: { type: 'string', default: '20' }, tab: { type: 'string', default: '1' } /* 0 overview … 5 log */, out: { type: 'string' } },
});
process.env.NODE_ENV ??= 'production';
const [{ default: React }, { render }, { ControlClient }, { Dashboard }, { DashboardFeed }, { LiveStore }] = await Promise.all([
  import('react'),
  import('ink'),
  import('../../../src/api/controlClient.js'),
  import('../../../src/tui/Dashboard.js'),
  import('../../../src/tui/feed.js'),
  import('../../../src/tui/liveStore.js'),
]);
if (process.env.BENCH_NO_FRAME_CACHE !== '1') await (await import('../../../src/tui/inkFrameCache.js')).installInkFrameCache();

const stub = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./stubDaemon.ts', import.meta.url)), values.sessions], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) => stub.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));

const store = new LiveStore();
let oldestPending: number | undefined;
const latencies: number[] = [];
let renders = 0;
const ac = new AbortController();
const feed = new DashboardFeed({
  clientFactory: () => new ControlClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'bench', dataDir: '/bench' }),
  sink: {
    event: (e) => {
      oldestPending ??= performance.now();
      store.event(e);
    },
    snapshot: (s) => store.snapshot(s),
    connection: (c) => store.connection(c),
    daemonRestarted: (at) => store.daemonRestarted(at),
  },
  signal: ac.signal,
});
const feedDone = feed.run();
const app = render(React.createElement(Dashboard, { store, dataDir: '/bench', theme: { color: true }, initialTab: Number(values.tab), onFocus: (id) => feed.setFocus(id) }), {
  exitOnCtrlC: true,
  maxFps: 30,
  onRender: () => {
    renders++;
    if (oldestPending !== undefined) latencies.push(performance.now() - oldestPending);
    oldestPending = undefined;
  },
});
await new Promise((r) => setTimeout(r, 5000)); // connect, let every stream start
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const events0 = store.state.eventsApplied;
const renders0 = renders;
latencies.length = 0;
await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
app.unmount();
ac.abort();
store.close();
await feedDone;
stub.kill();
latencies.sort((a, b) => a - b);
const q = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(p * latencies.length) - 1))] ?? NaN).toFixed(1));
const result = {
  sessions: store.state.sessions.size,
  seconds: Number((wallMs / 1000).toFixed(1)),
  cpuPercentOfCore: Number((((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)),
  eventsPerSecond: Math.round((store.state.eventsApplied - events0) / (wallMs / 1000)),
  rendersPerSecond: Number(((renders - renders0) / (wallMs / 1000)).toFixed(1)),
  eventToScreenMs: { p50: q(0.5), p95: q(0.95), max: q(1) },
};
const text = JSON.stringify(result);
if (values.out) writeFileSync(values.out, `${text}\n`);
console.error(text);
process.exit(0);
