import type { ColumnSpec } from '../store/table.js';
import type { FailoverRow } from '../store/view.js';
import { TableView } from './TableView.js';
import { tone, type Theme } from './theme.js';

export const FAILOVER_COLUMNS: readonly ColumnSpec[] = [
  { title: 'time', width: 8 },
  { title: 'stream', flex: true, min: 8, weight: 2, ellipsis: 'middle' },
  { title: 'from', flex: true, min: 10, weight: 3, ellipsis: 'middle' },
  { title: '', width: 1 },
  { title: 'to', flex: true, min: 10, weight: 3, ellipsis: 'middle' },
  { title: 'reason', flex: true, min: 8, weight: 3, priority: 1 },
  { title: 'try', width: 3, align: 'right' },
];

/** Panel 4: the failover timeline, newest first: which stream left which orchestrator for which, and why. */
export function FailoversPanel(p: { rows: readonly FailoverRow[]; total: number; selected: number; width: number; height: number; theme: Theme }) {
  return (
    <TableView
      title={`Failovers  ${p.total} (newest first)`}
      specs={FAILOVER_COLUMNS}
      rows={p.rows.map((r) => ({ cells: [r.at, r.sessionId, r.from, '→', r.to, r.reason, r.attempt], color: tone(p.theme, 'yellow') }))}
      selected={p.selected}
      width={p.width}
      height={p.height}
      empty={p.total === 0 ? 'no failovers: every segment went to its first orchestrator' : 'nothing matches the filter'}
    />
  );
}
