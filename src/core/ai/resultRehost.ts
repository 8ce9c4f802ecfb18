// Re-hosting of AI results (ai-live-signer.md §5): every media URL in an orchestrator's reply is replaced by the
// gateway's own path before the reply goes to the client, so clients never contact an orchestrator.
//
// The download from the orchestrator is started, not awaited: the client gets its reply one orchestrator round
// trip sooner and fetches the file while (or after) the gateway downloads it; a reader of a file still on its way
// waits for it. go-livepeer downloads before replying; this gives the same URLs and bytes with less latency. A
// download that fails after the reply is reported to `onLost` and answered 502 with the reason to readers.
import { getBytes } from './orchestratorHttp.js';
import { type ResultStore, mediaRefs, mimeForName, parseDataUrl, resultFileName } from './results.js';

/** Longest wait for one result download from an orchestrator. */
export const AI_DOWNLOAD_TIMEOUT_MS = 60_000;
/** Largest result (a response body or one downloaded file) accepted from an orchestrator. */
export const AI_MAX_RESULT_BYTES = 256 * 1024 * 1024;

/** Replaces every media URL in an AI response by the gateway's own path; returns how many there were. */
export function rehostMedia(
  store: ResultStore,
  requestId: string,
  base: string,
  body: unknown,
  fallbackExt: string,
  onLost?: (url: string, message: string) => void,
): number {
  const refs = mediaRefs(body);
  // resolve every URL first, so a malformed one fails the whole reply before any download starts
  const plans = refs.map((ref) => {
    const inline = parseDataUrl(ref.url);
    return inline ? { ref, inline, url: undefined } : { ref, inline: undefined, url: new URL(ref.url, base.endsWith('/') ? base : `${base}/`).toString() };
  });
  for (const { ref, inline, url } of plans) {
    if (inline) {
      const name = resultFileName(undefined, inline.mime, fallbackExt);
      ref.set(store.put(requestId, name, inline.data, mimeForName(name, inline.mime)));
      continue;
    }
    const name = resultFileName(url, undefined, fallbackExt);
    // started on the next turn of the event loop, so the reply to the client is written first
    const download = new Promise<void>((r) => setImmediate(r))
      .then(() => getBytes(url, { timeoutMs: AI_DOWNLOAD_TIMEOUT_MS, maxBytes: AI_MAX_RESULT_BYTES }))
      .then((got) => {
        if (got.status !== 200) throw new Error(`GET ${url}: HTTP ${got.status}`);
        const type = String(got.headers['content-type'] ?? '').split(';')[0]!.trim() || undefined;
        return { data: got.body, contentType: mimeForName(name, type) };
      });
    download.catch((err: unknown) => onLost?.(url, err instanceof Error ? err.message : String(err)));
    ref.set(store.putPending(requestId, name, download));
  }
  return refs.length;
}
