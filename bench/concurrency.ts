/**
 * bench/concurrency: how many concurrent 2 s-segment streams gw keeps real-time on this machine. Three off-chain
 * passthrough devnet orchestrators run as child processes; the pushers run in this process. Ramp (default 25, 50,
 * 100, 200, 300 streams): each step starts a fresh daemon, and every stream HTTP-pushes one segment every 2 s (on
 * schedule, not waiting for the previous reply, like a live source) for ~20 s. A segment is on time when its
 * multipart reply with every rendition has arrived within the segment duration. A step passes when ≥ 99 % of its
 * segments are on time; the ramp stops at the first failing step. Also: daemon VmRSS (peak, from daemon.json's pid)
 * and CPU (% of one core) of the daemon, the orchestrators and this process, and the load average.
 * Targets: ≥ 200 streams, RSS ≤ 500 MB. BENCH_SEGMENT=small uses the small 240p segment instead of ~1 MB 720p.
 *
 * The orchestrators and pushers share the machine with gw, so each step also prints the ceiling they set on their
 * own: at their measured CPU per stream, the stream count at which they alone would use every core
 * (`peer_bound_streams`, from the last real-time step). No gateway can keep more streams real-time here than that.
 *
 * BENCH_TARGET=floor ramps the floor proxy (lib/floorProxyEntry.ts: push in, gw's protocol client, multipart out,
 * nothing else) instead of gw: how many streams a gateway process that only forwards keeps real-time here.
 */
import { benchSegments, CpuMeter, daemonPid, killOnExit, loadAverage, processRssMb, pushSegment, renditionProblem, sleep, spawnFloorProxy, spawnOrchestrator, startGateway, type OrchestratorChild } from './lib/harness.js';
import { availableParallelism } from 'node:os';
import { percentile, report } from './stats.js';

const STEPS = (process.env.BENCH_STEPS ?? '25,50,100,200,300').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 20);
const SEGMENT_MS = 2000;
const ON_TIME_SHARE = 0.99;
const TARGET_STREAMS = 200;
const TARGET_RSS_MB = 500;
const TARGET = process.env.BENCH_TARGET === 'floor' ? 'floor' : 'gw';

const children: OrchestratorChild[] = [];
killOnExit(() => children);
for (let i = 0; i < 3; i++) children.push(await spawnOrchestrator(['--offchain', '--passthrough', '--capacity', '100000']));
const { large, small } = benchSegments();
const data = process.env.BENCH_SEGMENT === 'small' ? small : large;

interface StepResult {
  streams: number;
  segments: number;
  onTime: number;
  failed: number;
  /** 200 replies whose renditions were shorter than the source (passthrough copies it). */
  truncated: number;
  p50: number;
  p95: number;
  p99: number;
  /** Right after start, before any segment (the baseline). */
  rssIdleMb: number;
  rssPeakMb: number;
  cpu: Record<string, number>;
  load: string;
  firstError?: string;
}

/** A fresh gw daemon (or floor proxy) for one step. */
async function startTarget(streams: number): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  if (TARGET === 'floor') return spawnFloorProxy(children.map((o) => o.uri));
  const gw = await startGateway({ orchAddr: children.map((o) => o.uri), maxSessions: 10_000 }, {}, `concurrency-${streams}`);
  return { url: gw.state.httpUrl, pid: daemonPid(gw.paths), stop: () => gw.stop() };
}

async function step(streams: number): Promise<StepResult> {
  const target = await startTarget(streams);
  const pid = target.pid;
  const meter = new CpuMeter({ gw: pid, ...Object.fromEntries(children.map((c, i) => [`orch${i}`, c.pid])) });
  const rssIdle = processRssMb(pid) ?? NaN;
  let rssPeak = rssIdle;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, processRssMb(pid) ?? 0)), 500);
  const periods = Math.max(1, Math.round((STEP_SECONDS * 1000) / SEGMENT_MS));
  const rtts: number[] = [];
  let failed = 0;
  let truncated = 0;
  let firstError: string | undefined;
  try {
    const t0 = performance.now() + 200;
    const pending: Promise<void>[] = [];
    for (let p = 0; p < periods; p++) {
      for (let k = 0; k < streams; k++) {
        const due = t0 + p * SEGMENT_MS + (k / streams) * SEGMENT_MS;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        pending.push(
          pushSegment(target.url, `c${streams}-${k}`, p, data, 20_000).then(
            (r) => {
              const problem = renditionProblem(r, 2, data.length);
              if (problem === null) rtts.push(r.ms);
              else {
                failed++;
                if (problem.includes('truncated')) truncated++;
                firstError ??= `stream ${k} seq ${p}: ${problem}`;
              }
            },
            (err: unknown) => {
              failed++;
              firstError ??= (err as Error).message.slice(0, 160);
            },
          ),
        );
      }
    }
    await Promise.all(pending);
    const cpu = meter.read();
    const total = rtts.length + failed;
    const onTime = rtts.filter((ms) => ms <= SEGMENT_MS).length;
    const q = (p: number) => (rtts.length ? percentile(rtts, p) : NaN);
    return { streams, segments: total, onTime, failed, truncated, p50: q(50), p95: q(95), p99: q(99), rssIdleMb: rssIdle, rssPeakMb: rssPeak, cpu, load: loadAverage(), firstError };
  } finally {
    clearInterval(rssTimer);
    rssPeak = Math.max(rssPeak, processRssMb(pid) ?? 0);
    await target.stop();
  }
}

const results: Record<string, number | string> = { target: TARGET, load_average_at_start: loadAverage(), segment_bytes: data.length, step_seconds: STEP_SECONDS };
let best = 0;
let rssAtBest = NaN;
let peerBoundAtBest = NaN;
try {
  for (const n of STEPS) {
    const r = await step(n);
    const share = r.onTime / r.segments;
    const pass = share >= ON_TIME_SHARE;
    const orchCpu = Object.entries(r.cpu).filter(([k]) => k.startsWith('orch')).reduce((a, [, v]) => a + v, 0);
    const peerBound = Math.floor((availableParallelism() * 100) / ((orchCpu + r.cpu.bench!) / n));
    results[`streams_${n}`] =
      `${pass ? 'PASS' : 'FAIL'} on_time ${(share * 100).toFixed(1)}% (${r.onTime}/${r.segments}, failed ${r.failed}, truncated ${r.truncated}) p50 ${r.p50.toFixed(0)} ms p95 ${r.p95.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms` +
      ` rss_peak ${r.rssPeakMb.toFixed(0)} MB (idle ${r.rssIdleMb.toFixed(0)}) cpu% ${TARGET} ${r.cpu.gw!.toFixed(0)} orchs ${orchCpu.toFixed(0)} pushers ${r.cpu.bench!.toFixed(0)} peer_bound_streams ${peerBound} load ${r.load}` +
      (r.firstError ? ` first_error: ${r.firstError}` : '');
    console.log(`concurrency step ${n}: ${results[`streams_${n}`]}`);
    if (!pass) break;
    best = n;
    rssAtBest = r.rssPeakMb;
    peerBoundAtBest = peerBound;
  }
  report('concurrency', {
    ...results,
    max_realtime_streams: best,
    // From the last real-time step: past it the machine is saturated and the peers' CPU share is squeezed.
    peer_bound_streams: peerBoundAtBest,
    rss_mb_at_max: rssAtBest,
    target_streams: TARGET_STREAMS,
    target_rss_mb: TARGET_RSS_MB,
    streams_verdict: best >= TARGET_STREAMS ? 'PASS' : 'FAIL',
    rss_verdict: best > 0 && rssAtBest <= TARGET_RSS_MB ? 'PASS' : 'FAIL',
    load_average_at_end: loadAverage(),
  });
} finally {
  await Promise.all(children.map((c) => c.stop()));
}
