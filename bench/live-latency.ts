/**
 * bench/live-latency: time gw adds to a live AI segment's round trip. One devnet orchestrator (child process,
 * off-chain, `noop` runner: bytes through) serves two live streams at once:
 * - direct: a client that starts its stream with POST /live-video-to-video itself and publishes to / reads from the
 *   orchestrator's trickle channels (gw's own trickle clients, nothing else);
 * - gw: gw's live stream (selection, session, watchdogs, payments off-chain), the segment handed to
 *   LiveStream.pushSegment and timed until the output segment is listed in the HLS store.
 * Per segment: hand-over → output back. Segments alternate between the two paths, so load drifts hit both alike.
 * gw's added time = gw − direct, for both directions together (each direction's share is at most that). Target:
 * ≤ 15 ms p95 each way, so ≤ 30 ms p95 for the round trip. Also the first processed segment after start.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HlsStore } from '../src/core/hls/streamStore.js';
import { selectLiveOrchestrator } from '../src/core/live/liveSelect.js';
import { startLiveStream } from '../src/core/live/liveStart.js';
import { LiveStream } from '../src/core/live/liveStream.js';
import { parseJsonStart } from '../src/core/live/liveRequest.js';
import { TricklePublisher } from '../src/lib/trickle/publisher.js';
import { TrickleSubscriber } from '../src/lib/trickle/subscriber.js';
import { startAiGateway } from '../test/ai/harness.js';
import { killOnExit, loadAverage, spawnOrchestrator } from './lib/harness.js';
import { percentile, report } from './stats.js';

const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 60);

/** `n` 1 s MPEG-TS segments (320×240 30 fps, AAC), timestamps continuous across them. */
function segments(n: number): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-live-'));
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const f = join(dir, `${i}.ts`);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac', '-output_ts_offset', String(i), '-f', 'mpegts', f]);
    out.push(readFileSync(f));
  }
  return out;
}

async function collect(body: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const c of body) n += (c as Buffer).length;
  return n;
}

const orch = await spawnOrchestrator(['--offchain', '--live', '--live-capacity', '16', '--live-status-interval', '1s']);
killOnExit(() => [orch]);
const segs = segments(SEGMENTS);
const gw = await startAiGateway([orch.uri]);

// Direct client.
const channels = await startLiveStream({ transcoder: orch.uri, request: { modelId: 'noop', streamId: 'direct', requestId: 'bench0001', params: {} }, headers: { 'Livepeer-Payment': '', 'Livepeer-Segment': '' } });
const pub = await TricklePublisher.open({ url: channels.publishUrl });
const sub = new TrickleSubscriber({ url: channels.subscribeUrl, start: -1 });

// gw's stream, fed segment by segment.
let outputAt: (() => void) | undefined;
const t0 = performance.now();
let firstSegmentMs = Number.NaN;
const stream = new LiveStream(parseJsonStart('bench', { rtmpUrl: 'rtmp://unused/a/b', pipeline: 'noop' }), {
  select: (req) => selectLiveOrchestrator({ sessions: gw.ai.sessions, payments: null, segmentSigner: undefined, retryTimeoutMs: () => 2000, servedPipelines: async () => [] }, req),
  release: () => undefined,
  timers: () => ({ paymentIntervalMs: 5000, outputTimeoutMs: 30_000, eventsTimeoutMs: 30_000 }),
  output: new HlsStore().create('bench-out', [{ name: 'source' }]),
  emit: () => undefined,
  onTickets: () => undefined,
  onSwap: () => undefined,
  onFirstSegment: () => undefined,
  onEnded: () => undefined,
  onOutputSegment: () => outputAt?.(),
  log: () => undefined,
});
await stream.start();
const direct: number[] = [];
const viaGw: number[] = [];
for (let i = 0; i < SEGMENTS; i++) {
  // gw
  const done = new Promise<void>((r) => (outputAt = r));
  const a = performance.now();
  stream.pushSegment(segs[i]!);
  await done;
  const b = performance.now();
  if (i === 0) firstSegmentMs = b - t0;
  else viaGw.push(b - a);
  // direct
  const c = performance.now();
  const read = sub.read();
  await pub.publish(segs[i]!);
  const seg = await read;
  if (!seg) throw new Error('direct output ended');
  await collect(seg.body);
  if (i > 0) direct.push(performance.now() - c);
}
await stream.stop('bench done');
await pub.close();
sub.close();
await gw.close();
await orch.stop();

const p = (xs: number[], q: number) => percentile(xs, q);
const added50 = p(viaGw, 50) - p(direct, 50);
const added95 = p(viaGw, 95) - p(direct, 95);
report('live-latency', {
  segments: SEGMENTS - 1,
  direct_p50_ms: p(direct, 50),
  direct_p95_ms: p(direct, 95),
  gw_p50_ms: p(viaGw, 50),
  gw_p95_ms: p(viaGw, 95),
  added_roundtrip_p50_ms: added50,
  added_roundtrip_p95_ms: added95,
  first_segment_ms: firstSegmentMs,
  target: added95 <= 30 ? 'met (≤ 30 ms p95 round trip = ≤ 15 ms each way)' : 'MISSED',
  load: loadAverage(),
});
