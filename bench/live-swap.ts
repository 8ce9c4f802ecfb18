/**
 * bench/live-swap: the gap viewers see when the orchestrator serving a live AI stream dies. Three off-chain devnet
 * orchestrators (child processes, `devnet/negate` runners) behind a gw daemon; per trial a fresh stream is published
 * over RTMP to gw's `ai` app, three output segments arrive, then the orchestrator in use gets SIGKILL and the time to
 * the next output segment gw receives is taken (the stream's outputSegments counter, polled every 20 ms). The killed
 * orchestrator is restarted on its port before the next trial. Target: ≤ 3 s (go-livepeer: ~13 s in its own demo,
 * 30 s watchdogs). One segment is ~2 s, so part of the gap is the segment being cut when the kill happens.
 */
import { spawn } from 'node:child_process';
import { freePort, killOnExit, loadAverage, sleep, spawnOrchestrator, startGateway, type OrchestratorChild } from './lib/harness.js';
import { median, percentile, report } from './stats.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);
const ARGS = ['--offchain', '--live', '--live-capacity', '8', '--live-status-interval', '1s'];

const ports = [await freePort(), await freePort(), await freePort()];
const orchs: OrchestratorChild[] = [];
killOnExit(() => orchs);
for (const port of ports) orchs.push(await spawnOrchestrator(ARGS, { port }));
const gw = await startGateway({ orchAddr: orchs.map((o) => o.uri) });
const rtmpBase = gw.state.rtmpUrl.replace(/\/live$/, '/ai');

async function waitFor<T>(f: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(20);
  }
  throw new Error(`timed out: ${what}`);
}

const gaps: number[] = [];
for (let t = 0; t < TRIALS; t++) {
  const stream = `swap${t}`;
  const pub = spawn('ffmpeg', ['-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-t', '120', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-f', 'flv', `${rtmpBase}/${stream}?pipeline=devnet%2Fnegate`], { stdio: 'ignore' });
  try {
    const v = await waitFor(async () => {
      const s = await gw.client.liveStream(stream);
      return s.outputSegments >= 3 ? s : undefined;
    }, 60_000, `${stream} output`);
    const victim = orchs.findIndex((o) => o.uri === v.orchestrator?.url);
    const outputs = v.outputSegments;
    const killedAt = performance.now();
    orchs[victim]!.kill();
    await waitFor(async () => ((await gw.client.liveStream(stream)).outputSegments > outputs + 0 && (await gw.client.liveStream(stream)).swaps.length > 0 ? true : undefined), 30_000, `${stream} output after the kill`);
    gaps.push(performance.now() - killedAt);
    await gw.client.liveStop(stream);
    await orchs[victim]!.exited();
    orchs[victim] = await spawnOrchestrator(ARGS, { port: ports[victim] });
  } finally {
    pub.kill('SIGTERM');
  }
  console.log(`trial ${t + 1}: ${gaps.at(-1)!.toFixed(0)} ms`);
}
await gw.stop();
for (const o of orchs) await o.stop();
report('live-swap', {
  trials: gaps.length,
  gap_median_ms: median(gaps),
  gap_p95_ms: percentile(gaps, 95),
  gap_max_ms: Math.max(...gaps),
  target: percentile(gaps, 95) <= 3000 ? 'met (≤ 3 s)' : 'MISSED',
  load: loadAverage(),
});
process.exit(0);
