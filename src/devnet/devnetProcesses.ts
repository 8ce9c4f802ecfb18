// Detached child processes of the devnet: spawn with logs into a file, wait for their JSON ready line, stop by
// process group (so `hardhat node` and ffmpeg children go too).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '../api/daemonState.js';

/** File and node flags to run a devnet entry: compiled JS, or TypeScript through tsx (resolved absolutely). */
export function devnetEntry(relative: 'orchestrator/main' | 'chainMain'): { file: string; execArgv: string[] } {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${relative}.${ts ? 'ts' : 'js'}`, here));
  return { file, execArgv: ts ? ['--import', import.meta.resolve('tsx')] : [] };
}

/** Starts `entry` detached in its own process group, stdout and stderr appended to `logFile`. */
export function spawnDetached(entry: { file: string; execArgv: string[] }, args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): number {
  const fd = openSync(logFile, 'w', 0o600);
  try {
    const child = spawn(process.execPath, [...entry.execArgv, entry.file, ...args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...env },
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${entry.file}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Last lines of a log, for error messages. */
export function logTail(logFile: string, n = 12): string[] {
  try {
    return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-n);
  } catch {
    return [];
  }
}

/** Waits for the first JSON line with `"event":"ready"` in the log; throws with the log tail if the process dies. */
export async function waitForReady<T>(pid: number, logFile: string, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let text = '';
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      // not created yet
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{') || !line.includes('"ready"')) continue;
      try {
        const obj = JSON.parse(line) as { event?: string };
        if (obj.event === 'ready') return obj as T;
      } catch {
        // a partial line: read again
      }
    }
    if (!isProcessAlive(pid)) throw new Error(`${what} exited during start-up:\n${logTail(logFile).map((l) => `  ${l}`).join('\n')}`);
    await sleep(50);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s:\n${logTail(logFile).map((l) => `  ${l}`).join('\n')}`);
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // gone
    }
  }
}

/** Marker in the command line of every devnet child process. */
export const DEVNET_MARKERS = ['chainMain', 'orchestrator/main'] as const;

/** Alive and still one of ours (guards against a recycled pid); /proc-less systems trust the pid. */
export function isDevnetProcess(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true;
  }
  return DEVNET_MARKERS.some((m) => cmdline.includes(m));
}

/** SIGTERM to the process group of `pid`, then SIGKILL after `graceMs`. Resolves true when it was running. */
export async function stopGroup(pid: number, graceMs = 5000): Promise<boolean> {
  if (!isDevnetProcess(pid)) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) break;
    await sleep(50);
  }
  // The leader may be gone while children linger: kill what is left of the group.
  signalGroup(pid, 'SIGKILL');
  return true;
}
