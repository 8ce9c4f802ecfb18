/** Fixed-width text tables: the layout is computed once per frame for the terminal width, rows are plain strings. */
import { fit, truncateMiddle } from './format.js';

export interface ColumnSpec {
  readonly title: string;
  /** Fixed width; ignored for the flexible column. */
  readonly width?: number;
  /** Takes the remaining width (at least `min`). One flexible column per table is enough. */
  readonly flex?: boolean;
  readonly min?: number;
  /** Share of the free width among flexible columns (default 1). */
  readonly weight?: number;
  /** Cut long values in the middle (URIs, ids), else at the end. */
  readonly ellipsis?: 'end' | 'middle';
  readonly align?: 'left' | 'right';
  /** Lower numbers stay longest when the terminal is narrow; 0 never goes. */
  readonly priority?: number;
}

export interface TableLayout {
  readonly columns: ReadonlyArray<ColumnSpec & { readonly index: number; readonly w: number }>;
  readonly width: number;
}

/** Fits the columns into `width`: drops the least important columns until the rest fits, then sizes the flexible one. */
export function layoutTable(specs: readonly ColumnSpec[], width: number): TableLayout {
  let cols = specs.map((s, index) => ({ ...s, index }));
  const need = (cs: typeof cols) => cs.reduce((a, c) => a + (c.flex ? (c.min ?? 8) : (c.width ?? 0)), 0) + Math.max(0, cs.length - 1);
  while (need(cols) > width && cols.some((c) => (c.priority ?? 0) > 0)) {
    const worst = cols.reduce((a, c) => ((c.priority ?? 0) > (a.priority ?? 0) ? c : a));
    cols = cols.filter((c) => c !== worst);
  }
  const fixed = cols.reduce((a, c) => a + (c.flex ? 0 : (c.width ?? 0)), 0) + Math.max(0, cols.length - 1);
  // every flexible column gets its minimum, then the rest of the width is shared by weight
  const flexCols = cols.filter((c) => c.flex);
  const weights = flexCols.reduce((a, c) => a + (c.weight ?? 1), 0);
  const spare = Math.max(0, width - fixed - flexCols.reduce((a, c) => a + (c.min ?? 8), 0));
  let left = spare;
  const columns = cols.map((c) => {
    if (!c.flex) return { ...c, w: c.width ?? 0 };
    // the last flexible column takes the rounding remainder so the table fills the width exactly
    const extra = c === flexCols[flexCols.length - 1] ? left : Math.floor((spare * (c.weight ?? 1)) / weights);
    left -= extra;
    return { ...c, w: (c.min ?? 8) + extra };
  });
  const total = columns.reduce((a, c) => a + c.w, 0) + Math.max(0, columns.length - 1);
  return { columns, width: Math.min(total, width) };
}

/** One row as a string no wider than the layout: `cells` are indexed like the specs given to layoutTable. */
export function renderRow(layout: TableLayout, cells: readonly string[]): string {
  const parts = layout.columns.map((c) => {
    const v = cells[c.index] ?? '';
    return c.ellipsis === 'middle' ? fit(truncateMiddle(v, c.w), c.w, c.align ?? 'left') : fit(v, c.w, c.align ?? 'left');
  });
  const line = parts.join(' ');
  return line.length > layout.width ? line.slice(0, layout.width) : line.trimEnd();
}

/** The header row. */
export function renderHeader(layout: TableLayout): string {
  return renderRow(
    layout,
    layout.columns.reduce<string[]>((acc, c) => {
      acc[c.index] = c.title;
      return acc;
    }, []),
  );
}

/** The slice of `count` rows to show in `height` lines so that `selected` stays visible. */
export function visibleRange(count: number, selected: number, height: number): { start: number; end: number } {
  if (height <= 0) return { start: 0, end: 0 };
  if (count <= height) return { start: 0, end: count };
  const start = Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
  return { start, end: start + height };
}
