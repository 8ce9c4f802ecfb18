import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DaemonState } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { checkDaemon, clearDaemonState, isProcessAlive, readDaemonState } from '../../api/daemonState.js';
import { formatLogLine } from '../logFormat.js';
import { resolvedValue, resolveSettings } from '../../lib/settings/resolveSettings.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import type { SettingValue } from '../../lib/settings/settings.js';
import { GwUserError } from '../baseCommand.js';

/** Where the daemon entry lives, and how to run it (compiled JS, or TypeScript through tsx in development). */
export function daemonEntry(v8PoolSize = 0): { file: string; execArgv: string[] } {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const file = fileURLToPath(new URL(`../../core/main.${ts ? 'ts' : 'js'}`, here));
  // tsx resolved absolutely: a bare '--import tsx' resolves from the cwd, which may have no node_modules.
  const pool = v8PoolSize > 0 ? v8PoolSize : gcHelperThreads(availableParallelism());
  return { file, execArgv: [`--v8-pool-size=${pool}`, ...(ts ? ['--import', import.meta.resolve('tsx')] : [])] };
}

/**
 * V8 background threads (concurrent marking, sweeping) for the daemon: one fewer than the cores, at least one
 * (the `v8PoolSize` setting, also `GW_V8_POOL_SIZE`, overrides it).
 * Node's default is 4 whatever the machine. Each segment's TLS and socket buffers bring a full GC every few
 * segments, and on 2 cores four helper threads contend with the event loop (and with orchestrators on the same
 * box). Measured on 2 cores (bench/segment-overhead, 32 streams of 1 MB segments, nine runs each): gw/direct
 * median 1.19 with one helper against 1.35 with four; the run-to-run spread is wide (1.16–1.48 against 1.27–1.52).
 */
export function gcHelperThreads(cores: number): number {
  return Math.max(1, Math.floor(cores) - 1);
}

export interface LaunchResult {
  readonly state: DaemonState;
  /** A stale state file from a crashed daemon was found and removed. */
  readonly cleanedStale?: number;
}

/** Starts the daemon detached and waits until its control API answers; throws with the log tail if it dies. */
export async function launchDaemon(opts: {
  paths: GwPaths;
  flags: Record<string, SettingValue>;
  timeoutMs?: number;
  /** Keystore password asked for by `gw start`: written once to the daemon's stdin (`--password-stdin`), never to argv or env. */
  password?: string;
}): Promise<LaunchResult> {
  const { paths } = opts;
  const live = checkDaemon(paths);
  if (live.state === 'running') {
    throw new GwUserError(`gw is already running (pid ${live.daemon.pid}, control ${live.daemon.controlUrl}, data dir ${paths.dataDir})`, 'already_running');
  }
  let cleanedStale: number | undefined;
  if (live.state === 'stale') {
    clearDaemonState(paths);
    cleanedStale = live.daemon.pid;
  }
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const logOffset = existsSync(paths.logFile) ? statSync(paths.logFile).size : 0;
  const logFd = openSync(paths.logFile, 'a', 0o600);
  // Read here, not in the daemon: node takes the pool size on its command line.
  const settings = resolveSettings({ flags: opts.flags, configFile: paths.configFile });
  const { file, execArgv } = daemonEntry(resolvedValue(settings, 'v8PoolSize'));
  // node:child_process rather than execa here: the daemon must own plain file descriptors for its output so
  // that this process can exit at once (execa pipes `{file}` targets through the parent, keeping it alive).
  const handOver = opts.password !== undefined;
  const args = [...execArgv, file, '--data-dir', paths.dataDir, '--flags', JSON.stringify(opts.flags), ...(handOver ? ['--password-stdin'] : [])];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: [handOver ? 'pipe' : 'ignore', logFd, logFd],
  });
  closeSync(logFd);
  if (handOver && child.stdin) {
    // A daemon that dies early closes the pipe: its exit is reported below, not as EPIPE here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${opts.password}\n`);
  }
  child.unref();
  let exited: { code: number | null } | undefined;
  child.once('exit', (code) => (exited = { code }));

  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    await sleep(40);
    if (exited) {
      const tail = logTail(paths.logFile, logOffset, 15);
      const reason = failureReason(tail) ?? `exited with code ${exited.code}`;
      throw new DaemonStartError(reason, tail);
    }
    const state = readDaemonState(paths);
    if (state && state.pid === child.pid && (await healthy(state.controlUrl))) return { state, cleanedStale };
  }
  child.kill('SIGKILL');
  throw new DaemonStartError(`did not answer within ${(opts.timeoutMs ?? 20_000) / 1000} s`, logTail(paths.logFile, logOffset, 15));
}

/** The daemon died during start-up. */
export class DaemonStartError extends GwUserError {
  constructor(
    readonly reason: string,
    readonly logLines: string[],
  ) {
    super(`the gw daemon failed to start: ${reason}${logLines.length ? `\nlast log lines:\n${logLines.map((l) => `  ${l}`).join('\n')}` : ''}`, 'start_failed');
  }
}

export type StopOutcome = 'not-running' | 'cleaned-stale' | 'graceful' | 'terminated' | 'killed';

/** Graceful stop: ask the daemon to drain and exit, then SIGTERM, then SIGKILL. */
export async function stopDaemon(opts: { paths: GwPaths; timeoutMs: number; onPhase?: (phase: string) => void }): Promise<StopOutcome> {
  const live = checkDaemon(opts.paths);
  if (live.state === 'stopped') return 'not-running';
  if (live.state === 'stale') {
    clearDaemonState(opts.paths);
    return 'cleaned-stale';
  }
  const pid = live.daemon.pid;
  let drainMs = opts.timeoutMs;
  try {
    opts.onPhase?.('draining');
    const r = await ControlClient.forPaths(opts.paths, 3000).shutdown();
    drainMs = Math.max(drainMs, r.drainTimeoutMs + 2000);
  } catch {
    // control API unreachable: fall through to signals
  }
  if (await waitForExit(pid, drainMs)) return finish(opts.paths, 'graceful');
  opts.onPhase?.('sending SIGTERM');
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, 5000)) return finish(opts.paths, 'terminated');
  opts.onPhase?.('sending SIGKILL');
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5000);
  return finish(opts.paths, 'killed');
}

function finish(paths: GwPaths, outcome: StopOutcome): StopOutcome {
  clearDaemonState(paths);
  return outcome;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(50);
  }
  return !isProcessAlive(pid);
}

function healthy(controlUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet(new URL('/healthz', controlUrl), (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Last lines of the log written since `offset`, pretty enough to read in a terminal. */
function logTail(logFile: string, offset: number, n: number): string[] {
  try {
    const text = readFileSync(logFile).subarray(offset).toString('utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-n).map((l) => formatLogLine(l, { withTime: false }));
  } catch {
    return [];
  }
}

function failureReason(tail: string[]): string | undefined {
  const marker = 'gw daemon failed to start: ';
  const line = [...tail].reverse().find((l) => l.includes(marker));
  return line?.slice(line.indexOf(marker) + marker.length);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
