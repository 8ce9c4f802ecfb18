import { Box, Text } from 'ink';
import { fit, truncate } from '../store/format.js';
import type { ConnectionInfo } from '../store/view.js';
import { tone, type Theme, type Tone } from './theme.js';

export interface StatusBarProps {
  readonly connection: ConnectionInfo;
  readonly now: number;
  readonly paused: boolean;
  readonly filter: string;
  readonly typing: boolean;
  readonly events: number;
  readonly width: number;
  readonly theme: Theme;
}

/** "reconnecting in 2s (try 3)" and friends. */
export function connectionText(c: ConnectionInfo, now: number): { text: string; tone: Tone } {
  const wait = c.nextRetryAt === undefined ? undefined : Math.max(0, Math.ceil((c.nextRetryAt - now) / 1000));
  const retry = wait === undefined ? '' : wait > 0 ? ` in ${wait}s` : ' now';
  switch (c.state) {
    case 'live':
      return { text: '● live', tone: 'green' };
    case 'connecting':
      return { text: '○ connecting…', tone: 'yellow' };
    case 'reconnecting':
      return { text: `↻ reconnecting${retry} (try ${c.attempt})`, tone: 'yellow' };
    case 'down':
      return { text: `× daemon down, retry${retry}`, tone: 'red' };
  }
}

/** The bottom line: connection state, pause, filter, event count and the two keys everyone needs. */
export function StatusBar(p: StatusBarProps) {
  const conn = connectionText(p.connection, p.now);
  const mid = [p.connection.state === 'live' && p.connection.url ? p.connection.url : '', p.paused ? 'PAUSED (p resumes)' : '', p.typing || p.filter ? `/${p.filter}${p.typing ? '▏' : ''}` : '', `${p.events} ev`].filter(Boolean).join('  ');
  const right = '? help  q quit';
  const connText = truncate(conn.text, p.width);
  const rightText = connText.length + 2 + right.length <= p.width ? right : '';
  const room = Math.max(0, p.width - connText.length - (rightText ? rightText.length + 2 : 0));
  const middle = fit(mid ? `  ${mid}` : '', room);
  return (
    // sibling Text nodes: Ink measures each every frame, and only the short state one is not plain ASCII
    <Box width={p.width} height={1}>
      <Text color={tone(p.theme, conn.tone)} bold wrap="truncate-end">
        {connText}
      </Text>
      <Text bold={p.paused} wrap="truncate-end">
        {middle}
      </Text>
      <Text dimColor wrap="truncate-end">
        {rightText ? `  ${rightText}` : ''}
      </Text>
    </Box>
  );
}
