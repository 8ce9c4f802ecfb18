// Starting a live-video-to-video stream on an orchestrator (live-ai.md §b.3–5): `POST <transcoder>/live-video-to-video`
// with go-livepeer's body, answered with the four trickle channel URLs and the manifest id every later payment uses.
// Selection and the initial payment are the caller's; this module is the request and the reply.
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { GwError } from '../../lib/errors.js';

/** What the gateway asks for. */
export interface LiveStartRequest {
  /** The pipeline (go-livepeer: model id; default `noop`). */
  readonly modelId: string;
  readonly streamId: string;
  readonly requestId: string;
  readonly params: Record<string, unknown>;
}

/** The stream's channels on the orchestrator, from the gateway's side. */
export interface LiveChannels {
  /** Where the gateway publishes its input. */
  readonly publishUrl: string;
  /** Where it reads the transformed output. */
  readonly subscribeUrl: string;
  readonly controlUrl: string;
  readonly eventsUrl: string;
  /** The orchestrator's id for the stream: the manifest id of every later payment (a wrong one credits another balance). */
  readonly manifestId: string;
}

/** go-livepeer's request body (its shared params type sends the two URL fields as empty strings). */
export function liveStartBody(req: LiveStartRequest): string {
  return JSON.stringify({ gateway_request_id: req.requestId, model_id: req.modelId, params: req.params, publish_url: '', stream_id: req.streamId, subscribe_url: '' });
}

/** Parses the orchestrator's reply; host-less URLs are taken relative to the transcoder, as go-livepeer does. */
export function parseLiveStartReply(json: unknown, transcoder: string): LiveChannels {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GwError('orchestrator_error', 'live start reply is not a JSON object');
  const o = json as Record<string, unknown>;
  const url = (key: string, required: boolean): string => {
    const v = o[key];
    if (typeof v !== 'string' || v === '') {
      if (required) throw new GwError('orchestrator_error', `live start reply has no ${key}`);
      return '';
    }
    try {
      return new URL(v, transcoder).toString();
    } catch {
      throw new GwError('orchestrator_error', `live start reply has a bad ${key}: ${v}`);
    }
  };
  const manifestId = typeof o.manifest_id === 'string' ? o.manifest_id : '';
  return {
    publishUrl: url('publish_url', true),
    subscribeUrl: url('subscribe_url', true),
    controlUrl: url('control_url', true),
    eventsUrl: url('events_url', false),
    manifestId,
  };
}

/** The orchestrator refused the stream; `capacity` means another orchestrator may take it (§b.1). */
export class LiveStartError extends GwError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(status === 503 ? 'capacity' : 'orchestrator_error', message);
    this.name = 'LiveStartError';
  }
}

/**
 * Sends the start request (5 s timeout, go-livepeer's) with the payment headers the caller built, and returns the
 * channels. Orchestrators present self-signed certificates.
 */
export function startLiveStream(opts: { transcoder: string; request: LiveStartRequest; headers?: Record<string, string>; timeoutMs?: number }): Promise<LiveChannels> {
  const target = new URL('live-video-to-video', opts.transcoder.endsWith('/') ? opts.transcoder : `${opts.transcoder}/`);
  const body = liveStartBody(opts.request);
  const send = target.protocol === 'https:' ? request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Livepeer-AI-Worker-1.0', ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new LiveStartError(`orchestrator refused the live stream: HTTP ${res.statusCode} ${text.trim().slice(0, 200)}`, res.statusCode ?? 0));
          try {
            resolve(parseLiveStartReply(JSON.parse(text), opts.transcoder));
          } catch (err) {
            reject(err instanceof GwError ? err : new GwError('orchestrator_error', `live start reply is not JSON: ${(err as Error).message}`));
          }
        });
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new GwError('orchestrator_unreachable', `no live start reply from ${opts.transcoder} within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', (err) => reject(err instanceof GwError ? err : new GwError('orchestrator_unreachable', `live start to ${opts.transcoder} failed: ${err.message}`, { cause: err })));
    req.end(body);
  });
}
