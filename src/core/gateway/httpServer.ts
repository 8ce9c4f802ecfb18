import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HlsStore } from '../hls/streamStore.js';
import { parseHlsPath } from '../hls/playlist.js';
import { readRequestBody } from '../net/requestBody.js';
import { keccak256Stream } from '../../lib/protocol/hash.js';
import { buildMultipart } from './multipart.js';
import { SegmentFailure } from './segmentErrors.js';
import { errorResponse, httpStatusFor } from '../http/errorResponse.js';
import type { Logger } from '../logger.js';

/** Largest pushed segment go-livepeer accepts. */
export const MAX_SEGMENT_BYTES = 300_000_000;
const MB = 1024 * 1024;

/** A pushed segment after edge validation. */
export interface PushRequest {
  readonly manifestId: string;
  readonly seq: number;
  readonly ext: 'ts' | 'mp4';
  readonly durationMs: number;
  readonly data: Uint8Array;
  /** keccak256 of `data`, computed while the body arrived. */
  readonly hash?: Uint8Array;
  readonly sliceFromMs?: number;
  readonly sliceToMs?: number;
  /** `Livepeer-Transcode-Configuration` JSON, parsed. */
  readonly transcodeConfig?: Record<string, unknown>;
}

export interface PushResult {
  readonly renditions: ReadonlyArray<{ readonly profile: string; readonly data: Uint8Array }>;
}

/** A handler on the gateway HTTP port: answers the request and returns true, or returns false to pass it on. */
export type GatewayRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** What the gateway HTTP port needs from the rest of the daemon. */
export interface GatewayHttpDeps {
  pushSegment(req: PushRequest): Promise<PushResult>;
  readonly hls: HlsStore;
  /** The other services on this port (AI API, BYOC, capabilities), asked in order after push and HLS. */
  readonly routes: readonly GatewayRoute[];
  readonly maxSegmentBytes?: number;
  /** Bytes of pushed segments held in flight at once (read when a push arrives); past it, 503 + Retry-After. */
  maxInFlightBytes?(): number;
  /** Where a handler's unexpected error (a bug) is logged with its stack. */
  readonly log?: Pick<Logger, 'error'>;
}

const PUSH_RE = /^\/live\/([^/]+)\/(\d{1,12})\.([A-Za-z0-9]+)$/;

/** Creates the gateway HTTP server (not listening yet): HTTP push ingest, HLS playback, health, then `routes`. */
export function createGatewayHttpServer(deps: GatewayHttpDeps): Server {
  const backlog = { bytes: 0 };
  const server = createServer((req, res) => {
    void route(deps, backlog, req, res).catch((err: unknown) => {
      const { status, body } = errorResponse(err, deps.log, { method: req.method, path: req.url });
      if (!res.headersSent) text(res, status, body.error.message);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/** Segment bytes the push handlers hold right now (shared by every connection of one server). */
interface Backlog {
  bytes: number;
}

async function route(deps: GatewayHttpDeps, backlog: Backlog, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  const path = url.pathname;
  if (path === '/healthz') return void json(res, 200, { ok: true });
  // `/live/video-to-video/…` is live AI (a route below); the rest of `/live/` is HTTP push.
  if (path.startsWith('/live/') && !path.startsWith('/live/video-to-video/')) return handlePush(deps, backlog, req, res, path);
  // AI results are also served under /stream/ (by an extra route): HLS answers only what it has.
  if (path.startsWith('/stream/') && handleHls(deps, req, res, path)) return;
  for (const r of deps.routes) if (await r(req, res, url)) return;
  text(res, 404, 'not found');
}

async function handlePush(deps: GatewayHttpDeps, backlog: Backlog, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method !== 'POST' && req.method !== 'PUT') {
    res.setHeader('Allow', 'POST, PUT');
    return void text(res, 405, 'method not allowed: push segments with POST or PUT');
  }
  const m = PUSH_RE.exec(path);
  if (!m) return void text(res, 400, 'bad push URL: expected /live/{manifestID}/{seq}.ts');
  const manifestId = decodeURIComponent(m[1]!);
  const ext = m[3]!.toLowerCase();
  if (ext !== 'ts' && ext !== 'mp4') return void text(res, 400, `unknown segment format ".${m[3]}": use .ts or .mp4`);
  if (!/^[A-Za-z0-9_.~-]{1,128}$/.test(manifestId)) return void text(res, 400, 'bad manifest id: use 1-128 of [A-Za-z0-9_.~-]');
  const headers = parsePushHeaders(req);
  if (typeof headers === 'string') return void text(res, 400, headers);
  const limit = deps.maxSegmentBytes ?? MAX_SEGMENT_BYTES;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    // Answer before the body arrives and close: draining up to 300 MB nobody wants would waste the link.
    text(res, 413, `segment of ${declared} bytes exceeds the ${limit}-byte limit`, true);
    return;
  }
  // Overload protection: a gateway that cannot keep up would otherwise hold every queued segment (and its
  // renditions) in memory until it runs out. A 503 with Retry-After tells the broadcaster to resend.
  const maxBacklog = deps.maxInFlightBytes?.() ?? Number.POSITIVE_INFINITY;
  const claim = Number.isFinite(declared) ? declared : 0;
  if (backlog.bytes > 0 && backlog.bytes + claim > maxBacklog) {
    res.setHeader('Retry-After', '1');
    text(res, 503, `gateway overloaded: ${Math.round(backlog.bytes / MB)} MB of pushed segments in flight (limit ${Math.round(maxBacklog / MB)} MB); retry`, true);
    return;
  }
  let held = claim;
  backlog.bytes += held;
  try {
    // Hash while the upload arrives: the SegData needs it, and this takes it off the segment's critical path.
    const hasher = keccak256Stream();
    const data = await readRequestBody(req, limit, (c) => hasher.update(c));
    if (data === 'too-large') return void text(res, 413, `segment exceeds the ${limit}-byte limit`, true);
    if (data.length === 0) return void text(res, 400, 'empty segment');
    backlog.bytes += data.length - held;
    held = data.length;
    let result: PushResult;
    try {
      result = await deps.pushSegment({ manifestId, seq: Number(m[2]), ext, data, hash: hasher.digest(), ...headers });
    } catch (err) {
      if (err instanceof SegmentFailure) return void text(res, httpStatusFor(err.code), err.failure === 'no-sessions' ? 'No sessions available' : err.message);
      throw err;
    }
    sendPushReply(req, res, Number(m[2]), result);
  } finally {
    backlog.bytes -= held;
  }
}

/** 200 with nothing, or multipart/mixed with one part per rendition when the client asked for it. */
function sendPushReply(req: IncomingMessage, res: ServerResponse, seq: number, result: PushResult): void {
  if (!(req.headers.accept ?? '').includes('multipart/mixed')) return void res.writeHead(200, { 'content-length': 0 }).end();
  const mp = buildMultipart(result.renditions.map((r) => ({ profile: r.profile, seq, data: r.data })));
  res.writeHead(200, { 'content-type': mp.contentType, 'content-length': mp.length });
  // One writev for the parts instead of a syscall per chunk (7 for two renditions).
  res.cork();
  for (const c of mp.chunks) res.write(c);
  res.uncork();
  res.end();
}

function parsePushHeaders(req: IncomingMessage): Pick<PushRequest, 'durationMs' | 'sliceFromMs' | 'sliceToMs' | 'transcodeConfig'> | string {
  const dur = req.headers['content-duration'];
  const durationMs = dur === undefined ? 2000 : Number(dur);
  if (!Number.isInteger(durationMs) || durationMs <= 0 || durationMs > 300_000) return `bad Content-Duration "${String(dur)}": expected milliseconds (1 to 300000)`;
  const from = req.headers['content-slice-from'];
  const to = req.headers['content-slice-to'];
  const out: { -readonly [K in 'durationMs' | 'sliceFromMs' | 'sliceToMs' | 'transcodeConfig']?: PushRequest[K] } & { durationMs: number } = { durationMs };
  if (from !== undefined) {
    if (!/^\d+$/.test(String(from))) return `bad Content-Slice-From "${String(from)}"`;
    out.sliceFromMs = Number(from);
  }
  if (to !== undefined) {
    if (!/^\d+$/.test(String(to))) return `bad Content-Slice-To "${String(to)}"`;
    out.sliceToMs = Number(to);
  }
  const cfg = req.headers['livepeer-transcode-configuration'];
  if (typeof cfg === 'string' && cfg.trim() !== '') {
    try {
      const v = JSON.parse(cfg) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'Livepeer-Transcode-Configuration must be a JSON object';
      out.transcodeConfig = v as Record<string, unknown>;
    } catch (err) {
      return `Livepeer-Transcode-Configuration is not valid JSON: ${(err as Error).message}`;
    }
  }
  return out;
}

/** Serves an HLS path; false (nothing written) when this store has nothing there. */
function handleHls(deps: GatewayHttpDeps, req: IncomingMessage, res: ServerResponse, path: string): boolean {
  // CORS on every /stream/ answer, 404s included: a web player needs to read why a request failed.
  res.setHeader('Access-Control-Allow-Origin', '*');
  const parsed = parseHlsPath(path);
  const found = parsed ? deps.hls.lookup(parsed) : undefined;
  if (!found) return false;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS' }).end();
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(res, 405, 'method not allowed');
    return true;
  }
  const cache = found.cacheControl;
  if ('file' in found) {
    res.writeHead(200, { 'content-type': found.contentType, 'content-length': found.size, 'cache-control': cache });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(found.file);
    // The file can vanish when the segment leaves the window between lookup and read: end the reply short.
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  }
  const body = typeof found.body === 'string' ? Buffer.from(found.body) : found.body;
  res.writeHead(200, { 'content-type': found.contentType, 'content-length': body.length, 'cache-control': cache });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

function text(res: ServerResponse, status: number, body: string, close = false): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(close ? { connection: 'close' } : {}) });
  res.end(`${body}\n`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}
