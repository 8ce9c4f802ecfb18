import { Box, Text } from 'ink';
import { TABS } from './tabs.js';
import { tone, type Theme } from './theme.js';

/** The top line: product name and the panels, the active one highlighted. */
export function TabBar({ active, width, theme }: { active: number; width: number; theme: Theme }) {
  const long = 4 + TABS.reduce((a, t, i) => a + `${i + 1} ${t.title}`.length + 2, 0) <= width;
  const labels = TABS.map((t, i) => `${i + 1} ${long ? t.title : t.short}`);
  // drop the names entirely if even the short ones do not fit: the numbers still work
  const fits = 4 + labels.reduce((a, l) => a + l.length + 2, 0) <= width;
  const shown = fits ? labels : TABS.map((_, i) => String(i + 1));
  return (
    // sibling Text nodes, not one nested Text: Ink measures each node every frame, and only the one-glyph node
    // leaves string-width's ASCII fast path
    <Box width={width} height={1}>
      <Text bold color={tone(theme, 'cyan')}>
        {'gw '}
      </Text>
      <Text dimColor>{'│'}</Text>
      <Text wrap="truncate-end">
        {shown.map((l, i) => (
          <Text key={l} inverse={i === active} bold={i === active}>
            {` ${l} `}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
