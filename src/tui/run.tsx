/**
 * Starts the interactive dashboard: the feed fills the live store, Ink renders it on the alternate screen,
 * and everything is torn down when the operator quits (q, Ctrl+C) or the process is signalled.
 */
import { render } from 'ink';
import type { ControlClient } from '../api/controlClient.js';
import { Dashboard } from './Dashboard.js';
import { installInkFrameCache } from './inkFrameCache.js';
import { DashboardFeed } from './feed.js';
import { LiveStore } from './liveStore.js';

export interface RunDashboardOptions {
  readonly clientFactory: () => ControlClient;
  readonly dataDir: string;
  readonly color: boolean;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  readonly signal?: AbortSignal;
  /** Snapshot period (default 2 s). */
  readonly pollMs?: number;
}

const ALT_SCREEN_ON = '\u001b[?1049h\u001b[H';
const ALT_SCREEN_OFF = '\u001b[?1049l';

/** Runs the dashboard until the operator quits. */
export async function runDashboard(opts: RunDashboardOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  await installInkFrameCache();
  const ac = new AbortController();
  opts.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  const store = new LiveStore();
  const feed = new DashboardFeed({ clientFactory: opts.clientFactory, sink: store, signal: ac.signal, pollMs: opts.pollMs });
  const feedDone = feed.run();
  const alt = stdout.isTTY === true;
  if (alt) stdout.write(ALT_SCREEN_ON);
  const instance = render(
    <Dashboard store={store} onFocus={(id) => feed.setFocus(id)} dataDir={opts.dataDir} theme={{ color: opts.color }} onQuit={() => ac.abort()} />,
    // an explicit `stdin: undefined` would replace Ink's default (process.stdin) and nothing would render
    { stdout, ...(opts.stdin ? { stdin: opts.stdin } : {}), exitOnCtrlC: true, maxFps: 30 },
  );
  const stop = () => instance.unmount();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  ac.signal.addEventListener('abort', stop, { once: true });
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ac.abort();
    store.close();
    await feedDone;
    if (alt) stdout.write(ALT_SCREEN_OFF);
  }
}
