import { Box, Text, useApp, useInput, useStdin, useStdout, type Key } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import { truncate } from '../store/format.js';
import type { DashboardView } from '../store/view.js';
import { filterRows } from '../store/filter.js';
import { AlertBanner } from './AlertBanner.js';
import { DaemonDown } from './DaemonDown.js';
import { FailoversPanel } from './FailoversPanel.js';
import { HelpOverlay } from './HelpOverlay.js';
import { handleKey, initialUi, type KeyContext, type UiState } from './keymap.js';
import { LivePanel } from './LivePanel.js';
import { filterLevel } from './logLevels.js';
import { LogPanel } from './LogPanel.js';
import { OrchestratorsPanel } from './OrchestratorsPanel.js';
import { OverviewPanel } from './OverviewPanel.js';
import { SessionDetail } from './SessionDetail.js';
import { SessionsPanel } from './SessionsPanel.js';
import { StatusBar } from './StatusBar.js';
import { TabBar } from './TabBar.js';
import type { Theme } from './theme.js';
import { TicketsPanel } from './TicketsPanel.js';

export interface AppProps {
  readonly view: DashboardView;
  readonly dataDir: string;
  readonly theme: Theme;
  /** Fixed size (tests); by default the terminal's, following resizes. */
  readonly width?: number;
  readonly height?: number;
  /** Read keys; by default only when stdin supports raw mode (Ink's useInput throws otherwise). */
  readonly interactive?: boolean;
  readonly initialTab?: number;
  /** A session whose detail starts open (tests, deep links). */
  readonly initialDetail?: string;
  readonly onQuit?: () => void;
  /** The session whose detail is open (null when closed), so its detail can be fetched. */
  readonly onFocusSession?: (id: string | null) => void;
  readonly onDismissAlerts?: () => void;
}

const MIN_W = 20;
const MIN_H = 6;

/** Terminal size, re-read on every resize. */
function useTerminalSize(fixedW?: number, fixedH?: number): { width: number; height: number } {
  const { stdout } = useStdout();
  const [, bump] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    stdout.on('resize', bump);
    return () => {
      stdout.off('resize', bump);
    };
  }, [stdout]);
  // one line short of the terminal: a frame of exactly its height makes Ink clear the whole screen each time
  const width = fixedW ?? (stdout.columns || 80);
  const height = fixedH ?? (stdout.rows ? stdout.rows - 1 : 24);
  return { width: Math.max(MIN_W, width), height: Math.max(MIN_H, height) };
}

/** The dashboard: tab bar, alert banners, one panel, status bar; all keys are handled here. */
export function App(props: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { width, height } = useTerminalSize(props.width, props.height);
  const [ui, setUi] = useState<UiState>(() => initialUi(props.initialTab ?? 0, props.initialDetail ?? null));
  // keys are folded into the latest state, not the one of the last render (fast typing, pastes)
  const uiRef = useRef(ui);
  const frozen = useRef<DashboardView | null>(null);

  const view = ui.paused && frozen.current ? frozen.current : props.view;
  const tab = ui.tab;
  const sessions = filterRows(view.sessions, ui.filters[1] ?? '');
  const orchestrators = filterRows(view.orchestrators, ui.filters[2] ?? '');
  const failovers = filterRows(view.failovers, ui.filters[3] ?? '');
  const tickets = filterRows(view.tickets.recent, ui.filters[4] ?? '');
  const logs = filterRows(filterLevel(view.logs, ui.minLevel), ui.filters[5] ?? '');
  const live = filterRows(view.live, ui.filters[6] ?? '');
  const ctx = useRef<KeyContext>({ counts: [], sessionKeys: [] });
  ctx.current = { counts: [0, sessions.length, orchestrators.length, failovers.length, tickets.length, logs.length, live.length], sessionKeys: sessions.map((s) => s.key) };
  const latestView = useRef(props.view);
  latestView.current = props.view;

  const onKey = (input: string, key: Key) => {
    const { ui: next, effects } = handleKey(uiRef.current, input, key, ctx.current);
    uiRef.current = next;
    setUi(next);
    for (const e of effects) {
      if (e.type === 'quit') {
        props.onQuit?.();
        exit();
      } else if (e.type === 'focus') props.onFocusSession?.(e.id);
      else if (e.type === 'dismiss') props.onDismissAlerts?.();
      else if (e.type === 'pause') frozen.current = e.paused ? latestView.current : null;
    }
  };
  useInput(onKey, { isActive: props.interactive ?? isRawModeSupported });
  const sel = (t: number) => Math.min(ui.selected[t] ?? 0, Math.max(0, (ctx.current.counts[t] ?? 0) - 1));
  const detail = ui.detail;
  const help = ui.help;
  const paused = ui.paused;
  const filter = ui.filters[tab] ?? '';
  const typing = ui.typing;
  const minLevel = ui.minLevel;
  const logAnchor = ui.logAnchor;

  const alerts = view.alerts.slice(0, height > 12 ? 2 : 1);
  const bodyH = Math.max(1, height - 2 - alerts.length);
  const conn = view.connection;
  const down = conn.state === 'down' || (conn.state !== 'live' && !view.hasData);
  let body;
  if (help) body = <HelpOverlay width={width} height={bodyH} />;
  else if (down && conn.state === 'connecting') body = <Text>{truncate(' Connecting to the gw daemon…', width)}</Text>;
  else if (down) body = <DaemonDown connection={conn} dataDir={props.dataDir} now={view.now} width={width} height={bodyH} theme={props.theme} />;
  else if (tab === 0) body = <OverviewPanel overview={view.overview} width={width} height={bodyH} theme={props.theme} />;
  else if (tab === 1 && detail && view.detail && view.detail.row.key === detail) body = <SessionDetail detail={view.detail} width={width} height={bodyH} theme={props.theme} />;
  else if (tab === 1)
    body = <SessionsPanel rows={sessions} total={view.sessions.length} selected={sel(1)} width={width} height={bodyH} theme={props.theme} />;
  else if (tab === 2)
    body = (
      <OrchestratorsPanel
        rows={orchestrators}
        total={view.orchestrators.length}
        cap={view.cap}
        selected={sel(2)}
        width={width}
        height={bodyH}
        theme={props.theme}
        missing={view.missing.includes('orchestrators')}
      />
    );
  else if (tab === 3) body = <FailoversPanel rows={failovers} total={view.failovers.length} selected={sel(3)} width={width} height={bodyH} theme={props.theme} />;
  else if (tab === 4) body = <TicketsPanel tickets={view.tickets} recent={tickets} selected={sel(4)} width={width} height={bodyH} theme={props.theme} />;
  else if (tab === 5) body = <LogPanel rows={logs} minLevel={minLevel} anchor={logAnchor} width={width} height={bodyH} theme={props.theme} />;
  else body = <LivePanel rows={live} total={view.live.length} selected={sel(6)} width={width} height={bodyH} theme={props.theme} missing={view.missing.includes('live')} />;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <TabBar active={tab} width={width} theme={props.theme} />
      {alerts.map((a, i) => (
        <AlertBanner key={`${a.at}-${i}`} alert={a} width={width} theme={props.theme} />
      ))}
      <Box height={bodyH} width={width} flexDirection="column">
        {body}
      </Box>
      <StatusBar connection={conn} now={view.now} paused={paused} filter={filter} typing={typing} events={view.eventsApplied} width={width} theme={props.theme} />
    </Box>
  );
}
