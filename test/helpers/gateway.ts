import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { DaemonState } from '../../src/api/contract.js';
import { ControlClient } from '../../src/api/controlClient.js';
import type { GwEvent } from '../../src/api/events.js';
import { resolvePaths, type GwPaths } from '../../src/lib/settings/paths.js';
import type { SettingValue } from '../../src/lib/settings/settings.js';
import { launchDaemon, stopDaemon } from '../../src/cli/services/daemonProcess.js';
import { devnetEntry } from '../../src/devnet/devnetProcesses.js';
import { tempDataDir } from './gw.js';

/** A gateway daemon (real process) in a temp data dir, plus an event recorder. */
export interface TestGateway {
  readonly paths: GwPaths;
  readonly state: DaemonState;
  readonly client: ControlClient;
  readonly events: GwEvent[];
  readonly rtmpPort: number;
  stop(): Promise<void>;
}

/** Starts a gateway on free loopback ports with the given settings and records its events. */
export async function startTestGateway(flags: Record<string, SettingValue>, dataDir?: string): Promise<TestGateway> {
  const { dir, cleanup } = dataDir ? { dir: dataDir, cleanup: () => undefined } : tempDataDir('gw-pipe-');
  const paths = resolvePaths(dir);
  const { state } = await launchDaemon({ paths, flags: { controlAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', rtmpAddr: '127.0.0.1:0', ...flags } });
  const token = readFileSync(paths.tokenFile, 'utf8').trim();
  const client = new ControlClient({ baseUrl: state.controlUrl, token, dataDir: dir });
  const events: GwEvent[] = [];
  const ac = new AbortController();
  void (async () => {
    try {
      for await (const ev of client.events({ signal: ac.signal, lastEventId: 0 })) events.push(ev);
    } catch {
      // the daemon went away
    }
  })();
  return {
    paths,
    state,
    client,
    events,
    rtmpPort: Number(/:(\d+)\/live$/.exec(state.rtmpUrl)?.[1] ?? 0),
    stop: async () => {
      ac.abort();
      await stopDaemon({ paths, timeoutMs: 10_000 });
      cleanup();
    },
  };
}

/** A devnet orchestrator in its own process (so a test can kill -9 it). */
export interface OrchestratorProcess {
  readonly uri: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `src/devnet/orchestrator/main.ts` and waits for its ready line. */
export async function spawnOrchestrator(args: string[]): Promise<OrchestratorProcess> {
  const entry = devnetEntry('orchestrator/main');
  const child = spawn(process.execPath, [...entry.execArgv, entry.file, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve((JSON.parse(line) as { serviceUri: string }).serviceUri);
    });
    child.once('exit', (code) => reject(new Error(`orchestrator exited ${code}: ${err.slice(-500)}`)));
    setTimeout(() => reject(new Error('orchestrator did not start in 20 s')), 20_000).unref();
  });
  child.stderr!.resume();
  return {
    uri,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request with a Buffer body; resolves with the whole reply. */
export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Waits until `pred` holds, polling; throws with `what` on timeout. */
export async function waitFor(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
