import { Box } from 'ink';
import { sparkline, truncate } from '../store/format.js';
import { layoutTable, renderHeader, renderRow, visibleRange, type ColumnSpec } from '../store/table.js';
import type { TicketRow, TicketsView } from '../store/view.js';
import { Lines, markRow, type Line } from './Lines.js';
import { tone, type Theme } from './theme.js';

const RECIPIENTS: readonly ColumnSpec[] = [
  { title: 'recipient', width: 13 },
  { title: 'orchestrator', flex: true, min: 10, ellipsis: 'middle' },
  { title: 'tickets', width: 8, align: 'right' },
  { title: 'EV', width: 12, align: 'right' },
];
export const TICKET_COLUMNS: readonly ColumnSpec[] = [
  { title: 'time', width: 8 },
  { title: 'stream', flex: true, min: 8, ellipsis: 'middle' },
  { title: 'recipient', width: 11, priority: 2 },
  { title: 'nonce', width: 9, align: 'right', priority: 3 },
  { title: 'face value', width: 11, align: 'right' },
  { title: 'win prob', width: 9, align: 'right', priority: 1 },
  { title: 'EV', width: 11, align: 'right' },
];

export interface TicketsPanelProps {
  readonly tickets: TicketsView;
  readonly recent: readonly TicketRow[];
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

const LABEL = 11;

/** Ticket flow lines: rates with sparklines, totals, per-orchestrator totals, recent tickets. */
export function ticketLines(p: TicketsPanelProps): Line[] {
  const t = p.tickets;
  const w = p.width;
  const sparkRoom = (valueW: number) => Math.max(0, Math.min(t.ticketSeries.length, w - LABEL - valueW - 2));
  const rateLine = (label: string, value: string, series: readonly (number | bigint)[]): Line => {
    const valueW = Math.max(value.length, 13);
    const n = sparkRoom(valueW);
    return { text: truncate(`${label.padEnd(LABEL)}${value.padEnd(valueW)}  ${n > 0 ? sparkline(series.slice(-n)) : ''}`.trimEnd(), w), color: tone(p.theme, 'cyan') };
  };
  const lines: Line[] = [
    rateLine('Tickets/s', t.ticketsPerSec, t.ticketSeries),
    rateLine('EV/s', t.evPerSec, t.evSeries),
    { text: truncate(`${'Totals'.padEnd(LABEL)}${t.totalTickets} tickets · EV ${t.totalEv} · ${t.evPerMinute}`, w) },
  ];
  if (t.redeemed !== null) lines.push({ text: truncate(`${'Redeemed'.padEnd(LABEL)}${t.redeemed} drawn from the deposit on-chain (winning tickets)`, w) });
  const rl = layoutTable(RECIPIENTS, w - 2);
  const per = Math.min(t.byRecipient.length, Math.max(1, Math.floor((p.height - 8) / 3)));
  lines.push({ text: 'By orchestrator', bold: true }, { text: `  ${renderHeader(rl)}`, dim: true });
  if (t.byRecipient.length === 0) lines.push({ text: '  no tickets yet (off-chain gateways send none)', dim: true });
  for (const r of t.byRecipient.slice(0, per)) lines.push({ text: `  ${renderRow(rl, [r.recipient, r.orchestrator, r.tickets, r.ev])}` });
  if (t.byRecipient.length > per) lines.push({ text: `  … ${t.byRecipient.length - per} more`, dim: true });

  const tl = layoutTable(TICKET_COLUMNS, w - 2);
  lines.push({ text: truncate(`Recent tickets (${p.recent.length})`, w), bold: true }, { text: `  ${renderHeader(tl)}`, dim: true });
  const room = Math.max(0, p.height - lines.length);
  if (p.recent.length === 0) lines.push({ text: '  none', dim: true });
  const { start, end } = visibleRange(p.recent.length, Math.max(0, p.selected), room);
  for (let i = start; i < end; i++) {
    const r = p.recent[i]!;
    lines.push({ text: markRow(renderRow(tl, [r.at, r.sessionId, r.recipient, r.nonce, r.faceValue, r.winProb, r.ev]), i === p.selected), selected: i === p.selected });
  }
  return lines.slice(0, p.height);
}

/** Panel 5: tickets/s and EV/s over the last minute, totals, and the latest tickets. */
export function TicketsPanel(p: TicketsPanelProps) {
  return (
    <Box flexDirection="column" width={p.width} height={p.height}>
      <Lines lines={ticketLines(p)} />
    </Box>
  );
}
