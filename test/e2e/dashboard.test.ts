// End to end, as an operator sees it: `gw dashboard` (the built CLI) in a real terminal (tmux, 120x40) following a
// live daemon on the devnet while an RTMP stream runs, an orchestrator is killed, a live AI stream shows on its tab,
// and the daemon is restarted.
// The same run scrapes /metrics (public with --metrics-public) to check the on-chain metrics move.
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/api/controlClient.js';
import type { GwEvent, SegmentTranscoded } from '../../src/api/events.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import type { SettingValue } from '../../src/lib/settings/settings.js';
import { launchDaemon, stopDaemon } from '../../src/cli/services/daemonProcess.js';
import { devnetDown, devnetUp } from '../../src/devnet/devnetUp.js';
import type { DevnetState } from '../../src/devnet/devnetState.js';
import { httpRequest, waitFor } from '../helpers/gateway.js';
import { GW_BIN, tempDataDir } from '../helpers/gw.js';
import { checkExposition } from '../metrics/exposition.js';
import { parsePrometheusText, sumOf } from '../metrics/promText.js';
import { TmuxSession } from './tmux.js';

const ETH = 10n ** 18n;
// As in the on-chain pipeline test: 0.005 ETH tickets winning half the time, prices that need tickets every segment.
const FACE_VALUE = 5_000_000_000_000_000n;
const host = (uri: string) => uri.replace(/^https?:\/\//, '');

describe('gw dashboard in tmux, following a live devnet daemon', () => {
  const { dir, cleanup } = tempDataDir('gw-e2e-');
  const paths = resolvePaths(dir);
  const screen = new TmuxSession('dash', { cols: 120, rows: 40 });
  const events: GwEvent[] = [];
  let follow: AbortController | undefined;
  let devnet: DevnetState;
  let flags: Record<string, SettingValue>;
  let publish: ResultPromise | undefined;
  let publishLive: ResultPromise | undefined;

  /** Records the daemon's events (to know which orchestrator is in use). */
  const record = () => {
    follow?.abort();
    const ac = (follow = new AbortController());
    const client = ControlClient.forPaths(paths, 5000);
    void (async () => {
      try {
        for await (const ev of client.events({ signal: ac.signal, lastEventId: 0 })) events.push(ev);
      } catch {
        // the daemon went away
      }
    })();
  };
  const transcoded = () => events.filter((e): e is SegmentTranscoded => e.type === 'segment.transcoded' && e.streamId === 'cam1');
  const metrics = async (controlUrl: string) => {
    const r = await httpRequest(`${controlUrl}/metrics`); // no token: --metrics-public
    expect(r.status).toBe(200);
    return parsePrometheusText(r.body.toString('utf8'));
  };
  const totalTickets = (s: string) => Number(/Totals\s+(\d+) tickets/.exec(s)?.[1] ?? NaN);

  beforeAll(async () => {
    expect(existsSync(GW_BIN.replace(/bin\/run\.js$/, 'dist/commands/dashboard.js')), 'dist/ is built (npm run build)').toBe(true);
    ({ state: devnet } = await devnetUp({
      paths,
      orchestrators: 3,
      prices: ['100000000/1', '120000000/1', '5000000000/1'],
      chain: true,
      passthrough: true,
      basePort: 0,
      chainPort: 0,
      deposit: ETH,
      reserve: ETH,
      ticketEV: FACE_VALUE / 2n,
      maxFaceValue: FACE_VALUE,
      live: true,
    }));
    flags = {
      controlAddr: '127.0.0.1:0',
      httpAddr: '127.0.0.1:0',
      rtmpAddr: '127.0.0.1:0',
      network: 'devnet',
      orchAddr: devnet.orchestrators.map((o) => o.uri),
      maxPricePerUnit: '200000000',
      maxTicketEV: '10000000000000000',
      maxTotalEV: '100000000000000000',
      metricsPublic: true,
      // above the devnet's 1 ETH: the dashboard must show the alert as a banner
      alertDepositBelow: (2n * ETH).toString(),
    };
    await launchDaemon({ paths, flags });
    record();
  }, 120_000);

  afterAll(async () => {
    screen.kill();
    publish?.kill('SIGKILL');
    publishLive?.kill('SIGKILL');
    follow?.abort();
    await stopDaemon({ paths, timeoutMs: 10_000 });
    await devnetDown(paths);
    cleanup();
  });

  it('shows the session, the failover naming both orchestrators and rising tickets; survives a daemon restart', async () => {
    const state = (await ControlClient.forPaths(paths).status()).endpoints;
    screen.start([process.execPath, GW_BIN, 'dashboard'], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'xterm-256color', GW_DATA_DIR: dir, LANG: 'C.UTF-8' });
    await screen.waitForScreen((s) => s.includes('● live'), 'the dashboard to connect');
    await screen.waitForScreen((s) => /CRITICAL|WARNING/.test(s) && s.includes('deposit-low'), 'the deposit-low banner');

    publish = execa('ffmpeg', [
      '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine',
      '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-c:a', 'aac',
      '-f', 'flv', `${state.rtmp}/cam1`,
    ], { reject: false });

    screen.send('2');
    await screen.waitForScreen((s) => /Sessions\s+1 active/.test(s) && s.includes('cam1'), 'the stream in the Sessions panel', 20_000);
    await waitFor(() => transcoded().length >= 3, 'three segments transcoded', 30_000);
    const before = await metrics(state.control);

    const inUse = transcoded().at(-1)!.orchestrator;
    const victim = devnet.orchestrators.find((o) => o.uri === inUse)!;
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(() => events.some((e) => e.type === 'failover'), 'a failover', 30_000);
    const failover = events.find((e) => e.type === 'failover')!;
    if (failover.type !== 'failover') throw new Error('unreachable');
    expect(failover.from).toBe(victim.uri);

    screen.send('4');
    const failovers = await screen.waitForScreen(
      (s) => s.split('\n').some((l) => l.includes(host(failover.from)) && l.includes(host(failover.to)) && l.includes('cam1')),
      'a Failovers row naming both orchestrators',
    );
    expect(failovers).toMatch(/Failovers\s+[1-9]\d* \(newest first\)/);

    screen.send('5');
    const first = totalTickets(await screen.waitForScreen((s) => totalTickets(s) > 0, 'tickets in the Tickets panel'));
    await screen.waitForScreen((s) => totalTickets(s) > first, 'a rising ticket count', 20_000);

    // The on-chain metrics moved with the stream.
    const after = await metrics(state.control);
    checkExposition(after);
    expect(sumOf(after, 'livepeer_tickets_sent')).toBeGreaterThan(sumOf(before, 'livepeer_tickets_sent'));
    expect(sumOf(after, 'livepeer_ticket_value_sent')).toBeGreaterThan(sumOf(before, 'livepeer_ticket_value_sent'));
    expect(sumOf(after, 'livepeer_orchestrator_swaps')).toBeGreaterThanOrEqual(1);
    expect(sumOf(after, 'livepeer_segment_source_uploaded_total')).toBeGreaterThan(sumOf(before, 'livepeer_segment_source_uploaded_total'));
    expect(sumOf(after, 'livepeer_discovery_errors_total', { error_code: 'price too high', orchestrator_uri: devnet.orchestrators[2]!.uri })).toBeGreaterThanOrEqual(1);
    const sender = expect.objectContaining({ sender: expect.stringMatching(new RegExp(`^${devnet.accounts[0]!.address}$`, 'i')) });
    expect(after.get('livepeer_gateway_deposit')!.samples).toEqual([expect.objectContaining({ labels: sender })]);
    expect(sumOf(after, 'livepeer_gateway_deposit')).toBeGreaterThan(0);
    expect(sumOf(after, 'livepeer_gateway_deposit')).toBeLessThanOrEqual(1e9); // gwei
    expect(sumOf(after, 'livepeer_gateway_reserve')).toBe(1e9);
    expect(sumOf(after, 'livepeer_current_sessions_total')).toBe(1);
    // failover loses no segment (see the on-chain pipeline test); leave room for one slow one
    expect(sumOf(after, 'livepeer_success_rate')).toBeGreaterThan(0.9);

    // Live AI: a stream published to the RTMP app `ai` shows up running, with its pipeline, on the Live AI tab.
    publishLive = execa('ffmpeg', [
      '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=15',
      '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15',
      '-f', 'flv', `${state.rtmp.replace(/\/live$/, '/ai')}/cam-ai?pipeline=noop`,
    ], { reject: false });
    screen.send('7');
    await screen.waitForScreen(
      (s) => /Live AI\s+1 running/.test(s) && s.split('\n').some((l) => l.includes('cam-ai') && l.includes('noop') && l.includes('running')),
      'a running stream on the Live AI tab',
      30_000,
    );
    // The first screen lists what runs: the video stream and the live one, each with where it plays.
    screen.send('1');
    await screen.waitForScreen(
      (s) => s.includes('Running') && s.split('\n').some((l) => l.includes('cam-ai (noop)') && l.includes('/stream/cam-ai-out.m3u8')) && s.split('\n').some((l) => l.includes('cam1') && l.includes('/stream/cam1.m3u8')),
      'the running streams with their HLS URLs on the overview',
      20_000,
    );
    publishLive.kill('SIGKILL');

    // Stop the daemon: the dashboard says so and keeps trying; start it again: it recovers.
    publish.kill('SIGKILL');
    expect(await stopDaemon({ paths, timeoutMs: 15_000 })).toMatch(/graceful|terminated/);
    await screen.waitForScreen((s) => /reconnecting|daemon down/.test(s) && !s.includes('● live'), "'reconnecting' or 'down'");
    await launchDaemon({ paths, flags });
    const recovered = await screen.waitForScreen((s) => s.includes('● live'), 'the dashboard to recover', 20_000);
    // two orchestrators were under the cap all along: no price-cap banner, only the deposit one
    expect(recovered).toContain('deposit-low');
    expect(recovered).not.toContain('no-orchestrator-under-price-cap');
  }, 90_000);
});
