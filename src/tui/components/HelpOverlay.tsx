import { Box, Text } from 'ink';
import { truncate } from '../store/format.js';

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['Tab / ← →', 'next / previous panel (Shift+Tab goes back)'],
  ['1 … 7', 'jump to a panel (7: Live AI)'],
  ['↑ ↓  j k', 'move the selection (PgUp / PgDn by ten)'],
  ['Enter', 'open the selected session (segments, failovers, tickets)'],
  ['Esc', 'close the detail or clear the filter'],
  ['/', 'filter the rows of this panel; Enter keeps it, Esc clears it'],
  ['l', 'log panel: cycle the minimum level'],
  ['p', 'pause / resume the display (data keeps arriving)'],
  ['x', 'hide the alert banners'],
  ['?', 'this help'],
  ['q  Ctrl+C', 'quit'],
];

/** The key reference, in place of the panel. */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const w = Math.max(10, width - 2);
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1} overflow="hidden">
      <Text bold>Keys</Text>
      {KEYS.map(([k, v]) => (
        <Text key={k}>{truncate(`${k.padEnd(12)}${v}`, w)}</Text>
      ))}
      <Text> </Text>
      <Text>{truncate('Times are UTC, like `gw logs`. Amounts: EV = expected value of tickets sent.', w)}</Text>
      <Text>{truncate('Runway = deposit ÷ EV per minute (the reserve is a backstop, not a budget).', w)}</Text>
      <Text dimColor>{truncate('Press ? or Esc to close.', w)}</Text>
    </Box>
  );
}
