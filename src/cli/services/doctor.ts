import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolveSettings } from '../../lib/settings/resolveSettings.js';
import { checkDaemon } from '../../api/daemonState.js';

/** One line of `gw doctor`. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What was found. */
  readonly detail: string;
  /** How to fix it, when not ok. */
  readonly fix?: string;
  /** A miss that does not block a first run. */
  readonly optional?: boolean;
}

const MIN_NODE: [number, number] = [20, 19];

/** Runs every check a first run depends on; never throws (each failure becomes a Check). */
export async function runDoctor(paths: GwPaths): Promise<Check[]> {
  const settings = resolveSettings({ configFile: existsSync(paths.configFile) ? paths.configFile : undefined });
  const get = <T>(k: string) => settings.get(k)?.value as T;
  const checks: Check[] = [checkNode(), ...(await checkFfmpeg(get<string | undefined>('ffmpegPath'))), checkDataDir(paths)];
  const daemonRunning = checkDaemon(paths).state === 'running';
  for (const [key, label] of [['controlAddr', 'control port'], ['httpAddr', 'gateway HTTP port'], ['rtmpAddr', 'RTMP port']] as const) {
    checks.push(daemonRunning ? { name: label, ok: true, detail: `${get<string>(key)} (held by the running gw)` } : await checkPort(label, get<string>(key)));
  }
  const keystore = get<string | undefined>('keystore');
  if (keystore) checks.push(checkKeystore(keystore));
  const ethUrl = get<string | undefined>('ethUrl');
  if (ethUrl) checks.push(await checkRpc(ethUrl));
  return checks;
}

function checkNode(): Check {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return { name: 'Node.js', ok, detail: `v${process.versions.node}`, fix: ok ? undefined : `install Node.js ${MIN_NODE.join('.')} or newer` };
}

async function checkFfmpeg(explicitPath: string | undefined): Promise<Check[]> {
  const { resolveFfmpeg, resolveFfprobe, probeFfmpeg } = await import('../../lib/media/ffmpeg.js');
  let bin;
  try {
    bin = await resolveFfmpeg({ explicitPath });
  } catch (err) {
    return [{ name: 'ffmpeg', ok: false, detail: 'not found', fix: (err as Error).message }];
  }
  const probe = await probeFfmpeg(bin).catch((err: Error) => err);
  if (probe instanceof Error) return [{ name: 'ffmpeg', ok: false, detail: `${bin.path} does not run: ${probe.message}`, fix: 'install a working ffmpeg (apt-get install ffmpeg) or set --ffmpeg-path' }];
  const missing = [!probe.hasLibx264 && 'libx264 encoder', !probe.hasRtmp && 'rtmp protocol', !probe.hasSegmentMuxer && 'segment muxer'].filter(Boolean);
  const checks: Check[] = [
    {
      name: 'ffmpeg',
      ok: missing.length === 0,
      detail: `${probe.version} at ${probe.path} (${probe.source})${missing.length ? `; missing ${missing.join(', ')}` : '; libx264, rtmp, segment: yes'}`,
      fix: missing.length ? 'use a full ffmpeg build (Debian/Ubuntu: apt-get install ffmpeg) or point --ffmpeg-path at one' : undefined,
    },
  ];
  const probeBin = resolveFfprobe({ ffmpegPath: probe.path });
  checks.push({
    name: 'ffprobe',
    ok: probeBin !== null,
    optional: true,
    detail: probeBin ? probeBin.path : 'not found',
    fix: probeBin ? undefined : 'optional (used by tests and recordings checks): apt-get install ffmpeg',
  });
  return checks;
}

function checkDataDir(paths: GwPaths): Check {
  try {
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    accessSync(paths.dataDir, constants.W_OK);
    return { name: 'data dir', ok: true, detail: `${paths.dataDir} (writable)` };
  } catch (err) {
    return { name: 'data dir', ok: false, detail: `${paths.dataDir}: ${(err as Error).message}`, fix: 'choose a writable directory with --data-dir or GW_DATA_DIR' };
  }
}

async function checkPort(name: string, addr: string): Promise<Check> {
  const { parseListenAddr } = await import('../../lib/net/listenAddr.js');
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseListenAddr(addr, name));
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message, fix: `fix the address with gw config set` };
  }
  if (port === 0) return { name, ok: true, detail: `${host}:0 (any free port)` };
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ name, ok: false, detail: `${host}:${port} ${err.code === 'EADDRINUSE' ? 'is in use by another program' : err.message}`, fix: `free the port or choose another (gw config set ${name === 'RTMP port' ? 'rtmpAddr' : name === 'control port' ? 'controlAddr' : 'httpAddr'} host:port)` }),
    );
    server.listen(port, host, () => server.close(() => resolve({ name, ok: true, detail: `${host}:${port} is free` })));
  });
}

function checkKeystore(path: string): Check {
  try {
    const st = statSync(path);
    accessSync(path, constants.R_OK);
    return { name: 'keystore', ok: true, detail: `${path} (${st.isDirectory() ? 'directory' : 'key file'}, readable)` };
  } catch (err) {
    return { name: 'keystore', ok: false, detail: `${path}: ${(err as Error).message}`, fix: 'point --keystore at a go-livepeer keystore directory or key file, or create one with gw account create' };
  }
}

async function checkRpc(url: string): Promise<Check> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(3000),
    });
    const body = (await res.json()) as { result?: string };
    if (!body.result) throw new Error(`HTTP ${res.status}, no chain id`);
    return { name: 'chain RPC', ok: true, detail: `${new URL(url).host} answers, chain id ${Number(body.result)}` };
  } catch (err) {
    return { name: 'chain RPC', ok: false, detail: `${new URL(url).host}: ${(err as Error).message}`, fix: 'check --eth-url (an Arbitrum One JSON-RPC endpoint)' };
  }
}
