// go-livepeer's live API on the gateway HTTP port (live-ai.md §a): the MediaMTX start hook (form fields) and gw's
// JSON start on the same path, `/update`, `/status`, and `PUT /live/video-to-video/smoketest`. The hook answers as
// go-livepeer does (200 once handled, failures in the status and events); the JSON start answers errors directly.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GwError } from '../../lib/errors.js';
import { FormDataError, formBoundary, parseFormData } from '../ai/formData.js';
import { sendJson, sendText } from '../ai/httpIo.js';
import type { GatewayRoute } from '../gateway/httpServer.js';
import { httpStatusFor } from '../http/errorResponse.js';
import type { Logger } from '../logger.js';
import { readRequestBody } from '../net/requestBody.js';
import type { LiveGateway } from './liveGateway.js';
import { LiveRequestError, parseHookStart, parseJsonStart } from './liveRequest.js';
import { NoLiveOrchestratorError } from './liveSelect.js';
import { redact } from './liveIngest.js';

const PREFIX = '/live/video-to-video/';
const MAX_BODY = 1024 * 1024;

export interface LiveHttpDeps {
  readonly live: LiveGateway;
  readonly log: Logger;
  readonly ffmpeg: string | undefined;
}

/** The live routes; other paths pass on. */
export function liveRoute(deps: LiveHttpDeps): GatewayRoute {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const rest = url.pathname.slice(PREFIX.length);
    const parts = rest.split('/').map((p) => decodeURIComponent(p));
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return true;
    }
    if (rest === 'smoketest') return void (await smoketest(deps, req, res)), true;
    const action = parts.at(-1);
    const name = parts.slice(0, -1).join('/');
    if (action === 'start' && parts.length >= 2 && parts.length <= 3) return void (await start(deps, req, res, url, name)), true;
    if (action === 'update' && parts.length === 2) return void (await update(deps, req, res, parts[0]!)), true;
    if (action === 'status' && parts.length === 2) {
      if (parts[0] === '') return void sendText(res, 400, 'stream id is required'), true;
      const status = deps.live.status(parts[0]!);
      if (!status) sendText(res, 404, 'Stream not found');
      else sendJson(res, 200, status);
      return true;
    }
    return false;
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const body = await readRequestBody(req, MAX_BODY);
  if (body === 'too-large') throw new LiveRequestError(`body larger than ${MAX_BODY} bytes`);
  return body;
}

async function start(deps: LiveHttpDeps, req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, 'Method Not Allowed');
  const contentType = req.headers['content-type'] ?? '';
  const isJson = /^\s*application\/json/i.test(contentType);
  const stream = path.split('/').pop() ?? '';
  try {
    const body = await readBody(req);
    if (isJson) {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new LiveRequestError(`body is not JSON: ${(err as Error).message}`);
      }
      const view = await deps.live.start(parseJsonStart(stream, json));
      return sendJson(res, 200, view);
    }
    // Our own output coming back through MediaMTX: nothing to do (go-livepeer).
    if (stream.endsWith('-out')) return void res.writeHead(200).end();
    const spec = parseHookStart({ path, fields: formFields(body, contentType, url), callerHost: req.socket.remoteAddress ?? '127.0.0.1' });
    try {
      await deps.live.start(spec);
    } catch (err) {
      if (err instanceof GwError && err.code === 'forbidden') throw err;
      // go-livepeer answers the hook 200 and signals the failure by kicking the input and in the status.
      deps.log.warn({ stream: spec.stream, err: (err as Error).message }, 'live stream from MediaMTX not started');
      void kickMediaMtx(deps, spec.mediaMtx);
    }
    res.writeHead(200).end();
  } catch (err) {
    answerError(res, err);
  }
}

/** Form fields from a multipart or urlencoded body; URL query values count too (go-livepeer's FormValue). */
function formFields(body: Buffer, contentType: string, url: URL): URLSearchParams {
  const fields = new URLSearchParams(url.search);
  if (formBoundary(contentType)) {
    try {
      for (const p of parseFormData(body, contentType)) if (p.filename === undefined) fields.set(p.name, p.data.toString('utf8'));
    } catch (err) {
      if (err instanceof FormDataError) throw new LiveRequestError(err.message);
      throw err;
    }
  } else if (body.length > 0) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) fields.set(k, v);
  }
  return fields;
}

function answerError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.destroy();
  if (err instanceof NoLiveOrchestratorError) return sendJson(res, 503, { error: { code: err.code, message: err.message, rejected: err.rejected } });
  if (err instanceof GwError) return sendJson(res, httpStatusFor(err.code), { error: { code: err.code, message: err.message } });
  throw err;
}

async function update(deps: LiveHttpDeps, req: IncomingMessage, res: ServerResponse, stream: string): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, 'Method Not Allowed');
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (err) {
    return sendText(res, 400, (err as Error).message);
  }
  if (!deps.live.update(stream, body.toString('utf8'))) return sendText(res, 404, 'Stream not found');
  res.writeHead(200).end();
}

/** MediaMTX's API on the hook caller's host: kick the input of a stream that could not start (§a.1). */
async function kickMediaMtx(deps: LiveHttpDeps, src: { sourceId: string; sourceType: string; host: string } | undefined): Promise<void> {
  if (!src) return;
  const kind = src.sourceType === 'webrtcsession' ? 'webrtcsessions' : 'rtmpconns';
  const url = `http://${src.host.includes(':') ? `[${src.host}]` : src.host}:9997/v3/${kind}/kick/${encodeURIComponent(src.sourceId)}`;
  const password = deps.live.mediaMtxPassword();
  try {
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) deps.log.warn({ status: res.status }, 'MediaMTX kick refused');
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'MediaMTX API unreachable: the input was not kicked');
  }
}

/** go-livepeer's smoketest: push an ffmpeg test card (1080p30, x264 1000k, keyint 60, AAC sine) to `stream_url`. */
async function smoketest(deps: LiveHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'PUT') return sendText(res, 405, 'Method Not Allowed');
  if (!deps.ffmpeg) return sendText(res, 500, 'ffmpeg not found');
  let url: string;
  let seconds: number;
  try {
    const v = JSON.parse((await readBody(req)).toString('utf8')) as { stream_url?: unknown; duration_secs?: unknown };
    if (typeof v.stream_url !== 'string' || !/^rtmps?:\/\//.test(v.stream_url)) throw new Error('stream_url must be an rtmp:// URL');
    url = v.stream_url;
    seconds = v.duration_secs === undefined ? 300 : Number(v.duration_secs);
    if (!Number.isInteger(seconds) || seconds <= 0 || seconds > 3600) throw new Error('duration_secs must be 1-3600');
  } catch (err) {
    return sendText(res, 400, (err as Error).message);
  }
  const p = spawn(deps.ffmpeg, smoketestArgs(url, seconds), { stdio: 'ignore' });
  p.once('error', (err) => deps.log.warn({ err: err.message }, 'smoketest ffmpeg failed'));
  p.once('exit', (code) => deps.log.info({ code, url: redact(url) }, 'smoketest ended'));
  res.writeHead(200).end();
}

/** ffmpeg arguments of the smoketest card. */
export function smoketestArgs(url: string, seconds: number): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30,format=yuv420p`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '1000k', '-g', '60', '-keyint_min', '60',
    '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', url,
  ];
}
