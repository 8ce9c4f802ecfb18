import { Box } from 'ink';
import { truncate } from '../store/format.js';
import { layoutTable, renderHeader, renderRow, type ColumnSpec } from '../store/table.js';
import type { SessionDetailView } from '../store/view.js';
import { Lines, type Line } from './Lines.js';
import { tone, type Theme } from './theme.js';

const SEGMENTS: readonly ColumnSpec[] = [
  { title: 'seq', width: 6, align: 'right' },
  { title: 'time', width: 8 },
  { title: 'orchestrator', flex: true, min: 10, ellipsis: 'middle' },
  { title: 'ok', width: 4 },
  { title: 'latency', width: 7, align: 'right' },
  { title: 'tries', width: 5, align: 'right', priority: 2 },
  { title: 'error', flex: true, min: 8, weight: 2, priority: 1 },
];
const FAILOVERS: readonly ColumnSpec[] = [
  { title: 'time', width: 8 },
  { title: 'from', flex: true, min: 8, ellipsis: 'middle' },
  { title: '', width: 1 },
  { title: 'to', flex: true, min: 8, ellipsis: 'middle' },
  { title: 'reason', flex: true, min: 8 },
  { title: 'try', width: 3, align: 'right' },
];
const TICKETS: readonly ColumnSpec[] = [
  { title: 'time', width: 8 },
  { title: 'recipient', width: 11 },
  { title: 'nonce', flex: true, min: 5, align: 'right' },
  { title: 'face value', width: 12, align: 'right' },
  { title: 'win prob', width: 10, align: 'right', priority: 1 },
  { title: 'EV', width: 12, align: 'right' },
];

/** Session detail lines: summary, a segment timeline, then segments, failovers and tickets. */
export function sessionDetailLines(d: SessionDetailView, width: number, height: number, theme: Theme): Line[] {
  const w = Math.max(10, width);
  const r = d.row;
  const state = d.ended ? `ended ${d.ended}` : `active ${r.age}`;
  const timeline = [...d.segments]
    .slice(0, Math.max(0, w - 10))
    .reverse()
    .map((s) => (s.ok ? '▆' : '×'))
    .join('');
  const title = `Session ${r.id} (${r.kind}) · ${r.orchestrator} · ${state} · since ${d.startedAt}`;
  const back = 'Esc: back';
  const head: Line[] = [
    { text: title.length + back.length + 2 <= w ? `${title}${' '.repeat(w - title.length - back.length)}${back}` : truncate(title, w), bold: true },
    { text: truncate(`ok ${r.ok} · failed ${r.failed} · success ${r.success} · p50 ${r.p50} · p95 ${r.p95} · spend ${r.spend}`, w) },
    { text: truncate(`Profiles  ${d.profiles} · fees ${d.fees}`, w) },
    { text: truncate(`Timeline  ${timeline || '(no segments yet)'}`, w), color: tone(theme, 'green') },
  ];
  const rest = Math.max(0, height - head.length);
  const fo = d.failovers.length === 0 ? 1 : Math.min(d.failovers.length, 3) + 2;
  const tk = d.tickets.length === 0 ? 1 : Math.min(d.tickets.length, 3) + 2;
  const segRows = Math.max(0, rest - fo - tk - 1);

  const seg = layoutTable(SEGMENTS, w);
  const lines: Line[] = [...head, { text: renderHeader(seg), dim: true }];
  if (d.segments.length === 0) lines.push({ text: '(no segments yet)', dim: true });
  for (const s of d.segments.slice(0, Math.max(0, segRows - (d.segments.length === 0 ? 1 : 0)))) {
    lines.push({ text: renderRow(seg, [s.seq, s.at, s.orchestrator, s.ok ? 'ok' : 'FAIL', s.latency, s.attempts, s.error]), color: s.ok ? undefined : tone(theme, 'red') });
  }
  if (d.failovers.length === 0) lines.push({ text: 'Failovers: none', dim: true });
  else {
    const fl = layoutTable(FAILOVERS, w);
    lines.push({ text: `Failovers (${d.failovers.length})`, bold: true }, { text: renderHeader(fl), dim: true });
    for (const f of d.failovers.slice(0, 3)) lines.push({ text: renderRow(fl, [f.at, f.from, '→', f.to, f.reason, f.attempt]), color: tone(theme, 'yellow') });
  }
  if (d.tickets.length === 0) lines.push({ text: 'Tickets: none', dim: true });
  else {
    const tl = layoutTable(TICKETS, w);
    lines.push({ text: `Tickets (newest of ${d.tickets.length})`, bold: true }, { text: renderHeader(tl), dim: true });
    for (const t of d.tickets.slice(0, 3)) lines.push({ text: renderRow(tl, [t.at, t.recipient, t.nonce, t.faceValue, t.winProb, t.ev]) });
  }
  return lines.slice(0, height);
}

/** A selected session: its timeline, failovers and tickets. */
export function SessionDetail({ detail, width, height, theme }: { detail: SessionDetailView; width: number; height: number; theme: Theme }) {
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Lines lines={sessionDetailLines(detail, width - 1, height, theme)} />
    </Box>
  );
}
