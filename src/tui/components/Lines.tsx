import { Box, Text } from 'ink';
import { memo } from 'react';

/** One pre-formatted line of a panel. */
export interface Line {
  readonly text: string;
  readonly selected?: boolean;
  readonly color?: string | undefined;
  readonly dim?: boolean;
  readonly bold?: boolean;
}

/** Renders pre-fitted lines; each is cut at the box edge as a last guard against wrapping. */
export function Lines({ lines }: { lines: readonly Line[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <LineText key={i} text={l.text} selected={l.selected === true} color={l.color} dim={l.dim === true} bold={l.bold === true} />
      ))}
    </Box>
  );
}

// Most lines are the same from one frame to the next; memo spares React re-rendering them.
const LineText = memo(function LineText(l: { text: string; selected: boolean; color: string | undefined; dim: boolean; bold: boolean }) {
  return (
    <Text wrap="truncate-end" inverse={l.selected} color={l.color} dimColor={l.dim} bold={l.bold}>
      {l.text === '' ? ' ' : l.text}
    </Text>
  );
});

/** A table row with the selection marker in front. */
export function markRow(text: string, selected: boolean): string {
  return `${selected ? '›' : ' '} ${text}`;
}
