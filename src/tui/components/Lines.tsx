import { Box, Text } from 'ink';

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
        <Text key={i} wrap="truncate-end" inverse={l.selected === true} color={l.color} dimColor={l.dim === true} bold={l.bold === true}>
          {l.text === '' ? ' ' : l.text}
        </Text>
      ))}
    </Box>
  );
}

/** A table row with the selection marker in front. */
export function markRow(text: string, selected: boolean): string {
  return `${selected ? '›' : ' '} ${text}`;
}
