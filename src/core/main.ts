/**
 * Daemon entry point. `gw start` runs this file as a detached child (or calls runDaemon in the foreground).
 * Arguments: --data-dir <dir> --flags <json> [--foreground] [--password-stdin].
 */
import { resolvePaths } from '../lib/settings/paths.js';
import type { SettingValue } from '../lib/settings/settings.js';
import { startDaemon, type Daemon } from './daemon.js';

export interface RunDaemonOptions {
  readonly dataDir: string;
  readonly flags: Record<string, SettingValue>;
  readonly foreground: boolean;
  /** Keystore password handed over by `gw start` (read once from stdin with --password-stdin). */
  readonly password?: string;
}

/** Starts the daemon and wires process signals to a graceful stop. Resolves when it has stopped. */
export async function runDaemon(opts: RunDaemonOptions): Promise<void> {
  const paths = resolvePaths(opts.dataDir);
  let daemon: Daemon;
  try {
    daemon = await startDaemon({ paths, flags: opts.flags, foreground: opts.foreground, ...(opts.password !== undefined ? { password: opts.password } : {}) });
  } catch (err) {
    // The launcher reads the log tail and our stderr: one clear line, no stack.
    process.stderr.write(`gw daemon failed to start: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      daemon.log.warn({ sig }, 'second signal: exiting now');
      process.exit(1);
    }
    void daemon.stop(`received ${sig}`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', (err) => {
    daemon.log.fatal({ err }, 'uncaught exception');
    void daemon.stop('uncaught exception').finally(() => process.exit(1));
  });
  await daemon.stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
}

/** Reads the password `gw start` wrote to our stdin: everything up to EOF, without the trailing newline. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  const dataDir = argValue('--data-dir');
  if (!dataDir) {
    process.stderr.write('usage: main.js --data-dir <dir> [--flags <json>] [--foreground]\n');
    process.exit(2);
  }
  const flags = JSON.parse(argValue('--flags') ?? '{}') as Record<string, SettingValue>;
  const password = process.argv.includes('--password-stdin') ? await readPasswordFromStdin() : undefined;
  await runDaemon({ dataDir, flags, foreground: process.argv.includes('--foreground'), ...(password ? { password } : {}) });
  process.exit(process.exitCode ?? 0);
}
