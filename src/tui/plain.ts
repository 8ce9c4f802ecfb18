/**
 * The dashboard without a terminal: a compact status block every few seconds (or once), for pipes, logs,
 * CI and `watch`. Same data as the full-screen app: the feed fills a store, a view is derived from it.
 */
import type { ControlClient } from '../api/controlClient.js';
import { sleep } from '../lib/sleep.js';
import { DashboardFeed, fetchSnapshot } from './feed.js';
import { LiveStore } from './liveStore.js';
import { createDashboardState, type SnapshotPart } from './store/dashboardState.js';
import { formatClock, truncate } from './store/format.js';
import { applySnapshot } from './store/reduce.js';
import { buildView, type ConnectionInfo, type DashboardView } from './store/view.js';

const WIDTH = 200;

/** The plain status block for one view (pure). */
export function plainStatus(view: DashboardView, dataDir: string): string {
  const c = view.connection;
  const at = formatClock(view.now);
  if (c.state !== 'live' && !view.hasData) {
    return `${at} gw daemon ${c.state === 'connecting' ? 'not reached yet' : 'down'} (data dir ${dataDir})${c.lastError ? `: ${c.lastError}` : ''}`;
  }
  const o = view.overview;
  const lines = [
    `${at} gw ${o.version} ${o.mode} (${o.network}) · ${c.state}${c.state === 'live' ? '' : c.lastError ? ` (${c.lastError})` : ''} · up ${o.uptime}${o.draining ? ' · draining' : ''}`,
    `  orchestrators ${o.orchestrators} · sessions ${o.sessions}`,
    `  deposit ${o.deposit} · reserve ${o.reserve} · sender ${o.senderState}`,
    `  EV ${o.evPerMinute} · runway ${o.runway} · tickets ${o.ticketsPerSec}/s · ${view.tickets.totalTickets} tickets, EV ${view.tickets.totalEv} in total`,
  ];
  if (view.live.length > 0) lines.push(`  live AI ${o.live}: ${view.live.map((l) => `${l.stream} ${l.state} ${l.pipeline}`).join(', ')}`);
  const f = view.failovers[0];
  if (f) lines.push(`  failovers ${view.failovers.length}, last ${f.at} ${f.sessionId}: ${f.from} → ${f.to} (${f.reason})`);
  for (const a of view.alerts) lines.push(`  ALERT ${a.severity} ${a.alert}: ${a.message} (${a.at})`);
  return lines.map((l) => truncate(l, WIDTH)).join('\n');
}

export interface PlainOptions {
  readonly clientFactory: () => ControlClient;
  readonly dataDir: string;
  /** Between blocks, ms. */
  readonly intervalMs: number;
  readonly once: boolean;
  readonly write: (text: string) => void;
  readonly signal: AbortSignal;
}

/** Prints status blocks until the signal aborts (or one, with `once`). Returns the exit code: 1 when `once` found no daemon. */
export async function runPlain(opts: PlainOptions): Promise<number> {
  if (opts.once) return printOnce(opts);
  const store = new LiveStore(0);
  const feed = new DashboardFeed({ clientFactory: opts.clientFactory, sink: store, signal: opts.signal });
  const done = feed.run();
  // give the first connection a moment so the first block is not an empty "connecting"
  await waitFor(() => store.connectionInfo.state !== 'connecting', 1500, opts.signal);
  while (!opts.signal.aborted) {
    opts.write(plainStatus(buildView(store.state, store.connectionInfo, Date.now()), opts.dataDir));
    await sleep(opts.intervalMs, opts.signal);
  }
  store.close();
  await done;
  return 0;
}

async function printOnce(opts: PlainOptions): Promise<number> {
  const state = createDashboardState();
  let connection: ConnectionInfo;
  try {
    const client = opts.clientFactory();
    const { snapshot, lost } = await fetchSnapshot(client, { missing: new Set<SnapshotPart>(), signal: opts.signal });
    if (lost) throw new Error(lost);
    applySnapshot(state, snapshot);
    connection = { state: 'live', attempt: 0, since: Date.now(), url: client.baseUrl };
  } catch (err) {
    connection = { state: 'down', attempt: 1, since: Date.now(), lastError: (err as Error).message };
  }
  opts.write(plainStatus(buildView(state, connection, Date.now()), opts.dataDir));
  return connection.state === 'live' ? 0 : 1;
}

async function waitFor(cond: () => boolean, ms: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline && !signal.aborted) await sleep(25, signal);
}
