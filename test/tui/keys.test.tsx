import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Dashboard } from '../../src/tui/Dashboard.js';
import { LiveStore } from '../../src/tui/liveStore.js';
import { recordedEvents } from './fixture.js';
import { fixtureStore, frameLines, tick, widthOf } from './helpers.js';

const KEY = { tab: '\t', shiftTab: '\u001b[Z', right: '\u001b[C', left: '\u001b[D', down: '\u001b[B', up: '\u001b[A', enter: '\r', escape: '\u001b' };

function setup() {
  const { store, now } = fixtureStore();
  const calls = { quit: 0, focus: [] as Array<string | null> };
  const r = render(
    <Dashboard
      store={store}
      dataDir="/tmp/gw"
      theme={{ color: false }}
      width={80}
      height={24}
      interactive
      tickMs={0}
      now={() => now}
      onQuit={() => calls.quit++}
      onFocus={(id) => calls.focus.push(id)}
    />,
  );
  const frame = () => frameLines(r.lastFrame()).join('\n');
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await tick(k === KEY.escape ? 120 : 15);
    }
    await tick(30);
  };
  return { store, r, frame, press, calls, now };
}

afterEach(() => cleanup());

describe('keyboard', () => {
  it('Tab, Shift+Tab, arrows and number keys switch panels', async () => {
    const { frame, press } = setup();
    expect(frame()).toContain('Gateway   on-chain');
    await press(KEY.tab);
    expect(frame()).toContain('Sessions  2 active · 3 total');
    await press(KEY.tab);
    expect(frame()).toContain('Orchestrators  1 usable');
    await press(KEY.right);
    expect(frame()).toContain('Failovers  1 (newest first)');
    await press(KEY.left, KEY.shiftTab);
    expect(frame()).toContain('Sessions  2 active');
    await press('5');
    expect(frame()).toContain('Recent tickets (16)');
    await press('6');
    expect(frame()).toContain('Log  level ≥ info');
    await press(KEY.tab);
    expect(frame()).toContain('Live AI  0 running · 0 total');
    await press(KEY.tab);
    expect(frame()).toContain('Gateway   on-chain');
    await press('7');
    expect(frame()).toContain('Live AI  0 running');
  });

  it('Enter opens the selected session, Esc closes it; the feed is told which session to poll', async () => {
    const { frame, press, calls } = setup();
    await press('2', KEY.down, KEY.enter);
    expect(frame()).toContain('Session live-7f3a (stream)');
    expect(frame()).toContain('Timeline  ▆▆▆');
    expect(calls.focus).toEqual(['live-7f3a']);
    await press(KEY.escape);
    expect(frame()).toContain('Sessions  2 active');
    expect(calls.focus).toEqual(['live-7f3a', null]);
  });

  it('/ filters the rows of the panel; Esc clears the filter', async () => {
    const { frame, press } = setup();
    await press('2', '/', 'c', 'a', 'm', KEY.enter);
    const filtered = frame();
    expect(filtered).toContain('1 match');
    expect(filtered).toContain('cam-2');
    expect(filtered).not.toContain('live-7f3a');
    expect(filtered).toContain('/cam');
    await press(KEY.escape);
    expect(frame()).toContain('live-7f3a');
  });

  it('l cycles the log level filter', async () => {
    const { frame, press } = setup();
    await press('6');
    expect(frame()).toContain('INFO  [daemon] gw daemon started');
    expect(frame()).not.toContain('DEBUG');
    await press('l');
    expect(frame()).toContain('level ≥ warn');
    expect(frame()).not.toContain('INFO ');
    await press('l');
    expect(frame()).toContain('level ≥ error');
    expect(frame()).not.toContain('WARN  [');
    expect(frame()).toContain('ERROR [transcode]');
    await press('l');
    expect(frame()).toContain('level ≥ debug');
    expect(frame()).toContain('DEBUG [transcode] segment 5 took 1340 ms');
  });

  it('keys typed faster than the screen renders are all applied', async () => {
    const { frame, r } = setup();
    r.stdin.write('2');
    r.stdin.write(KEY.down);
    r.stdin.write(KEY.enter);
    await tick(60);
    expect(frame()).toContain('Session live-7f3a (stream)');
  });

  it('p freezes the display while events keep arriving; p again shows them', async () => {
    const { frame, press, store } = setup();
    await press('2', 'p');
    expect(frame()).toContain('PAUSED');
    store.event({ type: 'stream.started', seq: 1000, ts: Date.UTC(2025, 4, 1, 12, 0, 40), streamId: 'late-stream', ingest: 'rtmp', profiles: ['360p30fps'] });
    await tick(80);
    expect(frame()).not.toContain('late-stream');
    await press('p');
    expect(frame()).not.toContain('PAUSED');
    expect(frame()).toContain('late-stream');
  });

  it('x hides the alert banner, ? shows help, q quits', async () => {
    const { frame, press, calls } = setup();
    expect(frame()).toContain('low-deposit');
    await press('x');
    expect(frame()).not.toContain('low-deposit');
    await press('?');
    expect(frame()).toContain('Keys');
    for (const l of frameLines(frame())) expect(widthOf(l)).toBeLessThanOrEqual(80);
    await press('q');
    expect(calls.quit).toBe(1);
  });
});

describe('render coalescing', () => {
  it('reports at most ~10 changes a second however many events arrive, the first at once', async () => {
    const store = new LiveStore(100);
    let reports = 0;
    store.subscribe(() => reports++);
    const events = recordedEvents();
    const started = performance.now();
    store.event(events[0]!);
    await tick(5);
    expect(reports).toBe(1);
    // 10 bursts of 200 events, 50 ms apart: 2000 events in ~0.5 s
    for (let b = 0; b < 10; b++) {
      for (let i = 0; i < 200; i++) store.event({ ...events[(b * 200 + i) % events.length]!, seq: 10 + b * 200 + i });
      await tick(50);
    }
    await tick(150);
    const seconds = (performance.now() - started) / 1000;
    expect(store.state.eventsApplied).toBe(2001);
    expect(reports).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 1);
    expect(reports).toBeGreaterThanOrEqual(4);
    // one interval plus timer slack on a busy machine
    expect(store.lastLagMs).toBeLessThanOrEqual(300);
    store.close();
  });
});
