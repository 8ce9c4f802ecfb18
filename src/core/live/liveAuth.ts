// go-livepeer's live AI auth webhook and heartbeat kill-switch (live-ai.md §g), with timeouts go-livepeer lacks.
// The webhook is asked before a stream starts; its JSON answer may override the stream's pipeline, params, streamId
// and RTMP output. The heartbeat posts the live streamIds and stops the ones the answer lists as terminated.
import { GwError } from '../../lib/errors.js';
import type { LiveStartSpec } from './liveRequest.js';

const WEBHOOK_TIMEOUT_MS = 10_000;

export interface LiveAuthContext {
  readonly url: string;
  readonly apiKey: string;
  /** `-gatewayHost`: names the status and update URLs. */
  readonly gatewayHost: string;
  readonly whepUrl: string;
}

/** The webhook's `type` for an ingest origin. */
function webhookType(spec: LiveStartSpec): string {
  if (spec.mediaMtx) return spec.mediaMtx.sourceType === 'webrtcsession' ? 'whip' : 'rtmp';
  return 'rtmp';
}

/** The request body go-livepeer sends (including its `//` in the URLs, which webhook receivers may match on). */
export function webhookBody(spec: LiveStartSpec, ctx: Pick<LiveAuthContext, 'gatewayHost' | 'whepUrl'>): Record<string, string> {
  return {
    stream: spec.stream,
    stream_key: spec.stream,
    type: webhookType(spec),
    query_params: spec.rawQuery,
    gateway_host: ctx.gatewayHost,
    whep_url: ctx.whepUrl,
    status_url: `https://${ctx.gatewayHost}/live/video-to-video/${spec.streamId}//status`,
    update_url: `https://${ctx.gatewayHost}/live/video-to-video/${spec.stream}//update`,
  };
}

/** Applies the webhook's answer: each non-empty value overrides the request (comfyui params wrapped as a prompt). */
export function applyWebhookAnswer(spec: LiveStartSpec, answer: Record<string, unknown>): LiveStartSpec & { pipelineId: string } {
  const str = (k: string) => (typeof answer[k] === 'string' ? (answer[k] as string) : '');
  const pipeline = str('pipeline') || spec.pipeline;
  let params = spec.params;
  const given = answer.pipeline_parameters;
  if (typeof given === 'object' && given !== null && !Array.isArray(given) && Object.keys(given).length > 0) params = given as Record<string, unknown>;
  if (pipeline === 'comfyui' && !('prompt' in params)) params = { prompt: params };
  const rtmp = str('rtmp_output_url');
  return {
    ...spec,
    pipeline,
    params,
    streamId: str('stream_id') || spec.streamId,
    rtmpOutputs: rtmp ? [rtmp, ...spec.rtmpOutputs] : spec.rtmpOutputs,
    pipelineId: str('pipeline_id'),
  };
}

/** Asks the webhook; throws a `forbidden` GwError when it refuses (non-2xx, or not a JSON object). */
export async function authorizeLiveStream(spec: LiveStartSpec, ctx: LiveAuthContext): Promise<LiveStartSpec & { pipelineId: string }> {
  let res: Response;
  try {
    res = await fetch(ctx.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ctx.apiKey, authorization: ctx.apiKey },
      body: JSON.stringify(webhookBody(spec, ctx)),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (err) {
    throw new GwError('forbidden', `live auth webhook unreachable: ${(err as Error).message}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new GwError('forbidden', `live auth webhook refused the stream: HTTP ${res.status}`);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new GwError('forbidden', 'live auth webhook answered something that is not JSON');
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new GwError('forbidden', 'live auth webhook answered something that is not a JSON object');
  return applyWebhookAnswer(spec, answer as Record<string, unknown>);
}

/** `k:v,k2:v2` → headers. */
export function parseHeaderList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const i = part.indexOf(':');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** One heartbeat: the live streamIds out, the terminated ones back (an empty body is fine). */
export async function sendHeartbeat(url: string, headers: Record<string, string>, ids: string[]): Promise<string[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ids: ids.length > 0 ? ids : null }),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`heartbeat answered HTTP ${res.status}`);
  if (text.trim() === '') return [];
  const v = JSON.parse(text) as { terminatedStreamIds?: unknown };
  return Array.isArray(v.terminatedStreamIds) ? v.terminatedStreamIds.filter((x): x is string => typeof x === 'string') : [];
}
