// Running ffmpeg for the devnet runners: stdin/stdout buffers, a time limit, and throw-away temp directories.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs ffmpeg with `args`, feeding `input` on stdin; rejects with the last stderr line on a non-zero exit. */
export function runFfmpeg(bin: string, args: readonly string[], input?: Uint8Array, timeoutMs = 60_000): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-hide_banner', '-nostdin', ...args], { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.length > 256 * 1024) err = err.slice(-128 * 1024);
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout: Buffer.concat(out), stderr: err });
      const last = err.trim().split('\n').pop() ?? '';
      reject(new Error(`ffmpeg failed (${signal ?? `exit ${code}`}): ${last}`));
    });
    if (input && child.stdin) {
      // ffmpeg may stop reading early (e.g. one frame is enough); that is not an error.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

/** Runs fn with a fresh temp directory that is removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-devnet-ai-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
