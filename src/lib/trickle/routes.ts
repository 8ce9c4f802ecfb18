/** Pure request parsing and response-header building of the trickle server (no sockets). */
import type { OutgoingHttpHeaders } from 'node:http';
import { parseSeq } from './channel.js';
import {
  TRICKLE_CLOSED_HEADER,
  TRICKLE_CLOSED_VALUE,
  TRICKLE_LATEST_HEADER,
  TRICKLE_SEQ_HEADER,
} from './headers.js';

/** A request under the prefix, parsed once. */
export type TrickleRoute =
  | { readonly kind: 'channel'; readonly channel: string }
  | { readonly kind: 'next'; readonly channel: string }
  | { readonly kind: 'segment'; readonly channel: string; readonly seq: number }
  | { readonly kind: 'bad-seq'; readonly channel: string }
  | { readonly kind: 'invalid' };

/** Parses the path after the prefix (`ch`, `ch/next`, `ch/{seq}`); undefined when the path is not under the prefix. */
export function parseTrickleRoute(url: string, prefix: string): TrickleRoute | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.startsWith(prefix)) return undefined;
  const parts = path.slice(prefix.length).split('/');
  let channel: string;
  try {
    channel = decodeURIComponent(parts[0] ?? '');
  } catch {
    return { kind: 'invalid' };
  }
  if (channel === '' || parts.length > 2) return { kind: 'invalid' };
  if (parts.length === 1) return { kind: 'channel', channel };
  const rawSeq = parts[1]!;
  if (rawSeq === 'next') return { kind: 'next', channel };
  const seq = parseSeq(rawSeq);
  return seq === undefined ? { kind: 'bad-seq', channel } : { kind: 'segment', channel, seq };
}

/** Headers of a GET answered with segment data (Latest only when the reader is not at the write head). */
export function dataHeaders(seq: number, nextWrite: number, mime: string): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { [TRICKLE_SEQ_HEADER]: String(seq), 'content-type': mime };
  if (seq !== nextWrite) h[TRICKLE_LATEST_HEADER] = String(nextWrite);
  return h;
}

/** Headers of a GET whose segment ended without any byte. */
export function emptySegmentHeaders(seq: number, nextWrite: number, channelClosed: boolean): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { [TRICKLE_SEQ_HEADER]: String(seq), [TRICKLE_LATEST_HEADER]: String(nextWrite) };
  if (channelClosed) h[TRICKLE_CLOSED_HEADER] = TRICKLE_CLOSED_VALUE;
  return h;
}

/** Headers of a 470: the seq is not in the ring; Latest tells the reader where to jump. */
export function missingHeaders(seq: number, nextWrite: number): OutgoingHttpHeaders {
  return { [TRICKLE_LATEST_HEADER]: String(nextWrite), [TRICKLE_SEQ_HEADER]: String(seq) };
}

/** Headers of a POST's final answer. */
export function postDoneHeaders(seq: number, opts: { closeConnection: boolean; channelClosed: boolean }): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { [TRICKLE_SEQ_HEADER]: String(seq) };
  if (opts.closeConnection) h.connection = 'close';
  if (opts.channelClosed) h[TRICKLE_CLOSED_HEADER] = TRICKLE_CLOSED_VALUE;
  return h;
}
