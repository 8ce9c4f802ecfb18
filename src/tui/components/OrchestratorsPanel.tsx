import type { ColumnSpec } from '../store/table.js';
import type { OrchestratorRow } from '../store/view.js';
import type { Line } from './Lines.js';
import { TableView } from './TableView.js';
import { tone, type Theme } from './theme.js';

export const ORCHESTRATOR_COLUMNS: readonly ColumnSpec[] = [
  { title: 'uri', flex: true, min: 16, ellipsis: 'middle' },
  { title: 'address', width: 13, priority: 3 },
  { title: 'price/px vs cap', width: 15, align: 'right', priority: 1 },
  { title: 'score', width: 5, align: 'right', priority: 2 },
  { title: 'latency', width: 7, align: 'right', priority: 4 },
  { title: 'succ', width: 6, align: 'right', priority: 1 },
  { title: 'use', width: 3, align: 'right' },
  { title: 'state', width: 9 },
  { title: 'reason', flex: true, min: 8, weight: 2, priority: 1 },
];

export interface OrchestratorsPanelProps {
  readonly rows: readonly OrchestratorRow[];
  readonly total: number;
  readonly cap: string;
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
  readonly missing: boolean;
}

/** Panel 3: every orchestrator with price against our cap, performance, load, suspension and reject reason. */
export function OrchestratorsPanel(p: OrchestratorsPanelProps) {
  const count = (s: OrchestratorRow['state']) => p.rows.filter((r) => r.state === s).length;
  const sel = p.rows[p.selected];
  const footer: Line[] = sel
    ? [
        { text: `${sel.uri} · ${sel.address} · ${sel.price} wei/px (cap ${p.cap}) · latency ${sel.latency}`, dim: true },
        { text: sel.detail || `${sel.state}, ${sel.inUse} session(s)`, color: sel.state === 'rejected' ? tone(p.theme, 'red') : undefined },
      ]
    : [];
  return (
    <TableView
      title={`Orchestrators  ${count('in use') + count('usable')} usable · ${count('suspended')} suspended · ${count('rejected')} rejected · cap ${p.cap}`}
      specs={ORCHESTRATOR_COLUMNS}
      rows={p.rows.map((r) => ({
        cells: [r.uri, r.address, r.overCap === undefined ? r.price : `${r.price} ${r.overCap ? '> cap' : '≤ cap'}`, r.score, r.latency, r.success, r.inUse, r.state, r.note],
        color: r.state === 'rejected' ? tone(p.theme, 'red') : r.state === 'suspended' ? tone(p.theme, 'yellow') : r.overCap ? tone(p.theme, 'magenta') : undefined,
        dim: r.state === 'rejected',
      }))}
      selected={p.selected}
      width={p.width}
      height={p.height}
      empty={p.total === 0 ? (p.missing ? 'none seen yet (this daemon has no /v1/orchestrators; rows appear as events arrive)' : 'no orchestrators known yet') : 'nothing matches the filter'}
      footer={footer}
    />
  );
}
