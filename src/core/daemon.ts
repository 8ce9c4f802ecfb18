import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { DaemonState, StatusResponse } from '../api/contract.js';
import type { GatewayMode } from '../api/events.js';
import type { GwPaths } from '../lib/settings/paths.js';
import { resolveSettings } from '../lib/settings/resolveSettings.js';
import type { SettingValue } from '../lib/settings/settings.js';
import { createControlApp } from './control/app.js';
import { ensureToken } from './control/token.js';
import { EventBus } from './eventBus.js';
import { createLogger, type Logger } from './logger.js';
import { httpUrl, isLoopbackHost, parseListenAddr, type ListenAddr } from '../lib/net/listenAddr.js';
import { buildGatewayNode } from './node.js';
import { RuntimeConfig } from './runtimeConfig.js';
import { GW_VERSION } from './version.js';

export interface DaemonOptions {
  readonly paths: GwPaths;
  /** Settings given as `gw start` flags (highest precedence). */
  readonly flags: Record<string, SettingValue>;
  readonly foreground: boolean;
  /** Keystore password handed over on stdin by `gw start`. */
  readonly password?: string;
}

/** A running gateway daemon. */
export interface Daemon {
  readonly state: DaemonState;
  readonly log: Logger;
  /** Graceful stop: intake off, drain up to the drain timeout, close, remove the state file. */
  stop(reason: string): Promise<void>;
  /** Resolves when the daemon has fully stopped. */
  readonly stopped: Promise<void>;
}

/** Builds and starts the daemon: settings, logger, control API, gateway HTTP port, state file. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { paths } = opts;
  const resolved = resolveSettings({ flags: opts.flags, configFile: paths.configFile });
  const bus = new EventBus();
  const config = new RuntimeConfig(resolved, paths.configFile, bus);
  const log = createLogger({
    logFile: paths.logFile,
    level: config.get('logLevel'),
    foreground: opts.foreground,
    onLine: (l) => bus.emit({ type: 'log', level: l.level >= 50 ? 'error' : l.level >= 40 ? 'warn' : 'info', module: l.module ?? 'daemon', msg: l.msg }),
  });
  const token = ensureToken(paths.tokenFile);
  const startedAt = new Date();

  const controlAddr = parseListenAddr(config.get('controlAddr'), 'controlAddr');
  if (!isLoopbackHost(controlAddr.host)) {
    if (!config.get('allowPublicBind')) {
      throw new Error(`refusing to expose the control API on ${controlAddr.host}: pass --allow-public-bind if you really mean it`);
    }
    log.warn({ host: controlAddr.host }, 'control API listens on a non-loopback address; anyone who can reach it and holds the token controls this gateway');
  }
  const httpAddr = parseListenAddr(config.get('httpAddr'), 'httpAddr');
  const rtmpAddr = parseListenAddr(config.get('rtmpAddr'), 'rtmpAddr');

  const node = await buildGatewayNode({ config, bus, log, paths, password: opts.password, rtmp: { host: rtmpAddr.host, port: rtmpAddr.port } });
  const mode: GatewayMode = node.mode;
  let draining = false;
  let resolveClosing!: () => void;
  const closing = new Promise<void>((r) => (resolveClosing = r));

  const status = (): StatusResponse => ({
    version: GW_VERSION,
    pid: process.pid,
    startedAt: startedAt.toISOString(),
    uptimeMs: Date.now() - startedAt.getTime(),
    mode,
    network: config.get('network'),
    dataDir: paths.dataDir,
    endpoints,
    orchestrators: node.discovery.registry.counts(),
    sessions: { active: node.gateway.streams.activeCount + node.ai.activeJobs(), streams: node.gateway.streams.activeCount, aiJobs: node.ai.activeJobs() },
    draining,
  });

  let stopPromise: Promise<void> | undefined;
  const app = createControlApp(
    {
      token,
      bus,
      config,
      status,
      closing,
      log,
      metrics: () => node.metrics.registry.metrics(),
      shutdown: (reason) => {
        void stop(reason);
        return { drainTimeoutMs: config.get('drainTimeout') };
      },
    },
    node.routes,
  );

  let controlServer: Server;
  let gatewayServer: Server;
  try {
    controlServer = await listen(createServer(getRequestListener(app.fetch)), controlAddr, 'control API');
    try {
      gatewayServer = await listen(node.http, httpAddr, 'gateway HTTP');
    } catch (err) {
      await closeServer(controlServer);
      throw err;
    }
  } catch (err) {
    await node.close();
    throw err;
  }

  const controlBound = controlServer.address() as AddressInfo;
  const httpBound = gatewayServer.address() as AddressInfo;
  const controlUrl = httpUrl({ host: controlAddr.host, port: controlBound.port });
  const endpoints = {
    control: controlUrl,
    http: httpUrl({ host: httpAddr.host, port: httpBound.port }),
    rtmp: node.rtmpPort ? `rtmp://${rtmpAddr.host}:${node.rtmpPort}/live` : 'off (ffmpeg not found)',
    metrics: `${controlUrl}/metrics`,
  };

  const state: DaemonState = {
    pid: process.pid,
    version: GW_VERSION,
    startedAt: startedAt.toISOString(),
    controlUrl,
    httpUrl: endpoints.http,
    rtmpUrl: endpoints.rtmp,
    tokenPath: paths.tokenFile,
    logPath: paths.logFile,
    dataDir: paths.dataDir,
  };
  writeFileSync(paths.daemonFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));

  async function stop(reason: string): Promise<void> {
    stopPromise ??= (async () => {
      draining = true;
      log.info({ reason }, 'stopping: intake off, draining');
      bus.emit({ type: 'daemon.stopping', reason });
      // Every intake the node registered (video, AI, BYOC, …) stops at once and is waited for together.
      node.stopIntake();
      log.info({ inFlight: node.intakes.inFlight() }, 'intake off (video, AI, BYOC refuse new work with 503 draining); waiting for work in flight');
      const timeout = config.get('drainTimeout');
      const drainedInTime = await Promise.race([
        node.drained().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeout).unref()),
      ]);
      if (!drainedInTime) log.warn({ timeoutMs: timeout, inFlight: node.intakes.inFlight() }, 'drain timed out; closing with work in flight');
      else log.info('drained');
      await node.close();
      resolveClosing();
      await closeServer(gatewayServer);
      await closeServer(controlServer);
      rmSync(paths.daemonFile, { force: true });
      log.info('stopped');
      resolveStopped();
    })();
    return stopPromise;
  }

  log.info({ version: GW_VERSION, mode, control: controlUrl, http: endpoints.http, rtmp: endpoints.rtmp, dataDir: paths.dataDir }, 'gw daemon started');
  bus.emit({ type: 'daemon.started', version: GW_VERSION, pid: process.pid, mode });

  return { state, log, stop, stopped };
}

function listen(server: Server, addr: ListenAddr, what: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'EADDRINUSE' ? `${what} port ${addr.host}:${addr.port} is already in use` : `${what} cannot listen on ${addr.host}:${addr.port}: ${err.message}`));
    });
    server.listen(addr.port, addr.host, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
