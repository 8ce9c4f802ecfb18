/**
 * Shared pieces of the benchmarks: devnet orchestrators as child processes, a gw daemon in a temp data dir,
 * ffmpeg-made test segments (cached), HTTP push, and process CPU/RSS/load readings from /proc.
 * (Lives under bench/lib/ so that scripts/bench.mjs does not list it as a benchmark.)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DaemonState } from '../../src/api/contract.js';
import { ControlClient } from '../../src/api/controlClient.js';
import { resolvePaths, type GwPaths } from '../../src/lib/settings/paths.js';
import type { SettingValue } from '../../src/lib/settings/settings.js';
import { launchDaemon, stopDaemon } from '../../src/cli/services/daemonProcess.js';
import { parseMultipart } from '../../src/core/gateway/multipart.js';
import { devnetEntry } from '../../src/devnet/devnetProcesses.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** "1.23 0.98 0.70" — the 1/5/15-minute load averages. */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

const CLK_TCK = 100;

/** CPU time (user + system) of a process so far, ms; undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB (VmRSS), undefined once it is gone. */
export function processRssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Measures CPU share (% of one core) of several processes over an interval. */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private t0 = performance.now();
  private self0 = process.cpuUsage();

  constructor(private readonly pids: Record<string, number>) {
    this.reset();
  }

  reset(): void {
    this.t0 = performance.now();
    this.self0 = process.cpuUsage();
    for (const pid of Object.values(this.pids)) this.start.set(pid, processCpuMs(pid) ?? 0);
  }

  /** % of one core per named process since the last reset, plus `bench` (this process). */
  read(): Record<string, number> {
    const wall = performance.now() - this.t0;
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) out[name] = (((processCpuMs(pid) ?? 0) - (this.start.get(pid) ?? 0)) / wall) * 100;
    const self = process.cpuUsage(this.self0);
    out.bench = ((self.user + self.system) / 1000 / wall) * 100;
    return out;
  }
}

/** A free loopback TCP port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A devnet orchestrator running in its own process. */
export interface OrchestratorChild {
  readonly uri: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly controlToken: string;
  /** Ticket recipient (zero address off-chain). */
  readonly address: string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL (no wait). */
  kill(): void;
  exited(): Promise<void>;
}

/** A child process that announced itself with a JSON `"ready"` line on stdout. */
interface ReadyChild<T> {
  readonly ready: T;
  readonly child: ChildProcess;
  stop(): Promise<void>;
  kill(): void;
  exited(): Promise<void>;
}

/** Spawns `node [execArgv] file args` and waits (≤ 30 s) for the first stdout line holding `"ready"`. */
async function spawnReady<T>(label: string, entry: { file: string; execArgv: string[] }, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ReadyChild<T>> {
  const child = spawn(process.execPath, [...entry.execArgv, entry.file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = await new Promise<T>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 30 s: ${err.slice(-500)}`)), 30_000);
    child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited ${code}: ${err.slice(-500)}`));
    });
  });
  child.stdout!.resume();
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    ready,
    child,
    stop: async () => {
      if (!alive()) return;
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(5000)]);
      if (alive()) child.kill('SIGKILL');
    },
    kill: () => {
      if (alive()) child.kill('SIGKILL');
    },
    exited: () => exit,
  };
}

/**
 * Spawns a devnet orchestrator (src/devnet/orchestrator/main.ts through tsx, by default via orchestratorEntry.ts,
 * which lifts the HTTP/2 session memory cap) and waits for its ready line.
 */
export async function spawnOrchestrator(args: string[], opts: { port?: number; controlToken?: string } = {}): Promise<OrchestratorChild> {
  const stock = devnetEntry('orchestrator/main');
  const entry = process.env.BENCH_STOCK_ORCH === '1' ? stock : { file: fileURLToPath(new URL('./orchestratorEntry.ts', import.meta.url)), execArgv: stock.execArgv };
  const controlToken = opts.controlToken ?? `bench-${Math.random().toString(36).slice(2)}`;
  const c = await spawnReady<{ serviceUri: string; port: number; address: string }>('orchestrator', entry, ['--port', String(opts.port ?? 0), ...args], {
    ...process.env,
    GW_DEVNET_CONTROL_TOKEN: controlToken,
  });
  return { uri: c.ready.serviceUri, port: c.ready.port, pid: c.child.pid!, child: c.child, controlToken, address: c.ready.address, stop: c.stop, kill: c.kill, exited: c.exited };
}

/** POST /devnet/faults on an orchestrator (self-signed TLS, HTTP/1.1). */
export function setFaults(o: Pick<OrchestratorChild, 'uri' | 'controlToken'>, patch: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(patch);
    const req = httpsRequest(
      `${o.uri}/devnet/faults`,
      { method: 'POST', rejectUnauthorized: false, headers: { authorization: `Bearer ${o.controlToken}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A gw daemon (real process, TypeScript through tsx) in a temp data dir. */
export interface Gateway {
  readonly paths: GwPaths;
  readonly state: DaemonState;
  readonly client: ControlClient;
  stop(): Promise<void>;
}

/** Starts gw with launchDaemon on free loopback ports; `env` is set for the daemon only (e.g. NODE_OPTIONS); its log is kept as gw-bench-logs/<logName>.gw.log. */
export async function startGateway(flags: Record<string, SettingValue>, env: NodeJS.ProcessEnv = {}, logName?: string): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const paths = resolvePaths(dir);
  // BENCH_GW_PROFILE=<dir>: the daemon writes a CPU profile there when it exits (see cpuProfile.mjs).
  // BENCH_GW_NODE_OPTIONS reaches the daemon only (e.g. "--import /path/preload.mjs"); so do the variables of
  // BENCH_GW_ENV, a JSON object (e.g. '{"MALLOC_ARENA_MAX":"2"}').
  env = { ...(JSON.parse(process.env.BENCH_GW_ENV ?? '{}') as NodeJS.ProcessEnv), ...env };
  const profileDir = process.env.BENCH_GW_PROFILE;
  if (profileDir && env.NODE_OPTIONS === undefined) {
    env = { ...env, NODE_OPTIONS: `--import ${fileURLToPath(new URL('./cpuProfile.mjs', import.meta.url))}`, GW_BENCH_PROFILE_DIR: profileDir };
  } else if (process.env.BENCH_GW_NODE_OPTIONS && env.NODE_OPTIONS === undefined) {
    env = { ...env, NODE_OPTIONS: process.env.BENCH_GW_NODE_OPTIONS };
  }
  const saved: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  let state: DaemonState;
  try {
    ({ state } = await launchDaemon({ paths, flags: { controlAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', rtmpAddr: '127.0.0.1:0', ...flags }, timeoutMs: 30_000 }));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const token = readFileSync(paths.tokenFile, 'utf8').trim();
  const client = new ControlClient({ baseUrl: state.controlUrl, token, dataDir: dir });
  return {
    paths,
    state,
    client,
    stop: async () => {
      await stopDaemon({ paths, timeoutMs: 15_000 });
      // Keep the daemon log of the last run for a look after the benchmark.
      const keep = join(tmpdir(), 'gw-bench-logs');
      mkdirSync(keep, { recursive: true });
      try {
        const name = logName ?? (process.argv[1] ?? 'bench').replace(/^.*\//, '').replace(/\.ts$/, '');
        copyFileSync(paths.logFile, join(keep, `${name}.gw.log`));
      } catch {
        // no log written
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The daemon's pid as written in daemon.json. */
export function daemonPid(paths: GwPaths): number {
  return (JSON.parse(readFileSync(paths.daemonFile, 'utf8')) as { pid: number }).pid;
}

const MEDIA_DIR = join(tmpdir(), 'gw-bench-media');

/**
 * A 2 s H.264/AAC MPEG-TS segment made once by ffmpeg and cached in the temp dir. `size` "1280x720" with
 * `videoKbps` 4000 gives ~1 MB (noise keeps the encoder from compressing the test pattern away).
 */
export function makeSegment(opts: { size: string; videoKbps: number; seconds?: number }): Buffer {
  const seconds = opts.seconds ?? 2;
  mkdirSync(MEDIA_DIR, { recursive: true });
  const file = join(MEDIA_DIR, `seg-${opts.size}-${opts.videoKbps}k-${seconds}s.ts`);
  if (!existsSync(file) || statSync(file).size === 0) {
    execFileSync('ffmpeg', [
      '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${opts.size}:rate=30`,
      '-f', 'lavfi', '-i', 'sine=frequency=440',
      '-t', String(seconds),
      '-vf', 'noise=alls=12:allf=t',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-b:v', `${opts.videoKbps}k`, '-maxrate', `${opts.videoKbps}k`, '-bufsize', `${opts.videoKbps}k`,
      '-c:a', 'aac', '-b:a', '96k',
      '-f', 'mpegts', file,
    ]);
  }
  return readFileSync(file);
}

/** The two segment sizes the benchmarks use: 2 s 720p (~1 MB) and a small 2 s 240p one. */
export function benchSegments(): { large: Buffer; small: Buffer } {
  return { large: makeSegment({ size: '1280x720', videoKbps: 4000 }), small: makeSegment({ size: '320x240', videoKbps: 300 }) };
}

const pushAgent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

/** Reply of one HTTP push. */
export interface PushReply {
  status: number;
  bytes: number;
  ms: number;
  body: Buffer;
  contentType: string;
}

/** Why a push reply is not `count` complete renditions of `size` bytes each (passthrough), or null when it is. */
export function renditionProblem(r: PushReply, count: number, size: number): string | null {
  if (r.status !== 200) return `HTTP ${r.status}: ${r.body.subarray(0, 160).toString().trim()}`;
  let parts;
  try {
    parts = parseMultipart(r.body, r.contentType);
  } catch (err) {
    return `bad multipart (${r.bytes} bytes): ${(err as Error).message}`;
  }
  if (parts.length !== count) return `${parts.length} renditions, want ${count}`;
  const sizes = parts.map((p) => p.data.length);
  if (sizes.some((n) => n !== size)) return `rendition sizes ${sizes.join('/')} bytes, want ${size} each (truncated rendition)`;
  return null;
}

/** HTTP push of one segment to gw: POST /live/<stream>/<seq>.ts, Accept multipart/mixed; whole reply read. */
export function pushSegment(httpUrl: string, stream: string, seq: number, data: Uint8Array, timeoutMs = 30_000): Promise<PushReply> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${httpUrl}/live/${stream}/${seq}.ts`,
      {
        method: 'POST',
        agent: pushAgent,
        headers: { accept: 'multipart/mixed', 'content-duration': '2000', 'content-type': 'video/mp2t', 'content-length': data.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          bytes += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t0, body: Buffer.concat(chunks), contentType: String(res.headers['content-type'] ?? '') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`push ${stream}/${seq} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** A running floor proxy (see floorProxyEntry.ts). */
export interface FloorProxy {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the floor proxy in its own process in front of the given orchestrators. */
export async function spawnFloorProxy(orchestratorUris: string[]): Promise<FloorProxy> {
  const entry = { file: fileURLToPath(new URL('./floorProxyEntry.ts', import.meta.url)), execArgv: ['--import', import.meta.resolve('tsx')] };
  const c = await spawnReady<{ ready: string }>('floor proxy', entry, orchestratorUris);
  return { url: c.ready.ready, pid: c.child.pid!, stop: c.stop };
}

/** Kills every listed child on exit paths the benchmark does not reach (uncaught errors, Ctrl-C). */
export function killOnExit(children: () => Array<Pick<OrchestratorChild, 'kill'>>): void {
  const killAll = () => {
    for (const c of children()) c.kill();
  };
  process.once('exit', killAll);
  process.once('SIGINT', () => {
    killAll();
    process.exit(130);
  });
}
