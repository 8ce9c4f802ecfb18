import { stripVTControlCharacters } from 'node:util';
import { createDashboardState, type DashboardState } from '../../src/tui/store/dashboardState.js';
import { applyEvent, applySnapshot } from '../../src/tui/store/reduce.js';
import { LiveStore } from '../../src/tui/liveStore.js';
import { buildView, type ConnectionInfo, type DashboardView } from '../../src/tui/store/view.js';
import { fixtureNow, recordedEvents, SNAPSHOT } from './fixture.js';

export const LIVE: ConnectionInfo = { state: 'live', attempt: 0, since: 0, url: 'http://127.0.0.1:5935' };

/** The recorded fixture folded through the reducer. */
export function fixtureState(): { state: DashboardState; now: number } {
  const state = createDashboardState();
  applySnapshot(state, SNAPSHOT);
  const events = recordedEvents();
  for (const ev of events) applyEvent(state, ev);
  return { state, now: fixtureNow(events) };
}

/** A live store (no coalescing) holding the recorded fixture, connected. */
export function fixtureStore(): { store: LiveStore; now: number } {
  const store = new LiveStore(0);
  store.snapshot(SNAPSHOT);
  const events = recordedEvents();
  for (const ev of events) store.event(ev);
  store.connection(LIVE);
  return { store, now: fixtureNow(events) };
}

/** The fixture's view at its "now". */
export function fixtureView(focus: string | null = null, connection: ConnectionInfo = LIVE): DashboardView {
  const { state, now } = fixtureState();
  return buildView(state, connection, now, focus);
}

/** Lines of a frame without escape codes. */
export function frameLines(frame: string | undefined): string[] {
  return stripVTControlCharacters(frame ?? '').split('\n');
}

/** Display width of a line (every character the dashboard prints is one column wide). */
export function widthOf(line: string): number {
  return [...line].length;
}

export const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
