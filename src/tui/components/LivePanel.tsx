import type { ColumnSpec } from '../store/table.js';
import type { LiveRow } from '../store/view.js';
import type { Line } from './Lines.js';
import { TableView } from './TableView.js';
import { tone, type Theme } from './theme.js';

// At 80 columns the priority-0..2 columns fit exactly; wider terminals add the last swap, runner state and params.
export const LIVE_COLUMNS: readonly ColumnSpec[] = [
  { title: 'stream', flex: true, min: 8, ellipsis: 'middle' },
  { title: 'pipeline', width: 12, priority: 1 },
  { title: 'orchestrator', flex: true, min: 12, weight: 2, ellipsis: 'middle', priority: 2 },
  { title: 'state', width: 8 },
  { title: 'runner', width: 9, priority: 4 },
  { title: 'fps i/o', width: 9, align: 'right' },
  { title: 'latency', width: 7, align: 'right', priority: 1 },
  { title: 'swaps', width: 5, align: 'right' },
  { title: 'spend', width: 10, align: 'right', priority: 1 },
  { title: 'last swap', flex: true, min: 10, weight: 2, priority: 3 },
  { title: 'params', flex: true, min: 10, weight: 2, priority: 4 },
];

export interface LivePanelProps {
  readonly rows: readonly LiveRow[];
  readonly total: number;
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
  /** The daemon has no /v1/live (an older gw). */
  readonly missing: boolean;
}

/** Panel 7: live AI streams with their orchestrator, fps, latency, swaps and spend; the selected one in the footer. */
export function LivePanel(p: LivePanelProps) {
  const running = p.rows.filter((r) => r.active).length;
  const shown = p.rows.length === p.total ? '' : ` · ${p.rows.length} match`;
  const sel = p.rows[p.selected];
  const footer: Line[] = sel
    ? [
        { text: `${sel.stream} (id ${sel.streamId}) on ${sel.orchestrator} · runner ${sel.runner} · ${sel.active ? 'up' : 'ran'} ${sel.age}`, dim: true },
        {
          text: `params ${sel.params} · ${sel.lastSwapDetail ? `last swap ${sel.lastSwapDetail}` : 'no swaps'}${sel.endReason ? ` · ended: ${sel.endReason}` : ''}`,
          color: sel.state === 'swapping' ? tone(p.theme, 'yellow') : undefined,
        },
        { text: `HLS ${sel.hlsUrl}`, dim: true },
      ]
    : [];
  return (
    <TableView
      title={`Live AI  ${running} running · ${p.total} total${shown}`}
      specs={LIVE_COLUMNS}
      rows={p.rows.map((r) => ({
        cells: [r.stream, r.pipeline, r.orchestrator, r.state, r.runner, r.fps, r.latency, r.swaps, r.spend, r.lastSwap, r.params],
        color: r.state === 'swapping' || r.state === 'starting' ? tone(p.theme, 'yellow') : undefined,
        dim: !r.active,
      }))}
      selected={p.selected}
      width={p.width}
      height={p.height}
      empty={
        p.total > 0
          ? 'nothing matches the filter'
          : p.missing
            ? 'this daemon has no live AI (restart it with this version of gw)'
            : 'no live AI streams: publish RTMP to rtmp://<gateway>/ai/<stream>?pipeline=… or run `gw live start`'
      }
      footer={footer}
    />
  );
}
