/**
 * bench/failover: time from an orchestrator's death (kill -9 of the child process holding the segment) to the
 * delivery of that segment through gw (HTTP push reply with every rendition), over ~10 trials. Three off-chain
 * passthrough devnet orchestrators on fixed loopback ports. Per trial: a fresh stream pushes a warm-up segment;
 * then every orchestrator gets a 5 s latency fault, the next segment is pushed, and once gw reports which
 * orchestrator it sent it to (segment.sent event) the others' fault is cleared and that one is killed while it holds
 * the segment. The killed orchestrator is restarted on the same port before the next trial. The same segment pushed
 * to gw with no fault in the same run is the baseline. Target: median and p95 ≤ one segment duration (2 s).
 * BENCH_FAILOVER_SIGNAL=SIGSTOP freezes the orchestrator instead (a hang: connections stay open, nothing answers).
 */
import type { GwEvent } from '../src/api/events.js';
import { benchSegments, freePort, killOnExit, loadAverage, pushSegment, renditionProblem, setFaults, sleep, spawnOrchestrator, startGateway, type OrchestratorChild } from './lib/harness.js';
import { median, percentile, report } from './stats.js';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 10);
const SEGMENT_MS = 2000;
const HOLD_MS = 5000;
const ORCH_ARGS = ['--offchain', '--passthrough', '--capacity', '10000'];
/** SIGKILL (default: the process dies, its sockets are reset) or SIGSTOP (it hangs with its connections open). */
const SIGNAL = (process.env.BENCH_FAILOVER_SIGNAL ?? 'SIGKILL') as NodeJS.Signals;

const ports = [await freePort(), await freePort(), await freePort()];
const tokens = ports.map((p) => `bench-failover-${p}`);
const orchs: OrchestratorChild[] = [];
killOnExit(() => orchs);
for (let i = 0; i < ports.length; i++) orchs.push(await spawnOrchestrator(ORCH_ARGS, { port: ports[i], controlToken: tokens[i] }));
const gw = await startGateway({ orchAddr: orchs.map((o) => o.uri), maxSessions: 100 });

// Event feed: gw's SSE stream, with waiters for a matching event.
const events: GwEvent[] = [];
const waiters: Array<{ pred: (e: GwEvent) => boolean; resolve: (e: GwEvent) => void }> = [];
const ac = new AbortController();
void (async () => {
  try {
    for await (const ev of gw.client.events({ signal: ac.signal, lastEventId: 0 })) {
      events.push(ev);
      for (const w of [...waiters]) {
        if (w.pred(ev)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(ev);
        }
      }
    }
  } catch {
    // the daemon went away or the feed was aborted
  }
})();
function nextEvent(pred: (e: GwEvent) => boolean, timeoutMs: number): Promise<GwEvent> {
  const seen = events.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const w = { pred, resolve };
    waiters.push(w);
    setTimeout(() => {
      const i = waiters.indexOf(w);
      if (i >= 0) waiters.splice(i, 1);
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs).unref();
  });
}

const portOf = (uri: string) => Number(new URL(uri).port);
const alive = () => orchs.filter((o) => o.child.exitCode === null && o.child.signalCode === null);

const results: Record<string, number | string> = { load_average_at_start: loadAverage() };
const failoverMs: number[] = [];
const baselineMs: number[] = [];
const problems: string[] = [];
try {
  const { large: data } = benchSegments();
  for (let t = 0; t < TRIALS; t++) {
    const stream = `failover-${t}`;
    const warm = await pushSegment(gw.state.httpUrl, stream, 0, data);
    const warmProblem = renditionProblem(warm, 2, data.length);
    if (warmProblem) {
      problems.push(`trial ${t} warm-up: ${warmProblem}`);
      continue;
    }
    baselineMs.push(warm.ms);
    await Promise.all(alive().map((o) => setFaults(o, { latency: HOLD_MS })));
    const sent = nextEvent((e) => e.type === 'segment.sent' && e.streamId === stream && e.segment === 1, 10_000);
    const reply = pushSegment(gw.state.httpUrl, stream, 1, data, 30_000);
    let victimIndex = -1;
    try {
      const ev = await sent;
      victimIndex = orchs.findIndex((o) => ev.type === 'segment.sent' && o.port === portOf(ev.orchestrator));
      if (victimIndex < 0) throw new Error(`segment sent to an unknown orchestrator`);
      await Promise.all(alive().filter((o) => o !== orchs[victimIndex]).map((o) => setFaults(o, { latency: null })));
      await sleep(300); // the segment is uploaded and held by the victim's latency fault
      const victim = orchs[victimIndex]!;
      const killedAt = performance.now();
      victim.child.kill(SIGNAL);
      const r = await reply;
      if (SIGNAL !== 'SIGKILL') victim.kill();
      const deliveredMs = performance.now() - killedAt;
      const problem = renditionProblem(r, 2, data.length);
      if (problem) problems.push(`trial ${t}: ${problem}`);
      else failoverMs.push(deliveredMs);
      console.log(`failover trial ${t}: ${SIGNAL} ${victim.uri}, delivered ${problem ? `FAILED (${problem})` : `${deliveredMs.toFixed(0)} ms`} after the kill`);
    } catch (err) {
      problems.push(`trial ${t}: ${(err as Error).message}`);
      if (victimIndex >= 0) orchs[victimIndex]!.kill();
      await reply.catch(() => undefined);
    } finally {
      // Restart the victim on its port (same URI in gw's list) and clear every fault.
      if (victimIndex >= 0) {
        const victim = orchs[victimIndex]!;
        await victim.exited();
        orchs[victimIndex] = await spawnOrchestrator(ORCH_ARGS, { port: victim.port, controlToken: victim.controlToken });
      }
      await Promise.all(alive().map((o) => setFaults(o, { latency: null }).catch(() => 0)));
    }
  }
  const ok = failoverMs.length > 0;
  const med = ok ? median(failoverMs) : NaN;
  const p95 = ok ? percentile(failoverMs, 95) : NaN;
  const failovers = events.filter((e) => e.type === 'failover').length;
  report('failover', {
    ...results,
    signal: SIGNAL,
    trials: TRIALS,
    delivered: failoverMs.length,
    failed: problems.length,
    first_problem: problems[0] ?? 'none',
    kill_to_delivery_median_ms: med,
    kill_to_delivery_p95_ms: p95,
    kill_to_delivery_max_ms: ok ? Math.max(...failoverMs) : NaN,
    no_fault_segment_median_ms: baselineMs.length ? median(baselineMs) : NaN,
    ratio_median_vs_no_fault: ok && baselineMs.length ? med / median(baselineMs) : NaN,
    failover_events: failovers,
    target_ms: SEGMENT_MS,
    verdict: ok && problems.length === 0 && p95 <= SEGMENT_MS ? 'PASS' : 'FAIL',
    load_average_at_end: loadAverage(),
  });
} finally {
  ac.abort();
  await gw.stop();
  await Promise.all(orchs.map((o) => o.stop()));
}
