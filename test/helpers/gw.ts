import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GW_BIN = join(ROOT, 'bin', 'run.js');

export interface GwResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `gw` CLI (bin/run.js → dist/) as a real process. */
export async function runGw(args: string[], opts: { dataDir: string; env?: Record<string, string>; timeoutMs?: number }): Promise<GwResult> {
  const r = await execa(process.execPath, [GW_BIN, ...args], {
    reject: false,
    timeout: opts.timeoutMs ?? 30_000,
    env: { GW_DATA_DIR: opts.dataDir, NO_COLOR: '1', ...opts.env },
    extendEnv: true,
    stdin: 'ignore',
  });
  // oclif wraps error messages at the terminal width: unwrap so assertions can match whole sentences.
  const stderr = String(r.stderr).replace(/\s*\n\s*›\s+/g, ' ');
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr };
}

/** A fresh temporary data dir; remove it with the returned cleanup. */
export function tempDataDir(prefix = 'gw-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Flags that make a daemon bind only free loopback ports, so tests can run side by side. */
export const FREE_PORTS = ['--control-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0', '--rtmp-addr', '127.0.0.1:0'];
