import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import type { DashboardView } from '../../src/tui/store/view.js';
import { fixtureView, frameLines, widthOf } from './helpers.js';

const theme = { color: false };
const DATA_DIR = '/home/op/.local/state/gw';

function frameOf(view: DashboardView, tab: number, opts: { width?: number; height?: number; detail?: string } = {}): string[] {
  const { lastFrame } = render(
    <App view={view} dataDir={DATA_DIR} theme={theme} width={opts.width ?? 80} height={opts.height ?? 24} initialTab={tab} initialDetail={opts.detail} interactive={false} />,
  );
  return frameLines(lastFrame());
}

/** Every frame must fit the terminal it was laid out for. */
function expectFits(lines: string[], width = 80, height = 24): void {
  expect(lines.length).toBeLessThanOrEqual(height);
  for (const l of lines) expect(widthOf(l), `too wide (${widthOf(l)}): ${l}`).toBeLessThanOrEqual(width);
}

afterEach(() => cleanup());

describe('panels rendered from the recorded event sequence at 80×24', () => {
  it('Overview: identity, endpoints, deposit/reserve, EV per minute with runway, counts', () => {
    const lines = frameOf(fixtureView(), 0);
    expectFits(lines);
    const text = lines.join('\n');
    expect(text).toContain('on-chain · arbitrum-one · v0.1.0');
    expect(text).toContain('rtmp://127.0.0.1:1935/live');
    expect(text).toMatch(/Deposit\s+0\.499 ETH\s+Reserve\s+0\.36 ETH/);
    expect(text).toContain('ok (round 4127)');
    // 31 tickets × 1000 gwei EV over the 34.4 s watched → ~54087 gwei/min; 0.499 ETH lasts 6 d 9 h at that rate
    expect(text).toMatch(/EV spent\s+~54087 gwei\/min\s+Runway\s+6d 9h/);
    expect(text).toContain('2 usable, 2 rejected (4 known)');
    expect(text).toContain('2 streams, 0 AI jobs (2 active)');
    expect(text).toMatch(/Tickets\s+0\.9\/s [▁▂▃▄▅▆▇█]{20,}/);
    expect(lines[0]).toContain('1 Overview');
    expect(lines[1]).toContain('WARNING 12:00:34 low-deposit');
    expect(lines[lines.length - 1]).toMatch(/^● live/);
    expect(lines.join('\n')).toMatchSnapshot();
  });

  it('Sessions: one row per stream with orchestrator, renditions, ok/failed, p50/p95, success and spend', () => {
    const lines = frameOf(fixtureView(), 1);
    expectFits(lines);
    const row = (id: string) => lines.find((l) => l.includes(id)) ?? '';
    // live-7f3a: 11 segments ok (6 on A, 5 on B), 1 failed for good; p50 of its 11 latencies is 830 ms
    expect(row('live-7f3a')).toMatch(/live-7f3a\s+orch-b\.test:8935\s+2\s+11\s+1\s+830ms\s+1\.3s\s+91\.6%\s+22000 gwei/);
    expect(row('cam-2')).toMatch(/cam-2\s+orch-b\.test:8935\s+3\s+4\s+0\s+950ms\s+1\.0s\s+100%\s+8000 gwei/);
    expect(row('old-1')).toContain('1000 gwei');
    // active sessions first, the ended one last
    expect(lines.findIndex((l) => l.includes('old-1'))).toBeGreaterThan(lines.findIndex((l) => l.includes('live-7f3a')));
    expect(lines.join('\n')).toMatchSnapshot();
  });

  it('Session detail: segment timeline, the failover and the tickets of one stream', () => {
    const lines = frameOf(fixtureView('live-7f3a'), 1, { detail: 'live-7f3a' });
    expectFits(lines);
    const text = lines.join('\n');
    expect(text).toContain('Session live-7f3a (stream)');
    expect(text).toContain('Profiles  720p30fps, 360p30fps · fees');
    // 12 settled segments, oldest first: 11 ok and the last one failed
    expect(text).toContain(`Timeline  ${'▆'.repeat(11)}×`);
    expect(text).toMatch(/11\s+\d\d:\d\d:\d\d\s+orch-b\.test:8935\s+FAIL\s+—\s+2\s+segment timed out/);
    // segment 6 needed a second attempt on B after A was busy
    expect(text).toMatch(/\s6\s+12:00:1\d\s+orch-b\.test:8935\s+ok\s+880ms\s+2/);
    expect(text).toMatch(/orch-a\.test:8935\s+→\s+orch-b\.test:8935\s+OrchestratorBusy\s+2/);
    expect(text).toContain('Tickets (newest of 11)');
    expect(text).toMatchSnapshot();
  });

  it('Orchestrators: price vs cap, success, in-use count, suspension with penalty, reject reasons', () => {
    const lines = frameOf(fixtureView(), 2);
    expectFits(lines);
    const text = lines.join('\n');
    expect(text).toContain('1 usable · 1 suspended · 2 rejected · cap 1.5 wei/px');
    expect(text).toMatch(/orch-b\.test:8935\s+1 ≤ cap\s+—\s+90\.9%\s+2 in use/);
    expect(text).toMatch(/orch-a\.test:8935\s+1\.2 ≤ cap\s+—\s+85\.7%\s+0 suspended penalty 3/);
    expect(text).toMatch(/orch-c\.test:8935 .*rejected\s+price too high/);
    expect(text).toMatch(/orch-d\.test:8935 .*rejected\s+unreachable/);
    // the selected row's detail line carries what the columns had no room for
    expect(text).toContain('0xbbbb…2222 · 1 wei/px (cap 1.5 wei/px)');
    expect(text).toMatchSnapshot();
  });

  it('Failovers: the row names the stream and both orchestrators, with reason and attempt', () => {
    const lines = frameOf(fixtureView(), 3);
    expectFits(lines);
    const row = lines.find((l) => l.includes('→')) ?? '';
    expect(row).toMatch(/12:00:15\s+live-7f3a\s+orch-a\.test:8935 → orch-b\.test:8935\s+OrchestratorBusy\s+2$/);
    expect(lines.join('\n')).toMatchSnapshot();
  });

  it('Tickets: sparklines, totals per orchestrator, recent tickets with nonce, face value, win prob and EV', () => {
    const lines = frameOf(fixtureView(), 4);
    expectFits(lines);
    const text = lines.join('\n');
    expect(text).toMatch(/Tickets\/s\s+0\.9\s+[▁▂▃▄▅▆▇█]{30,}/);
    expect(text).toMatch(/EV\/s\s+~901 gwei\/s\s+[▁▂▃▄▅▆▇█]{30,}/);
    expect(text).toContain('31 tickets · EV 31000 gwei');
    expect(text).toMatch(/0xbbbb…2222\s+orch-b\.test:8935\s+19\s+19000 gwei/);
    expect(text).toMatch(/0xaaaa…1111\s+orch-a\.test:8935\s+12\s+12000 gwei/);
    expect(text).toMatch(/12:00:28\s+cam-2\s+0xbbbb…2222\s+17–18\s+0\.001 ETH\s+1\/1000\s+2000 gwei/);
    expect(text).toContain('Redeemed   0.001 ETH drawn from the deposit');
    expect(text).toMatchSnapshot();
  });

  it('Log: info and above by default, newest last', () => {
    const lines = frameOf(fixtureView(), 5);
    expectFits(lines);
    const text = lines.join('\n');
    expect(text).toContain('[daemon] gw daemon started');
    expect(text).toContain('ERROR [transcode] live-7f3a segment 11 failed');
    expect(text).not.toContain('DEBUG');
    expect(lines.findIndex((l) => l.includes('ERROR'))).toBeGreaterThan(lines.findIndex((l) => l.includes('suspending')));
    expect(text).toMatchSnapshot();
  });

  it('DaemonDown: a clear screen with the data dir, the error and the retry countdown', () => {
    const now = fixtureView().now;
    const view = fixtureView(null, { state: 'down', attempt: 4, since: 0, lastError: 'the gw daemon is not running (data dir /home/op/.local/state/gw). Start it with `gw start`.', nextRetryAt: now + 2500 });
    const lines = frameOf(view, 0);
    expectFits(lines);
    const text = lines.join('\n');
    expect(text).toContain('The gw daemon is not answering.');
    expect(text).toContain(`Data dir    ${DATA_DIR}`);
    expect(text).toContain('× daemon down, retry in 3s');
    expect(text).not.toContain('Deposit');
    expect(text).toMatchSnapshot();
  });

  it('keeps the last data on screen while reconnecting, with the countdown in the status bar', () => {
    const now = fixtureView().now;
    const lines = frameOf(fixtureView(null, { state: 'reconnecting', attempt: 2, since: 0, lastError: 'event stream broke', nextRetryAt: now + 1200 }), 1);
    expectFits(lines);
    expect(lines.join('\n')).toContain('live-7f3a');
    expect(lines[lines.length - 1]).toMatch(/^↻ reconnecting in 2s \(try 2\)/);
  });

  it('stays within narrower and wider terminals', () => {
    for (const [w, h] of [
      [60, 20],
      [100, 30],
      [132, 40],
    ] as const) {
      for (let tab = 0; tab < 7; tab++) expectFits(frameOf(fixtureView(), tab, { width: w, height: h }), w, h);
    }
    // at 132 columns the orchestrator table has room for the address and latency columns
    expect(frameOf(fixtureView(), 2, { width: 132, height: 30 }).join('\n')).toMatch(/orch-b\.test:8935\s+0xbbbb…2222\s+1 ≤ cap\s+—\s+888ms/);
  });

  it('help overlay lists the keys', () => {
    const view = fixtureView();
    const { lastFrame, stdin } = render(<App view={view} dataDir={DATA_DIR} theme={theme} width={80} height={24} interactive />);
    stdin.write('?');
    // Ink renders the key's effect on a later turn: wait for that frame, not a fixed time.
    return vi.waitFor(() => {
      const lines = frameLines(lastFrame());
      expectFits(lines);
      expect(lines.join('\n')).toContain('pause / resume the display');
    });
  });
});
