import { Box, Text } from 'ink';
import { fit } from '../store/format.js';
import type { AlertRow } from '../store/view.js';
import { tone, type Theme } from './theme.js';

/** One alert as a full-width banner; `x` dismisses. */
export function AlertBanner({ alert, width, theme }: { alert: AlertRow; width: number; theme: Theme }) {
  const mark = alert.severity === 'critical' ? '!! CRITICAL' : '! WARNING';
  const text = fit(` ${mark} ${alert.at} ${alert.alert}: ${alert.message}  (x hides)`, width);
  return (
    <Box width={width} height={1}>
      <Text inverse bold color={tone(theme, alert.severity === 'critical' ? 'red' : 'yellow')} wrap="truncate-end">
        {text}
      </Text>
    </Box>
  );
}
