/**
 * bench/dashboard: the real dashboard (feed → store → Ink) against the stub daemon of test/tui/bench/ with 100
 * active sessions (200 events/s), run by test/tui/bench/dashboardBench.ts inside a detached tmux session (it needs a
 * terminal). Prints the dashboard process's CPU share and event-to-screen latency p50/p95 against the targets
 * (≤ 10 % of a core, ≤ 100 ms), next to the same dashboard idle (0 sessions) and the same load rendered without
 * src/tui/inkFrameCache.ts (Ink's own frame composition), both measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, sleep } from './lib/harness.js';
import { report } from './stats.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 6);
const TARGET_CPU_PCT = 10;
const TARGET_LATENCY_MS = 100;
const root = fileURLToPath(new URL('..', import.meta.url));
const harness = fileURLToPath(new URL('../test/tui/bench/dashboardBench.ts', import.meta.url));

interface HarnessResult {
  sessions: number;
  seconds: number;
  cpuPercentOfCore: number;
  eventsPerSecond: number;
  rendersPerSecond: number;
  eventToScreenMs: { p50: number | null; p95: number | null; max: number | null };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the harness in a detached 120×40 tmux session and returns its JSON result. */
async function runInTmux(sessions: number, seconds: number, frameCache = true): Promise<HarnessResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-dash-'));
  const out = join(dir, 'result.json');
  const errFile = join(dir, 'stderr.txt');
  const name = `gw-bench-dash-${process.pid}-${sessions}`;
  const cmd = [process.execPath, '--import', 'tsx', harness, '--sessions', String(sessions), '--seconds', String(seconds), '--tab', '1', '--out', out]
    .map(shellQuote)
    .join(' ');
  const envPrefix = frameCache ? '' : 'BENCH_NO_FRAME_CACHE=1 ';
  const env = { ...process.env };
  delete env.TMUX;
  execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '120', '-y', '40', '-c', root, `${envPrefix}${cmd} 2>${shellQuote(errFile)}`], { env, stdio: 'ignore' });
  try {
    const deadline = Date.now() + (seconds + 45) * 1000;
    while (Date.now() < deadline && !existsSync(out)) await sleep(250);
    if (!existsSync(out)) {
      const err = existsSync(errFile) ? readFileSync(errFile, 'utf8').slice(-800) : '';
      throw new Error(`dashboard harness gave no result within ${seconds + 45} s${err ? `: ${err}` : ''}`);
    }
    await sleep(100); // the harness writes the file in one call; let it finish
    return JSON.parse(readFileSync(out, 'utf8')) as HarnessResult;
  } finally {
    try {
      execFileSync('tmux', ['kill-session', '-t', name], { env, stdio: 'ignore' });
    } catch {
      // the session ended with the harness
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadAtStart = loadAverage();
const idle = await runInTmux(0, IDLE_SECONDS);
const inkOnly = await runInTmux(SESSIONS, SECONDS, false);
const busy = await runInTmux(SESSIONS, SECONDS);
const p50 = busy.eventToScreenMs.p50 ?? NaN;
const p95 = busy.eventToScreenMs.p95 ?? NaN;
report('dashboard', {
  load_average_at_start: loadAtStart,
  sessions: busy.sessions,
  seconds: busy.seconds,
  events_per_s: busy.eventsPerSecond,
  renders_per_s: busy.rendersPerSecond,
  cpu_pct_of_core: busy.cpuPercentOfCore,
  idle_cpu_pct_of_core: idle.cpuPercentOfCore,
  cpu_vs_idle_ratio: busy.cpuPercentOfCore / Math.max(idle.cpuPercentOfCore, 0.1),
  baseline_without_frame_cache_cpu_pct: inkOnly.cpuPercentOfCore,
  baseline_without_frame_cache_p95_ms: inkOnly.eventToScreenMs.p95 ?? NaN,
  cpu_vs_without_frame_cache_ratio: busy.cpuPercentOfCore / Math.max(inkOnly.cpuPercentOfCore, 0.1),
  event_to_screen_p50_ms: p50,
  event_to_screen_p95_ms: p95,
  event_to_screen_max_ms: busy.eventToScreenMs.max ?? NaN,
  target_cpu_pct: TARGET_CPU_PCT,
  target_latency_ms: TARGET_LATENCY_MS,
  cpu_verdict: busy.cpuPercentOfCore <= TARGET_CPU_PCT ? 'PASS' : 'FAIL',
  latency_verdict: p50 <= TARGET_LATENCY_MS && p95 <= TARGET_LATENCY_MS ? 'PASS' : 'FAIL',
  load_average_at_end: loadAverage(),
});
