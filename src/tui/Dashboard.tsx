import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { App } from './components/App.js';
import type { Theme } from './components/theme.js';
import type { LiveStore } from './liveStore.js';
import { buildView } from './store/view.js';

export interface DashboardProps {
  readonly store: LiveStore;
  /** Told which session's detail is open, to poll it. */
  readonly onFocus?: (id: string | null) => void;
  readonly dataDir: string;
  readonly theme: Theme;
  readonly onQuit?: () => void;
  /** Clock (tests pin it). */
  readonly now?: () => number;
  /** Re-render period without events, for clocks and countdowns (0: never). Default 1 s. */
  readonly tickMs?: number;
  readonly width?: number;
  readonly height?: number;
  readonly interactive?: boolean;
  /** Panel shown first (0–6). */
  readonly initialTab?: number;
}

/**
 * Binds the live store to the presentational App: subscribes to its (already coalesced) change reports,
 * derives the frame's view, and ticks once a second so uptime and "retrying in 3s" keep moving.
 */
export function Dashboard(p: DashboardProps) {
  const version = useSyncExternalStore(p.store.subscribe, p.store.getVersion);
  const [tick, setTick] = useState(0);
  const [focus, setFocus] = useState<string | null>(null);
  const tickMs = p.tickMs ?? 1000;
  useEffect(() => {
    if (tickMs <= 0) return;
    let seen = p.store.getVersion();
    const t = setInterval(() => {
      // while events flow the store's reports already re-render; the tick is for quiet times
      const v = p.store.getVersion();
      if (v !== seen) seen = v;
      else setTick((x) => x + 1);
    }, tickMs);
    return () => clearInterval(t);
  }, [tickMs, p.store]);
  const clock = p.now ?? Date.now;
  // the store mutates in place: `version` and `tick` are what say the view must be rebuilt
  const view = useMemo(() => buildView(p.store.state, p.store.connectionInfo, clock(), focus), [version, tick, focus, p.store]);
  return (
    <App
      view={view}
      dataDir={p.dataDir}
      theme={p.theme}
      width={p.width}
      height={p.height}
      interactive={p.interactive}
      initialTab={p.initialTab}
      onQuit={p.onQuit}
      onDismissAlerts={() => p.store.dismissAlerts()}
      onFocusSession={(id) => {
        setFocus(id);
        p.onFocus?.(id);
      }}
    />
  );
}
