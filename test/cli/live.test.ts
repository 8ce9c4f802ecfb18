// `gw live …` as an operator runs it: the built CLI against a real gateway daemon and an in-process devnet
// orchestrator serving live-video-to-video. One stream is published to gw's RTMP app `ai`; another is started by
// `gw live start`, which makes gw pull an RTMP source (ffmpeg as a one-client RTMP server).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveStreamView } from '../../src/api/contract.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';
import { runGw } from '../helpers/gw.js';
import { publishColor, stopProcess } from '../live/helpers.js';

let o: DevnetOrchestrator;
let gw: TestGateway;
const gwCli = (args: string[]) => runGw(args, { dataDir: gw.paths.dataDir });
const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;

beforeAll(async () => {
  o = await startDevnetOrchestrator({ port: 0, pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, live: { capacity: 2, statusIntervalMs: 1000 } });
  gw = await startTestGateway({ orchAddr: [o.serviceUri] });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await o?.close();
});

/** A free loopback TCP port (closed again at once, for ffmpeg to listen on). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** True once something listens on the port; read from /proc so that no probe takes ffmpeg's one RTMP client. */
function listening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1]?.endsWith(hex) === true && f[3] === '0A';
    });
}

/** ffmpeg serving flat grey video to the first RTMP client that plays `url` (stands in for a camera or MediaMTX). */
function rtmpSource(url: string): ChildProcess {
  const p = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'color=c=0x404040:s=160x120:r=15', '-t', '120', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p', '-f', 'flv', '-listen', '1', url],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  p.stderr!.resume();
  return p;
}

describe('gw live (built CLI, devnet orchestrator)', () => {
  it('lists, shows, updates and stops a stream published to the RTMP app ai; usage and unknown-stream errors', async () => {
    const empty = await gwCli(['live', 'ls']);
    expect(empty.exitCode, empty.stderr).toBe(0);
    expect(empty.stdout).toContain('no live AI streams yet');

    const pub = publishColor(`rtmp://127.0.0.1:${gw.rtmpPort}/ai/s1?pipeline=noop&streamId=s1-id`, '404040');
    try {
      await waitFor(async () => (await gw.client.liveStreams()).some((s) => s.stream === 's1' && s.state === 'running'), 's1 running', 30_000);

      const ls = await gwCli(['live', 'ls', '--json']);
      expect(ls.exitCode, ls.stderr).toBe(0);
      expect(json<{ streams: LiveStreamView[] }>(ls).streams).toEqual([expect.objectContaining({ stream: 's1', streamId: 's1-id', pipeline: 'noop', state: 'running' })]);
      const table = await gwCli(['live', 'ls']);
      expect(table.stdout).toMatch(/s1\s.*s1-id.*noop.*running/);
      expect(table.stdout).toContain(o.serviceUri);

      const show = await gwCli(['live', 'show', 's1', '--json']);
      expect(show.exitCode, show.stderr).toBe(0);
      const view = json<LiveStreamView>(show);
      expect(view).toMatchObject({ stream: 's1', streamId: 's1-id', source: 'rtmp', hlsUrl: `${gw.state.httpUrl}/stream/s1-out.m3u8` });
      expect(view.orchestrator?.url).toBe(o.serviceUri);
      const text = await gwCli(['live', 'show', 's1']);
      expect(text.stdout).toMatch(/HLS:\s+http:\/\/127\.0\.0\.1:\d+\/stream\/s1-out\.m3u8/);
      expect(text.stdout).toMatch(/Pipeline:\s+noop/);

      const upd = await gwCli(['live', 'update', 's1', '--params', '{"hue":90}']);
      expect(upd.exitCode, upd.stderr).toBe(0);
      expect(upd.stdout).toContain('updated s1: params {"hue":90}');
      expect(json<LiveStreamView>(await gwCli(['live', 'show', 's1', '--json'])).params).toEqual({ hue: 90 });

      // A typo in --params is a usage error, caught before the daemon is asked; --json keeps the error shape.
      const bad = await gwCli(['live', 'update', 's1', '--params', '{hue:90}']);
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain('--params is not valid JSON');
      const badJson = await gwCli(['live', 'update', 's1', '--params', '[90]', '--json']);
      expect(badJson.exitCode).toBe(2);
      expect(json<{ error: { code: string; message: string } }>(badJson).error).toMatchObject({ code: 'usage', message: expect.stringContaining('must be a JSON object') });

      const stop = await gwCli(['live', 'stop', 's1']);
      expect(stop.exitCode, stop.stderr).toBe(0);
      expect(stop.stdout).toContain('stopped s1 (ended');
      expect(json<LiveStreamView>(await gwCli(['live', 'show', 's1', '--json'])).state).toBe('ended');
    } finally {
      await stopProcess(pub);
    }

    for (const args of [['show', 'nope'], ['update', 'nope', '--params', '{}'], ['stop', 'nope']]) {
      const r = await gwCli(['live', ...args]);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/no (running )?live AI stream named "nope"/);
    }
  }, 120_000);

  it('gw live start pulls an RTMP source with params, a stream id and an orchestrator filter', async () => {
    const port = await freePort();
    const src = rtmpSource(`rtmp://127.0.0.1:${port}/live/src`);
    try {
      await waitFor(() => listening(port), 'the RTMP source to listen', 10_000);
      const start = await gwCli(['live', 'start', 's2', '--rtmp-url', `rtmp://127.0.0.1:${port}/live/src`, '--pipeline', 'noop', '--params', '{"a":1}', '--stream-id', 's2-id', '--orchestrator', '127.0.0.1', '--json']);
      expect(start.exitCode, start.stderr).toBe(0);
      const v = json<LiveStreamView>(start);
      expect(v).toMatchObject({ stream: 's2', streamId: 's2-id', pipeline: 'noop', params: { a: 1 }, source: 'json', hlsUrl: `${gw.state.httpUrl}/stream/s2-out.m3u8` });
      expect(v.orchestrator?.url).toBe(o.serviceUri);
      await waitFor(async () => (await gw.client.liveStream('s2')).inputSegments > 0, 's2 input segments', 20_000);
      const stop = await gwCli(['live', 'stop', 's2', '--json']);
      expect(stop.exitCode, stop.stderr).toBe(0);
      expect(json<LiveStreamView>(stop).state).toBe('ended');

      const badParams = await gwCli(['live', 'start', 's3', '--rtmp-url', `rtmp://127.0.0.1:${port}/live/src`, '--params', 'hue=90']);
      expect(badParams.exitCode).toBe(2);
      expect(badParams.stderr).toContain('--params is not valid JSON');
    } finally {
      await stopProcess(src);
    }
  }, 90_000);
});
