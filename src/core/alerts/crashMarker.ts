// A `daemon.running` file in the data dir says "a daemon is running here". The daemon writes it at start and removes
// it when it stops cleanly, so finding one at start means the previous daemon crashed or was killed. (The launcher
// removes a stale daemon.json before the daemon starts, so the daemon cannot rely on that file.)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashObservation } from './alertRules.js';

export const RUNNING_MARKER = 'daemon.running';

/** The crash marker of one data dir. */
export class CrashMarker {
  readonly path: string;
  private owned = false;

  constructor(dataDir: string) {
    this.path = join(dataDir, RUNNING_MARKER);
  }

  /**
   * Records this process as running; returns what the marker said about the previous daemon when it did not
   * stop cleanly, else undefined. A marker naming a process that is still alive is not a crash.
   */
  claim(self: { pid: number; startedAt: string }, isAlive: (pid: number) => boolean = processAlive): CrashObservation | undefined {
    let previous: CrashObservation | undefined;
    let text: string | undefined;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      // no marker: the previous daemon stopped cleanly (or there was none)
    }
    if (text !== undefined) {
      const parsed = parseMarker(text);
      // Another live daemon owns this data dir (this one will fail to bind): leave its marker alone.
      if (parsed.pid !== undefined && parsed.pid !== self.pid && isAlive(parsed.pid)) return undefined;
      previous = parsed;
    }
    writeFileSync(this.path, `${JSON.stringify(self)}\n`, { mode: 0o600 });
    this.owned = true;
    return previous;
  }

  /** Clean stop: the next start is not a crash restart. */
  release(): void {
    if (this.owned) rmSync(this.path, { force: true });
    this.owned = false;
  }
}

function parseMarker(text: string): CrashObservation {
  try {
    const v = JSON.parse(text) as { pid?: unknown; startedAt?: unknown };
    return {
      pid: typeof v.pid === 'number' && Number.isSafeInteger(v.pid) ? v.pid : undefined,
      startedAt: typeof v.startedAt === 'string' ? v.startedAt : undefined,
    };
  } catch {
    // a torn write during the crash: still a crash
    return { pid: undefined, startedAt: undefined };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
