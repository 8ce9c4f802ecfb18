/**
 * bench/segment-overhead: segment round trip through gw (HTTP push POST /live/<id>/<seq>.ts, Accept:
 * multipart/mixed, to a real daemon with --orch-addr) divided by the same work done directly against the
 * orchestrators with the same protocol client (/segment + rendition downloads), in the same run. Two off-chain
 * passthrough devnet orchestrators in child processes. 1 stream (back-to-back segments) and 32 streams (each one
 * segment every 2 s, staggered), a 2 s 720p segment (~1 MB) and a small 2 s 240p one. Target: ratio ≤ 1.15.
 * Direct and gw blocks alternate so that drift in machine load hits both alike.
 */
import { benchSegments, CpuMeter, daemonPid, killOnExit, loadAverage, processCpuMs, pushSegment, renditionProblem, sleep, spawnOrchestrator, startGateway, type OrchestratorChild } from './lib/harness.js';
import { DirectStream } from './lib/direct.js';
import { median, percentile, report } from './stats.js';

const TARGET_RATIO = 1.15;
// Back-to-back segments per side at 1 stream: 20 left the small-segment median at the mercy of a few slow ones.
const SEQ_SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 60);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 32);
const PERIODS = Number(process.env.BENCH_PERIODS ?? 3);
const BLOCKS = 2;
// BENCH_SIZES=1mb or small runs one segment size only (the verdict then covers that size).
const SIZES = (process.env.BENCH_SIZES ?? '1mb,small').split(',');
const SEGMENT_MS = 2000;

const children: OrchestratorChild[] = [];
killOnExit(() => children);
for (let i = 0; i < 2; i++) children.push(await spawnOrchestrator(['--offchain', '--passthrough', '--capacity', '10000']));
const gw = await startGateway({ orchAddr: children.map((o) => o.uri), maxSessions: 1000 });
const gwPid = daemonPid(gw.paths);
const httpUrl = gw.state.httpUrl;

type Mode = 'direct' | 'gw';
interface Streamer {
  run(data: Uint8Array): Promise<number>;
}

const errors: Record<Mode, number> = { direct: 0, gw: 0 };
let lastError = '';
/** A failed segment counts as an error and is left out of the timings (NaN). */
function guarded(mode: Mode, run: (data: Uint8Array) => Promise<number>): Streamer {
  return {
    run: (data) =>
      run(data).catch((err: unknown) => {
        errors[mode]++;
        lastError = `${mode}: ${(err as Error).message.slice(0, 160)}`;
        return NaN;
      }),
  };
}
const ok = (xs: number[]) => xs.filter((x) => !Number.isNaN(x));

let streamCounter = 0;
/** A stream in either mode; gw streams get fresh ids per size so their playlists start at seq 0. */
async function makeStreams(mode: Mode, n: number): Promise<Streamer[]> {
  const out: Streamer[] = [];
  for (let k = 0; k < n; k++) {
    const id = `${mode}-${streamCounter++}`;
    if (mode === 'direct') {
      const s = await DirectStream.open(id, children[k % children.length]!.uri);
      out.push(
        guarded('direct', async (data) => {
          const t0 = performance.now();
          const bytes = await s.segment(data, SEGMENT_MS);
          if (bytes !== 2 * data.length) throw new Error(`direct: ${bytes} rendition bytes`);
          return performance.now() - t0;
        }),
      );
    } else {
      let seq = 0;
      out.push(
        guarded('gw', async (data) => {
          const r = await pushSegment(httpUrl, id, seq++, data);
          const problem = renditionProblem(r, 2, data.length);
          if (problem) throw new Error(problem);
          return r.ms;
        }),
      );
    }
  }
  return out;
}

/** Each stream sends one segment per period, stream k offset by k/n of a period; RTTs of all segments. */
async function paced(streams: Streamer[], data: Uint8Array, periods: number): Promise<number[]> {
  const rtts: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    streams.map(async (s, k) => {
      const offset = (k / streams.length) * SEGMENT_MS;
      for (let p = 0; p < periods; p++) {
        const due = t0 + offset + p * SEGMENT_MS;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        rtts.push(await s.run(data));
      }
    }),
  );
  return rtts;
}

const results: Record<string, number | string> = { load_average_at_start: loadAverage() };
let worst = 0;
const meter = new CpuMeter({ gw: gwPid, orch0: children[0]!.pid, orch1: children[1]!.pid });
try {
  const { large, small } = benchSegments();
  for (const [label, data] of ([['1mb', large], ['small', small]] as const).filter(([l]) => SIZES.includes(l))) {
    results[`${label}_segment_bytes`] = data.length;
    // 1 stream, back to back, alternating direct / gw.
    const [d1] = await makeStreams('direct', 1);
    const [g1] = await makeStreams('gw', 1);
    for (let i = 0; i < 3; i++) {
      await d1!.run(data);
      await g1!.run(data);
    }
    const d: number[] = [];
    const g: number[] = [];
    for (let i = 0; i < SEQ_SEGMENTS; i++) {
      d.push(await d1!.run(data));
      g.push(await g1!.run(data));
    }
    const r1 = median(ok(g)) / median(ok(d));
    worst = Math.max(worst, r1);
    Object.assign(results, {
      [`${label}_1_stream_direct_median_ms`]: median(ok(d)),
      [`${label}_1_stream_gw_median_ms`]: median(ok(g)),
      [`${label}_1_stream_ratio`]: r1,
    });

    // N streams, paced, alternating blocks.
    const dN = await makeStreams('direct', STREAMS);
    const gN = await makeStreams('gw', STREAMS);
    await paced(dN, data, 1);
    await paced(gN, data, 1);
    const dr: number[] = [];
    const gr: number[] = [];
    const cpu: Record<Mode, Record<string, number>[]> = { direct: [], gw: [] };
    const gwCpuPerSegment: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      for (const [mode, streams, sink] of [['direct', dN, dr], ['gw', gN, gr]] as const) {
        meter.reset();
        const gwCpu0 = processCpuMs(gwPid) ?? 0;
        const rtts = await paced(streams, data, PERIODS);
        sink.push(...rtts);
        cpu[mode].push(meter.read());
        if (mode === 'gw') gwCpuPerSegment.push(((processCpuMs(gwPid) ?? 0) - gwCpu0) / rtts.length);
      }
    }
    const dOk = ok(dr);
    const gOk = ok(gr);
    const rN = median(gOk) / median(dOk);
    worst = Math.max(worst, rN);
    const avg = (rows: Record<string, number>[], key: string) => rows.reduce((a, r) => a + (r[key] ?? 0), 0) / rows.length;
    Object.assign(results, {
      [`${label}_${STREAMS}_streams_direct_median_ms`]: median(dOk),
      [`${label}_${STREAMS}_streams_gw_median_ms`]: median(gOk),
      [`${label}_${STREAMS}_streams_direct_p95_ms`]: percentile(dOk, 95),
      [`${label}_${STREAMS}_streams_gw_p95_ms`]: percentile(gOk, 95),
      [`${label}_${STREAMS}_streams_ratio`]: rN,
      [`${label}_${STREAMS}_streams_p95_ratio`]: percentile(gOk, 95) / percentile(dOk, 95),
      [`${label}_${STREAMS}_streams_failed_direct_gw`]: `${dr.length - dOk.length} ${gr.length - gOk.length} of ${dr.length} each`,
      [`${label}_${STREAMS}_streams_cpu_pct_direct_mode`]: `bench ${avg(cpu.direct, 'bench').toFixed(0)} orch ${(avg(cpu.direct, 'orch0') + avg(cpu.direct, 'orch1')).toFixed(0)}`,
      [`${label}_gw_daemon_cpu_ms_per_segment`]: median(gwCpuPerSegment),
      [`${label}_${STREAMS}_streams_cpu_pct_gw_mode`]: `bench ${avg(cpu.gw, 'bench').toFixed(0)} gw ${avg(cpu.gw, 'gw').toFixed(0)} orch ${(avg(cpu.gw, 'orch0') + avg(cpu.gw, 'orch1')).toFixed(0)}`,
    });
  }
  report('segment-overhead', {
    ...results,
    errors_direct: errors.direct,
    errors_gw: errors.gw,
    last_error: lastError || 'none',
    worst_ratio: worst,
    target_ratio: TARGET_RATIO,
    verdict: worst <= TARGET_RATIO ? 'PASS' : 'FAIL',
    load_average_at_end: loadAverage(),
  });
} finally {
  await gw.stop();
  await Promise.all(children.map((c) => c.stop()));
}
