// The Live AI tab: GET /v1/live snapshots folded into the state, the rows and overview line derived from them, the
// panel at 80 and 132 columns, and keyboard selection with the footer following it.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveStreamView } from '../../src/api/contract.js';
import { App } from '../../src/tui/components/App.js';
import { tabLabels } from '../../src/tui/components/TabBar.js';
import { Dashboard } from '../../src/tui/Dashboard.js';
import { LiveStore } from '../../src/tui/liveStore.js';
import { plainStatus } from '../../src/tui/plain.js';
import { createDashboardState } from '../../src/tui/store/dashboardState.js';
import { applySnapshot, markDaemonRestarted } from '../../src/tui/store/reduce.js';
import { buildView } from '../../src/tui/store/view.js';
import { frameLines, LIVE, tick, widthOf } from './helpers.js';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const NOW = T0 + 95_000;
const iso = (ms: number) => new Date(ms).toISOString();

function stream(over: Partial<LiveStreamView> & { stream: string }): LiveStreamView {
  return {
    streamId: `${over.stream}-id`,
    requestId: 'req1',
    pipeline: 'devnet/hue',
    params: {},
    state: 'running',
    runnerState: 'ONLINE',
    orchestrator: { url: 'https://orch-a.test:8935', address: '0x1111111111111111111111111111111111111111', manifestId: 'm1' },
    source: 'rtmp',
    startedAt: iso(T0),
    endedAt: null,
    endReason: null,
    inputSegments: 40,
    outputSegments: 39,
    inputFps: 15,
    outputFps: 14.8,
    latencyMs: 181,
    audioReencodeMs: null,
    swaps: [],
    ticketsSent: 12,
    spentWei: '12000000000000',
    hlsUrl: `http://127.0.0.1:9935/stream/${over.stream}-out.m3u8`,
    rtmpOutputs: [],
    ...over,
  };
}

const STREAMS: LiveStreamView[] = [
  stream({ stream: 'old', state: 'ended', runnerState: null, orchestrator: null, endedAt: iso(T0 + 30_000), endReason: 'source ended', spentWei: '0' }),
  stream({
    stream: 'cam-live',
    params: { hue: 90 },
    swaps: [{ at: iso(T0 + 60_000), from: 'https://orch-b.test:8935', to: 'https://orch-a.test:8935', reason: 'no output for 5s', gapMs: 900 }],
  }),
];

function state(live: LiveStreamView[] = STREAMS) {
  const st = createDashboardState();
  applySnapshot(st, { at: NOW, live });
  return st;
}

afterEach(() => cleanup());

describe('Live AI: store and view', () => {
  it('takes the polled list whole; running streams come first; rows carry fps, latency, swaps, spend and params', () => {
    const view = buildView(state(), LIVE, NOW);
    expect(view.live.map((r) => r.key)).toEqual(['cam-live', 'old']);
    expect(view.live[0]).toMatchObject({
      pipeline: 'devnet/hue',
      orchestrator: 'orch-a.test:8935',
      state: 'running',
      runner: 'ONLINE',
      fps: '15.0/14.8',
      latency: '181ms',
      swaps: '1',
      lastSwap: 'no output for 5s',
      lastSwapDetail: 'orch-b.test:8935 → orch-a.test:8935: no output for 5s',
      spend: '12000 gwei',
      params: '{"hue":90}',
      age: '1m 35s',
      active: true,
    });
    expect(view.live[1]).toMatchObject({ orchestrator: '—', runner: '—', active: false, age: '30s', endReason: 'source ended', spend: '0' });
    expect(view.overview.live).toBe('1 running, 1 ended · 1 swap');
  });

  it('says why there is nothing: not polled yet, a daemon without /v1/live, or a restart', () => {
    const st = createDashboardState();
    expect(buildView(st, LIVE, NOW).overview.live).toBe('—');
    applySnapshot(st, { at: NOW, missing: ['live'] });
    expect(buildView(st, LIVE, NOW).overview.live).toMatch(/no live AI/);
    const polled = state();
    markDaemonRestarted(polled, NOW);
    expect(polled.liveStreams).toBeNull();
    expect(buildView(polled, LIVE, NOW).live).toEqual([]);
  });

  it('the plain (non-TTY) status block names the live streams', () => {
    expect(plainStatus(buildView(state(), LIVE, NOW), '/tmp/gw')).toContain('live AI 1 running, 1 ended · 1 swap: cam-live running devnet/hue, old ended devnet/hue');
  });

  it('keeps control characters from the daemon off the terminal', () => {
    const view = buildView(state([stream({ stream: 'evil\u001b[2J', params: { p: 'a\nb' } })]), LIVE, NOW);
    expect(view.live[0]!.stream).toBe('evil [2J');
    expect(view.live[0]!.params).toBe('{"p":"a\\nb"}');
  });
});

describe('Live AI panel', () => {
  const frame = (width: number, height = 24) => {
    const { lastFrame } = render(<App view={buildView(state(), LIVE, NOW)} dataDir="/tmp/gw" theme={{ color: false }} width={width} height={height} initialTab={6} interactive={false} />);
    return frameLines(lastFrame());
  };

  it('80 columns: one row per stream with pipeline, orchestrator, state, fps, latency, swaps and spend; the selected one in the footer', () => {
    const lines = frame(80);
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const l of lines) expect(widthOf(l), l).toBeLessThanOrEqual(80);
    const text = lines.join('\n');
    expect(lines[0]).toContain('7 Live AI');
    expect(text).toContain('Live AI  1 running · 2 total');
    // the orchestrator column is the narrowest at 80 columns: cut in the middle, whole in the footer
    expect(text).toMatch(/cam-live\s+devnet\/hue\s+orch-a…:8935\s+running\s+15\.0\/14\.8\s+181ms\s+1\s+12000 gwei/);
    expect(text).toMatch(/old\s+devnet\/hue\s+—\s+ended\s+15\.0\/14\.8/);
    expect(text).toContain('cam-live (id cam-live-id) on orch-a.test:8935 · runner ONLINE · up 1m 35s');
    expect(text).toContain('HLS http://127.0.0.1:9935/stream/cam-live-out.m3u8');
    expect(text).toContain('params {"hue":90} · last swap orch-b.test:8935 → orch-a.test:8935');
  });

  it('132 columns add the runner state, the last swap reason and the params', () => {
    const lines = frame(132, 30);
    for (const l of lines) expect(widthOf(l), l).toBeLessThanOrEqual(132);
    expect(lines.join('\n')).toMatch(/cam-live\s+devnet\/hue\s+orch-a\.test:8935\s+running\s+ONLINE\s+15\.0\/14\.8\s+181ms\s+1\s+12000 gwei\s+no output for …\s+\{"hue":90\}/);
  });

  it('an empty list says how to start a stream', () => {
    const { lastFrame } = render(<App view={buildView(state([]), LIVE, NOW)} dataDir="/tmp/gw" theme={{ color: false }} width={80} height={24} initialTab={6} interactive={false} />);
    expect(frameLines(lastFrame()).join('\n')).toContain('no live AI streams: publish RTMP to rtmp://<gateway>/ai/<stream>');
  });

  it('the tab bar shortens the longest titles first and keeps every number', () => {
    expect(tabLabels(120).join(' ')).toBe('1 Overview 2 Sessions 3 Orchestrators 4 Failovers 5 Tickets 6 Log 7 Live AI');
    expect(tabLabels(80).join(' ')).toBe('1 Overview 2 Sessions 3 Orch 4 Failovers 5 Tickets 6 Log 7 Live AI');
    expect(tabLabels(30)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });
});

describe('Live AI keys', () => {
  it('7 opens the tab, ↓ moves the selection and the footer follows; the overview counts the streams', async () => {
    const store = new LiveStore(0);
    store.snapshot({ at: NOW, live: STREAMS });
    store.connection(LIVE);
    const r = render(<Dashboard store={store} dataDir="/tmp/gw" theme={{ color: false }} width={80} height={24} interactive tickMs={0} now={() => NOW} />);
    const text = () => frameLines(r.lastFrame()).join('\n');
    expect(text()).toMatch(/Live AI\s+1 running, 1 ended · 1 swap/);
    r.stdin.write('7');
    await tick(40);
    expect(text()).toContain('› cam-live');
    r.stdin.write('j');
    await tick(40);
    expect(text()).toContain('› old');
    expect(text()).toContain('ended: source ended');
  });
});
