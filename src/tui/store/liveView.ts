/** The Live AI rows and overview line, derived from the daemon's last GET /v1/live answer. */
import type { LiveStreamView } from '../../api/contract.js';
import { toWei } from '../../api/projection/index.js';
import type { DashboardState } from './dashboardState.js';
import { formatDurationShort, formatMs, formatWei, oneLine, shortUri } from './format.js';
import type { LiveRow } from './viewModel.js';

/** One row per live AI stream, running ones first (the daemon's order within each group). */
export function liveRows(state: DashboardState, now: number): LiveRow[] {
  const list = state.liveStreams ?? [];
  const running = list.filter((v) => v.state !== 'ended');
  const ended = list.filter((v) => v.state === 'ended');
  return [...running, ...ended].map((v) => liveRow(v, now));
}

/** One live stream's row; every string is safe for one terminal line. */
export function liveRow(v: LiveStreamView, now: number): LiveRow {
  const last = v.swaps[v.swaps.length - 1];
  const started = Date.parse(v.startedAt);
  const end = v.endedAt ? Date.parse(v.endedAt) : now;
  return {
    key: v.stream,
    stream: oneLine(v.stream),
    streamId: oneLine(v.streamId) || '—',
    pipeline: oneLine(v.pipeline),
    orchestrator: v.orchestrator ? shortUri(oneLine(v.orchestrator.url)) : '—',
    state: v.state,
    runner: v.runnerState ? oneLine(v.runnerState) : '—',
    fps: `${fps(v.inputFps)}/${fps(v.outputFps)}`,
    latency: formatMs(v.latencyMs),
    swaps: String(v.swaps.length),
    lastSwap: last ? oneLine(last.reason) : '',
    lastSwapDetail: last ? oneLine(`${shortUri(last.from)} → ${shortUri(last.to)}: ${last.reason}`) : '',
    spend: formatWei(toWei(v.spentWei)),
    params: oneLine(JSON.stringify(v.params ?? {})),
    hlsUrl: oneLine(v.hlsUrl),
    age: Number.isFinite(started) ? formatDurationShort(Math.max(0, end - started)) : '—',
    active: v.state !== 'ended',
    endReason: v.endReason ? oneLine(v.endReason) : '',
  };
}

/** The overview's Live AI line: counts of running and ended streams and their swaps. */
export function liveOverview(state: DashboardState): string {
  if (state.liveStreams === null) return state.missing.has('live') ? 'n/a (this daemon has no live AI)' : '—';
  const running = state.liveStreams.filter((v) => v.state !== 'ended').length;
  const ended = state.liveStreams.length - running;
  const swaps = state.liveStreams.reduce((a, v) => a + v.swaps.length, 0);
  return `${running} running, ${ended} ended${swaps > 0 ? ` · ${swaps} swap${swaps === 1 ? '' : 's'}` : ''}`;
}

function fps(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '—';
}

