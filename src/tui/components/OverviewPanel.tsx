import { Box } from 'ink';
import { sparkline, truncate } from '../store/format.js';
import type { OverviewView } from '../store/view.js';
import { Lines, type Line } from './Lines.js';
import { tone, type Theme } from './theme.js';

const LABEL = 10;

/** Overview lines for a width: identity, endpoints, money, rates, counts, what runs where, recent failovers. */
export function overviewLines(o: OverviewView, width: number, theme: Theme, ticketsPerSecSeries: readonly number[] = o.ticketSpark): Line[] {
  const kv = (k: string, v: string, color?: string): Line => ({ text: truncate(`${k.padEnd(LABEL)}${v}`, width), color });
  const pair = (k1: string, v1: string, k2: string, v2: string): Line => {
    const half = Math.floor(width / 2);
    const left = `${k1.padEnd(LABEL)}${v1}`;
    if (left.length + 2 + LABEL + v2.length > width || left.length >= half) return kv(k1, `${v1}   ${k2} ${v2}`);
    return { text: truncate(`${left.padEnd(half)}${k2.padEnd(LABEL)}${v2}`, width) };
  };
  const sparkW = Math.max(0, Math.min(ticketsPerSecSeries.length, width - LABEL - 12));
  const spark = sparkW > 0 ? sparkline(ticketsPerSecSeries.slice(-sparkW)) : '';
  const lines: Line[] = [
    kv('Gateway', `${o.mode} · ${o.network} · v${o.version} · up ${o.uptime}${o.draining ? ' · DRAINING' : ''}`, o.draining ? tone(theme, 'yellow') : undefined),
    ...o.endpoints.map(([k, v]) => kv(k, v)),
    { text: '' },
    pair('Deposit', o.deposit, 'Reserve', o.reserve),
    kv('Sender', o.senderState),
    pair('EV spent', o.evPerMinute, 'Runway', /^\d/.test(o.runway) && width >= 70 ? `${o.runway} (deposit ÷ EV/min)` : o.runway),
    kv('Tickets', `${o.ticketsPerSec}/s ${spark}`.trimEnd()),
    kv('EV rate', o.evPerSec),
    { text: '' },
    kv('Orchs', o.orchestrators),
    kv('Sessions', o.sessions),
    kv('Live AI', o.live),
  ];
  if (o.active.length > 0) {
    lines.push({ text: '' }, { text: truncate('Running', width), color: tone(theme, 'cyan') });
    // The HLS URL last: on a narrow terminal it is what gets cut, the stream and its health stay.
    for (const a of o.active) lines.push({ text: truncate(`  ${a.id}${a.what === 'video' ? '' : ` (${a.what})`} · ${a.orchestrator} · ${a.health} · ${a.hls}`, width) });
  }
  if (o.recentFailovers.length > 0) {
    lines.push({ text: truncate('Failovers', width), color: tone(theme, 'yellow') });
    for (const f of o.recentFailovers) lines.push({ text: truncate(`  ${f.at} ${f.sessionId}: ${f.from} → ${f.to} (${f.reason})`, width) });
  }
  return lines;
}

/** Panel 1: what the gateway is, where it listens, what it spends and how long the deposit lasts. */
export function OverviewPanel({ overview, width, height, theme }: { overview: OverviewView; width: number; height: number; theme: Theme }) {
  const lines = overviewLines(overview, width - 1, theme).slice(0, height);
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Lines lines={lines} />
    </Box>
  );
}
