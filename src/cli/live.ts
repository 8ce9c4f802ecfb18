/** Shared by the `gw live` commands: the --params check, friendly not-found errors, and the text forms of a stream. */
import { Errors } from '@oclif/core';
import type { LiveStreamView } from '../api/contract.js';
import { GwClientError } from '../api/errors.js';
import { GwUserError } from './baseCommand.js';
import { clock, eth, ms } from './format.js';
import { formatDuration, renderKeyValues, renderTable } from './render.js';

/**
 * Parses a `--params` value as a JSON object. A bad value is a usage error (exit 2), caught before anything is
 * sent, so a typo never reaches a running stream's runner.
 */
export function parseParamsFlag(text: string, flag = '--params'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Errors.CLIError(`${flag} is not valid JSON (${(err as Error).message}); give a JSON object, e.g. ${flag} '{"hue":90}'`, { exit: 2 });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new Errors.CLIError(`${flag} must be a JSON object, e.g. ${flag} '{"hue":90}' (got ${got})`, { exit: 2 });
  }
  return value as Record<string, unknown>;
}

/**
 * Runs one control-API call, about `stream` when one is named. A 404 becomes a message that says what to do: the
 * stream is unknown or over, or the daemon predates live AI (its route table has no /v1/live).
 */
export async function aboutStream<T>(stream: string | undefined, call: () => Promise<T>, opts: { running?: boolean } = {}): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof GwClientError) || err.status !== 404) throw err;
    if (stream === undefined || /no such endpoint/.test(err.message)) throw noLiveRoutes();
    // update and stop need a running stream; show also finds recently ended ones
    const what = opts.running ? `no running live AI stream named "${stream}" (unknown, or already ended)` : `no live AI stream named "${stream}"`;
    throw new GwUserError(`${what}; \`gw live ls\` lists them`, 'not_found');
  }
}

/** The error of a daemon without the live routes (started by an older gw). */
function noLiveRoutes(): GwUserError {
  return new GwUserError('this gw daemon does not serve live AI: restart it with this version of gw (`gw stop && gw start`)', 'not_found');
}

/** "running (ONLINE)", "swapping", "ended". */
export function liveState(v: LiveStreamView): string {
  return v.runnerState && v.state !== 'ended' ? `${v.state} (${v.runnerState})` : v.state;
}

/** Frames per second with one decimal. */
export function fps(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '—';
}

/** Time since the stream started, up to its end when it has ended. */
export function liveAge(v: LiveStreamView, now = Date.now()): string {
  const end = v.endedAt ? Date.parse(v.endedAt) : now;
  return formatDuration(Math.max(0, end - Date.parse(v.startedAt)));
}

/** The `gw live ls` table. */
export function liveTable(streams: readonly LiveStreamView[], now = Date.now()): string {
  return renderTable(
    ['stream', 'streamId', 'pipeline', 'state', 'orchestrator', 'in fps', 'out fps', 'latency', 'swaps', 'spend', 'age'],
    streams.map((v) => [
      v.stream,
      v.streamId || '—',
      v.pipeline,
      liveState(v),
      v.orchestrator?.url ?? '—',
      fps(v.inputFps),
      fps(v.outputFps),
      ms(v.latencyMs),
      v.swaps.length,
      eth(v.spentWei),
      liveAge(v, now),
    ]),
  );
}

/** The `gw live show` text: every field of the view, then its swaps. */
export function liveDetail(v: LiveStreamView, now = Date.now()): string {
  const o = v.orchestrator;
  const pairs: Array<[string, string | number]> = [
    ['Stream', v.stream],
    ['State', v.runnerState && v.state !== 'ended' ? `${v.state} (runner ${v.runnerState})` : v.state],
    ['Stream ID', v.streamId || '—'],
    ['Request ID', v.requestId || '—'],
    ['Pipeline', v.pipeline],
    ['Params', JSON.stringify(v.params)],
    ['Source', v.source],
    ['Orchestrator', o ? `${o.url} (${o.address || 'no address'}, manifest ${o.manifestId || '—'})` : '—'],
    ['Started', `${clock(v.startedAt)} (${v.endedAt ? 'ran' : 'running for'} ${liveAge(v, now)})`],
  ];
  if (v.endedAt) pairs.push(['Ended', `${clock(v.endedAt)}${v.endReason ? `: ${v.endReason}` : ''}`]);
  pairs.push(
    ['Segments', `${v.inputSegments} in, ${v.outputSegments} out`],
    ['FPS', `${fps(v.inputFps)} in, ${fps(v.outputFps)} out`],
    ['Latency', ms(v.latencyMs)],
    ['Spend (EV)', `${eth(v.spentWei)} (${v.ticketsSent} tickets)`],
    ['HLS', v.hlsUrl],
    ['RTMP outputs', v.rtmpOutputs.length ? v.rtmpOutputs.join(', ') : '—'],
    ['Swaps', v.swaps.length],
  );
  const parts = [renderKeyValues(pairs)];
  if (v.swaps.length) {
    parts.push('\nSwaps');
    parts.push(renderTable(['time', 'from', 'to', 'reason', 'gap'], v.swaps.map((s) => [clock(s.at), s.from, s.to, s.reason, ms(s.gapMs)])));
  }
  return parts.join('\n');
}
