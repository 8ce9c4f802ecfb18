import type { ColumnSpec } from '../store/table.js';
import type { SessionRow } from '../store/view.js';
import { TableView } from './TableView.js';
import type { Theme } from './theme.js';

export const SESSION_COLUMNS: readonly ColumnSpec[] = [
  { title: 'id', flex: true, min: 12, ellipsis: 'middle' },
  // URIs are usually longer than stream ids, so the orchestrator gets the larger share of the spare width
  { title: 'orchestrator', flex: true, min: 16, weight: 2, ellipsis: 'middle', priority: 1 },
  { title: 'rend', width: 4, align: 'right', priority: 4 },
  { title: 'ok', width: 5, align: 'right' },
  { title: 'fail', width: 4, align: 'right' },
  { title: 'p50', width: 6, align: 'right', priority: 2 },
  { title: 'p95', width: 6, align: 'right', priority: 2 },
  { title: 'succ', width: 6, align: 'right', priority: 1 },
  { title: 'spend', width: 11, align: 'right', priority: 1 },
];

export interface SessionsPanelProps {
  readonly rows: readonly SessionRow[];
  readonly total: number;
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** Panel 2: one row per stream or AI job; ended ones dimmed below the active ones. */
export function SessionsPanel(p: SessionsPanelProps) {
  const active = p.rows.filter((r) => r.active).length;
  const shown = p.rows.length === p.total ? '' : ` · ${p.rows.length} match`;
  return (
    <TableView
      title={`Sessions  ${active} active · ${p.total} total${shown}   Enter: detail`}
      specs={SESSION_COLUMNS}
      rows={p.rows.map((r) => ({
        cells: [r.kind === 'stream' ? r.id : `${r.id} (${r.kind})`, r.orchestrator, r.renditions, r.ok, r.failed, r.p50, r.p95, r.success, r.spend],
        dim: !r.active,
      }))}
      selected={p.selected}
      width={p.width}
      height={p.height}
      empty={p.total === 0 ? 'no streams or AI jobs yet: push RTMP to the ingest URL on the Overview panel' : 'nothing matches the filter'}
    />
  );
}
