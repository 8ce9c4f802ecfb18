import { Box, Text } from 'ink';
import type { ConnectionInfo } from '../store/view.js';
import { connectionText } from './StatusBar.js';
import { tone, type Theme } from './theme.js';

export interface DaemonDownProps {
  readonly connection: ConnectionInfo;
  readonly dataDir: string;
  readonly now: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

const LABEL = 12;

/** What the dashboard shows while no daemon answers: why, where it looked, and that it keeps trying. */
export function DaemonDown(p: DaemonDownProps) {
  const inner = Math.max(10, p.width - 2);
  const rows = [
    ['Data dir', p.dataDir],
    ['Control', p.connection.url ?? '(read from daemon.json in the data dir)'],
    ['Last error', p.connection.lastError ?? 'no answer yet'],
    ['Status', connectionText(p.connection, p.now).text],
  ] as const;
  return (
    <Box flexDirection="column" width={p.width} height={p.height} paddingLeft={2} paddingTop={1} overflow="hidden">
      <Text bold color={tone(p.theme, 'red')} wrap="truncate-end">
        The gw daemon is not answering.
      </Text>
      <Text> </Text>
      {rows.map(([k, v]) => (
        <Box key={k} width={inner}>
          <Box width={LABEL} flexShrink={0}>
            <Text>{k}</Text>
          </Box>
          <Box width={inner - LABEL}>
            <Text wrap="wrap">{v}</Text>
          </Box>
        </Box>
      ))}
      <Text> </Text>
      <Box width={inner}>
        <Text wrap="wrap">Start it with `gw start` (same --data-dir). This screen keeps retrying and switches to the live view as soon as the daemon answers.</Text>
      </Box>
    </Box>
  );
}
