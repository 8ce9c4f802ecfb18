import { Box } from 'ink';
import { truncate } from '../store/format.js';
import { layoutTable, renderHeader, renderRow, visibleRange, type ColumnSpec } from '../store/table.js';
import { Lines, markRow, type Line } from './Lines.js';

export interface TableRowData {
  readonly cells: readonly string[];
  readonly dim?: boolean;
  readonly color?: string | undefined;
}

export interface TableViewProps {
  readonly title: string;
  readonly specs: readonly ColumnSpec[];
  readonly rows: readonly TableRowData[];
  /** Selected row index, or -1 for none. */
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  /** Shown instead of rows when there are none. */
  readonly empty: string;
  /** Lines under the table (e.g. the selected row's detail). */
  readonly footer?: readonly Line[];
}

/** Title, header and the visible window of rows around the selection, each fitted to the width. */
export function tableLines(p: TableViewProps): Line[] {
  const layout = layoutTable(p.specs, Math.max(10, p.width - 2));
  const footer = p.footer ?? [];
  const body = Math.max(0, p.height - 2 - footer.length);
  const lines: Line[] = [{ text: truncate(p.title, p.width), bold: true }, { text: `  ${renderHeader(layout)}`, dim: true }];
  if (p.rows.length === 0) {
    lines.push({ text: truncate(`  ${p.empty}`, p.width), dim: true });
  } else {
    const { start, end } = visibleRange(p.rows.length, Math.max(0, p.selected), body);
    for (let i = start; i < end; i++) {
      const r = p.rows[i]!;
      const sel = i === p.selected;
      lines.push({ text: markRow(renderRow(layout, r.cells), sel), selected: sel, dim: r.dim, color: r.color });
    }
  }
  while (lines.length < p.height - footer.length) lines.push({ text: '' });
  return [...lines.slice(0, Math.max(0, p.height - footer.length)), ...footer.map((f) => ({ ...f, text: truncate(f.text, p.width) }))].slice(0, p.height);
}

/** A panel that is one table. */
export function TableView(p: TableViewProps) {
  return (
    <Box flexDirection="column" width={p.width} height={p.height}>
      <Lines lines={tableLines(p)} />
    </Box>
  );
}
