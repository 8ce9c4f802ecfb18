// Small HTTP helpers shared by the AI and BYOC routes: go-livepeer's JSON error shape, client-gone signals.
import type { IncomingMessage, ServerResponse } from 'node:http';

export { readRequestBody } from '../net/requestBody.js';

/** Writes a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(s)), ...headers });
  res.end(s);
}

/** go-livepeer's gateway error body: `{"error":{"message":"…"}}` (extra keys, e.g. orchestrator reasons, allowed). */
export function sendError(res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, ...extra } }, headers);
}

/** Plain-text error (go-livepeer's http.Error, used by BYOC). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
  res.end(`${text}\n`);
}

/** An AbortSignal that fires when the client goes away before the response is complete. */
export function clientGone(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort(new Error('client closed the connection'));
  });
  req.once('aborted', () => ac.abort(new Error('client aborted the request')));
  return ac.signal;
}
