import { spawn, type ChildProcess } from 'node:child_process';
import type { DaemonState } from '../../api/contract.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolveFfmpeg } from '../../lib/media/ffmpeg.js';
import { devnetDown, devnetUp } from '../../devnet/devnetUp.js';
import { ControlClient } from '../../api/controlClient.js';
import type { DevnetState } from '../../devnet/devnetState.js';
import { launchDaemon, stopDaemon } from './daemonProcess.js';

/** Devnet prices (wei per pixel): the third is above the demo's cap, to show a "price too high" rejection. */
export const DEMO_PRICES = ['100000000/1', '150000000/1', '400000000/1'];
export const DEMO_MAX_PRICE = '300000000';
/** Tickets of 0.005 ETH winning half the time: redemptions (and a falling deposit) show within a minute. */
export const DEMO_TICKET_FACE_VALUE = 5_000_000_000_000_000n;
export const DEMO_STREAM = 'demo';
/** The live AI stream of `gw demo --live`. */
export const DEMO_LIVE_STREAM = 'demo-ai';

export interface RunningDemo {
  readonly devnet: DevnetState;
  readonly gateway: DaemonState;
  readonly hlsUrl: string;
  readonly rtmpUrl: string;
  readonly publisher: ChildProcess;
  /** With `--live`: the live AI stream through a devnet runner. */
  readonly live?: { readonly hlsUrl: string; readonly rtmpUrl: string; readonly stream: string };
  /** Stops the test stream, the gateway and the devnet. */
  teardown(): Promise<void>;
}

/**
 * The README's "main job": a devnet (chain + 3 orchestrators at different prices), a funded gateway on it, and a
 * synthetic test stream pushed over RTMP. Everything binds free loopback ports, so it never collides with a
 * gateway already running on the default ports.
 */
export async function startDemo(opts: {
  paths: GwPaths;
  onProgress: (msg: string) => void;
  streamSeconds?: number;
  live?: boolean;
  /** Kill the orchestrator the test stream uses after this many seconds, so the dashboard shows a failover (0: never). */
  failoverAfterSec?: number;
}): Promise<RunningDemo> {
  const { paths, onProgress } = opts;
  const ffmpeg = (await resolveFfmpeg()).path;
  const steps: Array<() => Promise<unknown>> = [];
  const teardown = async () => {
    for (const s of steps.reverse()) await s().catch(() => undefined);
  };
  try {
    onProgress('starting the devnet: local chain, contracts, 3 orchestrators');
    const { state: devnet } = await devnetUp({
      paths,
      orchestrators: 3,
      prices: DEMO_PRICES,
      chain: true,
      passthrough: false,
      basePort: 0,
      chainPort: 0,
      deposit: 1_000_000_000_000_000_000n,
      reserve: 1_000_000_000_000_000_000n,
      ticketEV: DEMO_TICKET_FACE_VALUE / 2n,
      maxFaceValue: DEMO_TICKET_FACE_VALUE,
      ...(opts.live ? { live: true } : {}),
      onProgress,
    });
    steps.push(() => devnetDown(paths));
    onProgress('starting the gateway (deposit 1 ETH, reserve 1 ETH)');
    const { state: gateway } = await launchDaemon({
      paths,
      flags: {
        network: 'devnet',
        controlAddr: '127.0.0.1:0',
        httpAddr: '127.0.0.1:0',
        rtmpAddr: '127.0.0.1:0',
        orchAddr: devnet.orchestrators.map((o) => o.uri),
        maxPricePerUnit: DEMO_MAX_PRICE,
        maxTicketEV: '10000000000000000',
        maxTotalEV: '100000000000000000',
      },
    });
    steps.push(() => stopDaemon({ paths, timeoutMs: 10_000 }));
    if (!/^rtmp:/.test(gateway.rtmpUrl)) throw new Error(`the gateway has no RTMP ingest: ${gateway.rtmpUrl}`);
    const rtmpUrl = `${gateway.rtmpUrl}/${DEMO_STREAM}`;
    onProgress(`pushing a test stream to ${rtmpUrl}`);
    const publisher = publishTestStream(ffmpeg, rtmpUrl, opts.streamSeconds);
    steps.push(async () => {
      if (publisher.exitCode === null) publisher.kill('SIGTERM');
    });
    const failoverAfter = opts.failoverAfterSec ?? 0;
    if (failoverAfter > 0) {
      const timer = setTimeout(() => void demonstrateFailover(paths, devnet, onProgress), failoverAfter * 1000);
      timer.unref();
      steps.push(async () => clearTimeout(timer));
    }
    let live: RunningDemo['live'];
    if (opts.live) {
      // The same kind of test card into the live AI app: the devnet runner rotates its hue, an update changes it.
      const liveRtmpUrl = `${gateway.rtmpUrl.replace(/\/live$/, '/ai')}/${DEMO_LIVE_STREAM}?pipeline=devnet%2Fhue&params=${encodeURIComponent('{"hue":120}')}&streamId=${DEMO_LIVE_STREAM}`;
      onProgress(`pushing a live AI stream (devnet/hue) to ${liveRtmpUrl.split('?')[0]}`);
      const livePublisher = publishTestStream(ffmpeg, liveRtmpUrl, opts.streamSeconds);
      steps.push(async () => {
        if (livePublisher.exitCode === null) livePublisher.kill('SIGTERM');
      });
      live = { hlsUrl: `${gateway.httpUrl}/stream/${DEMO_LIVE_STREAM}-out.m3u8`, rtmpUrl: liveRtmpUrl, stream: DEMO_LIVE_STREAM };
    }
    return { devnet, gateway, hlsUrl: `${gateway.httpUrl}/stream/${DEMO_STREAM}.m3u8`, rtmpUrl, publisher, teardown, ...(live ? { live } : {}) };
  } catch (err) {
    await teardown();
    throw err;
  }
}

/** A synthetic 640×360 test card with a tone, pushed in real time over RTMP. */
function publishTestStream(ffmpeg: string, url: string, seconds: number | undefined): ChildProcess {
  return spawn(
    ffmpeg,
    [
      '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440',
      ...(seconds ? ['-t', String(seconds)] : []),
      '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-c:a', 'aac',
      '-f', 'flv', url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** Kills (SIGKILL) the devnet orchestrator the demo stream is on: the gateway fails over and the dashboard shows it. */
async function demonstrateFailover(paths: GwPaths, devnet: DevnetState, onProgress: (msg: string) => void): Promise<void> {
  try {
    const session = await ControlClient.forPaths(paths, 5000).session(DEMO_STREAM);
    const victim = devnet.orchestrators.find((o) => o.uri === session.orchestrator);
    if (!victim) return;
    onProgress(`killing the orchestrator the stream is on (${victim.uri}, kill -9) to show a failover`);
    process.kill(victim.pid, 'SIGKILL');
  } catch (err) {
    onProgress(`no failover demonstrated: ${(err as Error).message}`);
  }
}
