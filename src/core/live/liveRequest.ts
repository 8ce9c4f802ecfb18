// The ways a live-video-to-video stream is asked for, parsed once at the edge into one typed request (live-ai.md §a.1):
// go-livepeer's MediaMTX hook (form fields, the ingest query inside `query`), gw's JSON start, and the query of an RTMP
// publish to gw's own `ai` app. Pure: the HTTP and RTMP layers hand their raw values here and answer the errors.
import { GwError } from '../../lib/errors.js';

/** Where the stream's input comes from. */
export type LiveSource =
  /** gw pulls an RTMP URL (MediaMTX hook, JSON start, `gw live start`). */
  | { readonly kind: 'pull'; readonly url: string }
  /** A publisher pushes to gw's own RTMP server (app `ai`). */
  | { readonly kind: 'push' };

/** Who asked: names the webhook `type` and how errors are answered. */
export type LiveOrigin = 'mediamtx' | 'json' | 'rtmp';

/** A parsed start request. */
export interface LiveStartSpec {
  /** The stream name: key of `/update`, the HLS output `/stream/{stream}-out.m3u8`. */
  readonly stream: string;
  /** Key of the status API and of every event (may be empty, as in go-livepeer). */
  readonly streamId: string;
  /** Sent to the orchestrator as model_id. */
  readonly pipeline: string;
  readonly params: Record<string, unknown>;
  readonly rtmpOutputs: readonly string[];
  /** Substring an orchestrator's URL must contain (go-livepeer `orchestrator` query key). */
  readonly orchestratorFilter: string;
  readonly source: LiveSource;
  readonly origin: LiveOrigin;
  /** The ingest query as received (the auth webhook's `query_params`). */
  readonly rawQuery: string;
  /** MediaMTX connection id and type, to kick the input on fatal errors. */
  readonly mediaMtx?: { readonly sourceId: string; readonly sourceType: 'rtmpconn' | 'webrtcsession'; readonly host: string };
}

/** The default pipeline (go-livepeer). */
export const DEFAULT_LIVE_PIPELINE = 'noop';

/** Stream names gw accepts: they name HLS paths (`{stream}-out`) and files, so a safe character set. */
const STREAM_NAME = /^[A-Za-z0-9_~][A-Za-z0-9_.~-]{0,119}$/;

/** A bad start request: its message is the 400 body. */
export class LiveRequestError extends GwError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'LiveRequestError';
  }
}

/** Checks a stream name, throwing a LiveRequestError that says what is allowed. */
export function checkStreamName(stream: string): string {
  if (!STREAM_NAME.test(stream)) throw new LiveRequestError(`invalid stream name ${JSON.stringify(stream)}: use 1-120 of [A-Za-z0-9_.~-], starting with a letter, digit, _ or ~`);
  return stream;
}

/** `params` as go-livepeer reads it: a JSON object (else `Invalid model params`). */
export function parseParams(raw: string | undefined | null): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new LiveRequestError(`Invalid model params: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LiveRequestError('Invalid model params: expected a JSON object');
  return v as Record<string, unknown>;
}

function checkRtmpUrl(url: string, what: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LiveRequestError(`${what} is not a URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'rtmp:' && u.protocol !== 'rtmps:') throw new LiveRequestError(`${what} must be an rtmp:// URL, got ${u.protocol}//…`);
  return url;
}

/** The ingest query keys of §a.1 (`pipeline`, `params`, `streamId`, `orchestrator`, `rtmpOutput`). */
export function parseIngestQuery(query: URLSearchParams): Pick<LiveStartSpec, 'pipeline' | 'params' | 'streamId' | 'orchestratorFilter' | 'rtmpOutputs'> {
  const outputs = query.getAll('rtmpOutput').filter((o) => o !== '');
  return {
    pipeline: query.get('pipeline') || DEFAULT_LIVE_PIPELINE,
    params: parseParams(query.get('params')),
    streamId: query.get('streamId') ?? '',
    orchestratorFilter: query.get('orchestrator') ?? '',
    rtmpOutputs: outputs.map((o) => checkRtmpUrl(o, 'rtmpOutput')),
  };
}

/** MediaMTX's hook: form fields `source_id`, `source_type`, `query`, `rtmp_url`; `callerHost` is the hook caller's address. */
export function parseHookStart(args: { path: string; fields: URLSearchParams; callerHost: string }): LiveStartSpec {
  const sourceId = args.fields.get('source_id') ?? '';
  if (sourceId === '') throw new LiveRequestError('missing source_id');
  const type = (args.fields.get('source_type') ?? '').toLowerCase();
  if (type === '') throw new LiveRequestError('missing source_type');
  if (type !== 'rtmpconn' && type !== 'webrtcsession') throw new LiveRequestError(`unknown media source: ${type}`);
  const rawQuery = args.fields.get('query') ?? '';
  const q = parseIngestQuery(new URLSearchParams(rawQuery));
  const host = args.callerHost === '::1' || args.callerHost === '::ffff:127.0.0.1' ? '127.0.0.1' : args.callerHost.replace(/^::ffff:/, '');
  const stream = args.path.split('/').pop() ?? '';
  checkStreamName(stream);
  const override = args.fields.get('rtmp_url');
  const url = override ? checkRtmpUrl(override, 'rtmp_url') : `rtmp://${host.includes(':') ? `[${host}]` : host}/${args.path}`;
  return { stream, ...q, source: { kind: 'pull', url }, origin: 'mediamtx', rawQuery, mediaMtx: { sourceId, sourceType: type, host } };
}

/** gw's JSON start: `{pipeline, params, streamId, rtmpUrl, rtmpOutput, orchestrator}` (params an object or a JSON string). */
export function parseJsonStart(stream: string, body: unknown): LiveStartSpec {
  checkStreamName(stream);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LiveRequestError('expected a JSON object body');
  const b = body as Record<string, unknown>;
  const str = (key: string): string => {
    const v = b[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw new LiveRequestError(`${key} must be a string`);
    return v;
  };
  const rtmpUrl = str('rtmpUrl');
  if (rtmpUrl === '') throw new LiveRequestError('rtmpUrl is required: the RTMP source gw pulls');
  const params = typeof b.params === 'string' ? parseParams(b.params) : b.params === undefined || b.params === null ? {} : b.params;
  if (typeof params !== 'object' || Array.isArray(params)) throw new LiveRequestError('Invalid model params: expected a JSON object');
  const outputs = Array.isArray(b.rtmpOutput) ? b.rtmpOutput : b.rtmpOutput === undefined || b.rtmpOutput === '' ? [] : [b.rtmpOutput];
  return {
    stream,
    streamId: str('streamId'),
    pipeline: str('pipeline') || DEFAULT_LIVE_PIPELINE,
    params: params as Record<string, unknown>,
    rtmpOutputs: outputs.map((o) => checkRtmpUrl(String(o), 'rtmpOutput')),
    orchestratorFilter: str('orchestrator'),
    source: { kind: 'pull', url: checkRtmpUrl(rtmpUrl, 'rtmpUrl') },
    origin: 'json',
    rawQuery: '',
  };
}

/** A publish to gw's RTMP app `ai`: `rtmp://host/ai/{stream}?pipeline=…&params=…`. */
export function parseRtmpStart(stream: string, query: Record<string, string>): LiveStartSpec {
  checkStreamName(stream);
  const qs = new URLSearchParams(query);
  return { stream, ...parseIngestQuery(qs), source: { kind: 'push' }, origin: 'rtmp', rawQuery: qs.toString() };
}
