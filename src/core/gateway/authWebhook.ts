/**
 * go-livepeer's stream authentication webhook (`-authWebhookUrl`): POST {"url": "<ingest URL>"}; a 200 allows
 * the stream and may carry a JSON body overriding manifestID and the transcoding presets/profiles; anything else
 * refuses it.
 */
export interface AuthDecision {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly manifestId?: string;
  readonly presets?: string[];
  /** Raw JSON profiles (go-livepeer's JSON profile schema), validated by the caller. */
  readonly profiles?: unknown[];
}

/** Asks the webhook about one ingest URL (3 s timeout). */
export async function authorizeStream(webhookUrl: string, ingestUrl: string, timeoutMs = 3000): Promise<AuthDecision> {
  let res: Response;
  try {
    res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: ingestUrl }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { allowed: false, reason: `auth webhook unreachable: ${(err as Error).message}` };
  }
  const text = await res.text();
  if (res.status !== 200) return { allowed: false, reason: `auth webhook answered ${res.status}${text ? `: ${text.trim().slice(0, 200)}` : ''}` };
  if (text.trim() === '') return { allowed: true };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { allowed: false, reason: 'auth webhook answered 200 with a body that is not JSON' };
  }
  return {
    allowed: true,
    manifestId: typeof body.manifestID === 'string' && body.manifestID !== '' ? body.manifestID : undefined,
    presets: Array.isArray(body.presets) ? body.presets.filter((p): p is string => typeof p === 'string') : undefined,
    profiles: Array.isArray(body.profiles) ? body.profiles : undefined,
  };
}
