/**
 * bench/live-concurrency: how many live AI streams gw keeps real-time on this machine, what gw itself costs per
 * stream, and its memory. One off-chain devnet orchestrator (child process, `noop` runners: bytes through) and a gw
 * daemon; N publishers loop a pre-encoded 640×360 1 Mbit/s FLV into gw's `ai` app with `-c copy` (no encoding), for
 * N in BENCH_STREAMS (default 4,8,16,24). Per step, after a warm-up, over a window: CPU (% of one core) of the gw daemon
 * itself, of gw's ffmpeg children (the segmenters), of the orchestrator (trickle server + runners) and of the
 * publishers, gw's RSS, and whether every stream stayed real-time (output segments over the window ≥ 90 % of the
 * input's). Target: gw's own share allows ≥ 50 streams per core; RSS ≤ 600 MB at the largest step.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuMeter, daemonPid, killOnExit, loadAverage, processCpuMs, processRssMb, sleep, spawnOrchestrator, startGateway } from './lib/harness.js';
import { report } from './stats.js';

const STEPS = (process.env.BENCH_STREAMS ?? '4,8,16,24').split(',').map(Number);
const WARMUP_MS = 8000;
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 20_000);
const SEGMENT_S = 2;

const src = join(tmpdir(), 'gw-bench-live-src.flv');
if (!existsSync(src)) {
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '20',
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '1000k', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', src]);
}

const orch = await spawnOrchestrator(['--offchain', '--live', '--live-capacity', '200', '--live-status-interval', '10s']);
const publishers: ChildProcess[] = [];
killOnExit(() => [orch, ...publishers.map((p) => ({ kill: () => p.kill('SIGKILL') }))]);
const gw = await startGateway({ orchAddr: [orch.uri], liveMaxStreams: 500 });
const gwPid = daemonPid(gw.paths);
const rtmpBase = gw.state.rtmpUrl.replace(/\/live$/, '/ai');

/** CPU ms of the daemon's direct children (its ffmpeg segmenters). */
function childrenCpuMs(pid: number): number {
  let total = 0;
  try {
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += processCpuMs(Number(c)) ?? 0;
  } catch {
    // gone
  }
  return total;
}

const results: Record<string, number | string> = {};
let perStreamGw = Number.NaN;
for (const n of STEPS) {
  while (publishers.length < n) {
    const i = publishers.length;
    publishers.push(spawn('ffmpeg', ['-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', src, '-c', 'copy', '-f', 'flv', `${rtmpBase}/c${i}?pipeline=noop`], { stdio: 'ignore' }));
  }
  await sleep(WARMUP_MS);
  const before = new Map((await gw.client.liveStreams()).filter((s) => s.state === 'running').map((s) => [s.stream, s]));
  const pubPids = Object.fromEntries(publishers.map((p, i) => [`p${i}`, p.pid!]));
  const meter = new CpuMeter({ gw: gwPid, orch: orch.pid, ...pubPids });
  const kids0 = childrenCpuMs(gwPid);
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const cpu = meter.read();
  const wall = performance.now() - t0;
  const segmenters = ((childrenCpuMs(gwPid) - kids0) / wall) * 100;
  const after = (await gw.client.liveStreams()).filter((s) => s.state === 'running');
  const expected = WINDOW_MS / 1000 / SEGMENT_S;
  const realtime = after.filter((s) => {
    const b = before.get(s.stream);
    return b !== undefined && s.outputSegments - b.outputSegments >= Math.floor(expected * 0.9);
  }).length;
  const pubCpu = publishers.reduce((a, _, i) => a + (cpu[`p${i}`] ?? 0), 0);
  const rss = processRssMb(gwPid) ?? Number.NaN;
  perStreamGw = cpu.gw! / n;
  console.log(
    `${n} streams: running ${after.length}, real-time ${realtime}/${n}; CPU % of a core: gw ${cpu.gw!.toFixed(1)} (${perStreamGw.toFixed(2)}/stream), segmenters ${segmenters.toFixed(1)}, orchestrator ${cpu.orch!.toFixed(1)}, publishers ${pubCpu.toFixed(1)}; gw RSS ${rss.toFixed(0)} MB; load ${loadAverage()}`,
  );
  results[`s${n}_realtime`] = `${realtime}/${n}`;
  results[`s${n}_gw_cpu_pct_per_stream`] = perStreamGw;
  results[`s${n}_segmenters_cpu_pct`] = segmenters;
  results[`s${n}_orchestrator_cpu_pct`] = cpu.orch!;
  results[`s${n}_publishers_cpu_pct`] = pubCpu;
  results[`s${n}_gw_rss_mb`] = rss;
  if (realtime < n) break;
}
for (const p of publishers) p.kill('SIGTERM');
await gw.stop();
await orch.stop();
const perCore = 100 / perStreamGw;
report('live-concurrency', {
  ...results,
  gw_streams_per_core: perCore,
  target: perCore >= 50 ? 'met (gw own share ≥ 50 streams per core)' : 'MISSED',
});
process.exit(0);
