import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { DaemonState } from './contract.js';
import type { GwPaths } from '../lib/settings/paths.js';

/** Whether a process with this pid exists and is not a zombie (signal 0 probes without touching it). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** A detached daemon's parent is gone, so once it exits it may linger as a zombie until init reaps it. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** Reads `daemon.json`; undefined when absent or unreadable. */
export function readDaemonState(paths: GwPaths): DaemonState | undefined {
  if (!existsSync(paths.daemonFile)) return undefined;
  try {
    const v = JSON.parse(readFileSync(paths.daemonFile, 'utf8')) as DaemonState;
    return typeof v.pid === 'number' && typeof v.controlUrl === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export type DaemonLiveness =
  | { readonly state: 'running'; readonly daemon: DaemonState }
  | { readonly state: 'stale'; readonly daemon: DaemonState }
  | { readonly state: 'stopped' };

/** Tells a running daemon from a stale state file left by a crash. */
export function checkDaemon(paths: GwPaths): DaemonLiveness {
  const daemon = readDaemonState(paths);
  if (!daemon) return { state: 'stopped' };
  return isProcessAlive(daemon.pid) ? { state: 'running', daemon } : { state: 'stale', daemon };
}

/** Removes the state file of a daemon that is gone. */
export function clearDaemonState(paths: GwPaths): void {
  rmSync(paths.daemonFile, { force: true });
}

/** Reads the control token; undefined if the daemon never started in this data dir. */
export function readToken(paths: GwPaths): string | undefined {
  try {
    return readFileSync(paths.tokenFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}
