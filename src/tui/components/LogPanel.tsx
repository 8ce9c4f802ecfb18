import { Box } from 'ink';
import { truncate } from '../store/format.js';
import type { LogRow } from '../store/view.js';
import { Lines, type Line } from './Lines.js';
import type { LogLevel } from './logLevels.js';
import { tone, type Theme } from './theme.js';

export interface LogPanelProps {
  /** Already filtered by level and text, oldest first. */
  readonly rows: readonly LogRow[];
  readonly minLevel: LogLevel;
  /** Index of the last row to show (scrolling back), or -1 to follow the tail. */
  readonly anchor: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** Panel 6: the daemon's log lines as they arrive (events of type 'log'), newest at the bottom. */
export function LogPanel(p: LogPanelProps) {
  const body = Math.max(0, p.height - 1);
  const last = p.anchor < 0 || p.anchor >= p.rows.length ? p.rows.length - 1 : p.anchor;
  const start = Math.max(0, last - body + 1);
  const visible = p.rows.slice(start, last + 1);
  const follow = p.anchor < 0 ? 'following' : `scrolled back (${p.rows.length - 1 - last} newer)`;
  const color = (l: LogRow['level']) => (l === 'error' ? tone(p.theme, 'red') : l === 'warn' ? tone(p.theme, 'yellow') : undefined);
  const lines: Line[] = [
    { text: truncate(`Log  level ≥ ${p.minLevel} (l changes) · ${p.rows.length} lines · ${follow}`, p.width), bold: true },
    ...visible.map((r) => ({ text: truncate(`${r.at} ${r.level.toUpperCase().padEnd(5)} ${r.module ? `[${r.module}] ` : ''}${r.msg}`, p.width), color: color(r.level), dim: r.level === 'debug' })),
  ];
  if (p.rows.length === 0) lines.push({ text: '  no log lines at this level yet', dim: true });
  return (
    <Box flexDirection="column" width={p.width} height={p.height}>
      <Lines lines={lines.slice(0, p.height)} />
    </Box>
  );
}
