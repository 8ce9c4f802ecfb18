import { Box, Text } from 'ink';
import { TABS } from './tabs.js';
import { tone, type Theme } from './theme.js';

const widthOf = (labels: readonly string[]) => 4 + labels.reduce((a, l) => a + l.length + 2, 0);

/**
 * The tab labels for a width: full titles where they fit, the titles that save the most shortened first (so at 80
 * columns only "Orchestrators" becomes "Orch"), and bare numbers when even the short names do not fit.
 */
export function tabLabels(width: number): string[] {
  const labels = TABS.map((t, i) => `${i + 1} ${t.title}`);
  const saving = (i: number) => TABS[i]!.title.length - TABS[i]!.short.length;
  const bySaving = TABS.map((_, i) => i).sort((a, b) => saving(b) - saving(a));
  for (const i of bySaving) {
    if (widthOf(labels) <= width) return labels;
    labels[i] = `${i + 1} ${TABS[i]!.short}`;
  }
  // the numbers still work
  return widthOf(labels) <= width ? labels : TABS.map((_, i) => String(i + 1));
}

/** The top line: product name and the panels, the active one highlighted. */
export function TabBar({ active, width, theme }: { active: number; width: number; theme: Theme }) {
  const shown = tabLabels(width);
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
