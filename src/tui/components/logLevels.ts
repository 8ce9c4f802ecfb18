import type { LogRow } from '../store/view.js';

/** Log levels in increasing severity; the log panel shows one level and above. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Log rows at or above `min`. */
export function filterLevel(rows: readonly LogRow[], min: LogLevel): LogRow[] {
  const floor = LOG_LEVELS.indexOf(min);
  return rows.filter((r) => LOG_LEVELS.indexOf(r.level) >= floor);
}
