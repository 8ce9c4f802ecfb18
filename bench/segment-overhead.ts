/**
 * bench/segment-overhead: segment round trip through gw (HTTP push POST /live/<id>/<seq>.ts, Accept:
 * multipart/mixed, to a real daemon with --orch-addr) divided by the same work done directly against the
 * orchestrators with the same protocol client (/segment + rendition downloads), in the same run. Two off-chain
 * passthrough devnet orchestrators in child processes. 1 stream (back-to-back segments) and 32 streams (each one
 * segment every 2 s, staggered), a 2 s 720p segment (~1 MB) and a small 2 s 240p one. Target: ratio ≤ 1.15.
 * Direct and gw blocks alternate so that drift in machine load hits both alike.
 *
 * A third side, the floor proxy (lib/floorProxyEntry.ts), is a separate process that only forwards: push in, the
 * same protocol client to the orchestrator, multipart out. floor ÷ direct is what the extra process and HTTP hop
 * cost on this machine whatever a gateway does; gw ÷ floor is gw's own share. Both are printed beside the verdict,
 * which stays gw ÷ direct.
 */
import { benchSegments, CpuMeter, daemonPid, killOnExit, loadAverage, processCpuMs, pushSegment, renditionProblem, sleep, spawnFloorProxy, spawnOrchestrator, startGateway, type OrchestratorChild } from './lib/harness.js';
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
const floor = await spawnFloorProxy(children.map((o) => o.uri));
const pushUrl = { gw: gw.state.httpUrl, floor: floor.url };

type Mode = 'direct' | 'floor' | 'gw';
const MODES: readonly Mode[] = ['direct', 'floor', 'gw'];
interface Streamer {
  run(data: Uint8Array): Promise<number>;
}

const errors: Record<Mode, number> = { direct: 0, floor: 0, gw: 0 };
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
/** A stream in any mode; pushed streams get fresh ids per size so their playlists start at seq 0. */
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
      const url = pushUrl[mode];
      out.push(
        guarded(mode, async (data) => {
          const r = await pushSegment(url, id, seq++, data);
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
const meter = new CpuMeter({ gw: gwPid, floor: floor.pid, orch0: children[0]!.pid, orch1: children[1]!.pid });
const byMode = <T>(make: (m: Mode) => T): Record<Mode, T> => ({ direct: make('direct'), floor: make('floor'), gw: make('gw') });
try {
  const { large, small } = benchSegments();
  for (const [label, data] of ([['1mb', large], ['small', small]] as const).filter(([l]) => SIZES.includes(l))) {
    results[`${label}_segment_bytes`] = data.length;
    // 1 stream, back to back, the modes taking turns segment by segment.
    const one = {} as Record<Mode, Streamer>;
    for (const m of MODES) one[m] = (await makeStreams(m, 1))[0]!;
    for (let i = 0; i < 3; i++) for (const m of MODES) await one[m].run(data);
    const seq = byMode<number[]>(() => []);
    for (let i = 0; i < SEQ_SEGMENTS; i++) for (const m of MODES) seq[m].push(await one[m].run(data));
    const med1 = byMode((m) => median(ok(seq[m])));
    const r1 = med1.gw / med1.direct;
    worst = Math.max(worst, r1);
    Object.assign(results, {
      [`${label}_1_stream_direct_median_ms`]: med1.direct,
      [`${label}_1_stream_floor_median_ms`]: med1.floor,
      [`${label}_1_stream_gw_median_ms`]: med1.gw,
      [`${label}_1_stream_ratio`]: r1,
      [`${label}_1_stream_floor_ratio`]: med1.floor / med1.direct,
      [`${label}_1_stream_gw_vs_floor`]: med1.gw / med1.floor,
    });

    // N streams, paced, the modes taking turns block by block.
    const many = {} as Record<Mode, Streamer[]>;
    for (const m of MODES) many[m] = await makeStreams(m, STREAMS);
    for (const m of MODES) await paced(many[m], data, 1);
    const rtts = byMode<number[]>(() => []);
    const cpu = byMode<Record<string, number>[]>(() => []);
    const gwCpuPerSegment: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      for (const m of MODES) {
        meter.reset();
        const gwCpu0 = processCpuMs(gwPid) ?? 0;
        const block = await paced(many[m], data, PERIODS);
        rtts[m].push(...block);
        cpu[m].push(meter.read());
        if (m === 'gw') gwCpuPerSegment.push(((processCpuMs(gwPid) ?? 0) - gwCpu0) / block.length);
      }
    }
    const good = byMode((m) => ok(rtts[m]));
    const medN = byMode((m) => median(good[m]));
    const rN = medN.gw / medN.direct;
    worst = Math.max(worst, rN);
    const avg = (rows: Record<string, number>[], key: string) => rows.reduce((a, r) => a + (r[key] ?? 0), 0) / rows.length;
    const orchCpu = (m: Mode) => (avg(cpu[m], 'orch0') + avg(cpu[m], 'orch1')).toFixed(0);
    const n = `${label}_${STREAMS}_streams`;
    Object.assign(results, {
      [`${n}_direct_median_ms`]: medN.direct,
      [`${n}_floor_median_ms`]: medN.floor,
      [`${n}_gw_median_ms`]: medN.gw,
      [`${n}_direct_p95_ms`]: percentile(good.direct, 95),
      [`${n}_gw_p95_ms`]: percentile(good.gw, 95),
      [`${n}_ratio`]: rN,
      [`${n}_floor_ratio`]: medN.floor / medN.direct,
      [`${n}_gw_vs_floor`]: medN.gw / medN.floor,
      [`${n}_p95_ratio`]: percentile(good.gw, 95) / percentile(good.direct, 95),
      [`${n}_failed_direct_floor_gw`]: `${MODES.map((m) => rtts[m].length - good[m].length).join(' ')} of ${rtts.direct.length} each`,
      [`${n}_cpu_pct_direct_mode`]: `bench ${avg(cpu.direct, 'bench').toFixed(0)} orch ${orchCpu('direct')}`,
      [`${n}_cpu_pct_floor_mode`]: `bench ${avg(cpu.floor, 'bench').toFixed(0)} floor ${avg(cpu.floor, 'floor').toFixed(0)} orch ${orchCpu('floor')}`,
      [`${n}_cpu_pct_gw_mode`]: `bench ${avg(cpu.gw, 'bench').toFixed(0)} gw ${avg(cpu.gw, 'gw').toFixed(0)} orch ${orchCpu('gw')}`,
      [`${label}_gw_daemon_cpu_ms_per_segment`]: median(gwCpuPerSegment),
    });
  }
  report('segment-overhead', {
    ...results,
    errors_direct_floor_gw: MODES.map((m) => errors[m]).join(' '),
    last_error: lastError || 'none',
    worst_ratio: worst,
    target_ratio: TARGET_RATIO,
    verdict: worst <= TARGET_RATIO ? 'PASS' : 'FAIL',
    load_average_at_end: loadAverage(),
  });
} finally {
  await gw.stop();
  await floor.stop();
  await Promise.all(children.map((c) => c.stop()));
}
