// The orchestrator side of live-video-to-video on the devnet (live-ai.md §b.4–5, §j): a trickle server at
// /ai/trickle/ and `POST /live-video-to-video`, which creates the four channels of a stream and starts a devnet runner.
// Not yet: payment checks and the per-segment accounting loop (the request's payment headers are not verified).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createTrickleServer, type TrickleServer } from '../../../lib/trickle/server.js';
import { trickleAgents, type TrickleAgents } from '../../../lib/trickle/transport.js';
import { isLivePipeline, startLiveRunner, type LiveRunner } from './liveRunner.js';

export interface DevnetLiveOptions {
  /** Concurrent live streams per pipeline (go-livepeer: the runner's capacity); default 4. */
  readonly capacity?: number;
  /** Status event period of the runners (ai-runner: 10 s). */
  readonly statusIntervalMs?: number;
}

export interface DevnetLive {
  /** Serves the request when it is a live one (trickle or start); false otherwise. */
  route(req: Http2ServerRequest, res: Http2ServerResponse, path: string): Promise<boolean>;
  /** Live streams running, by pipeline. */
  inUse(): Record<string, number>;
  close(): Promise<void>;
}

interface StartBody {
  readonly modelId: string;
  readonly streamId: string;
  readonly requestId: string;
  readonly params: Record<string, unknown>;
}

/** Parses go-livepeer's start body (`model_id`, `stream_id`, `gateway_request_id`, `params`); a string is the reason it is bad. */
export function parseStartBody(body: unknown): StartBody | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object';
  const b = body as Record<string, unknown>;
  const modelId = b.model_id === undefined || b.model_id === '' ? 'noop' : b.model_id;
  if (typeof modelId !== 'string') return 'model_id must be a string';
  const params = b.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'params must be a JSON object';
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return { modelId, streamId: str(b.stream_id), requestId: str(b.gateway_request_id), params: params as Record<string, unknown> };
}

/** The live side of a devnet orchestrator at `serviceUri`. */
export function createDevnetLive(opts: DevnetLiveOptions & { serviceUri: string; ffmpeg: () => Promise<string>; log: (m: string) => void }): DevnetLive {
  const trickle: TrickleServer = createTrickleServer();
  // The runner reaches the trickle server over the network, as ai-runner does from its container.
  const agents: TrickleAgents = trickleAgents();
  const runners = new Map<string, { pipeline: string; runner: LiveRunner }>();
  const capacity = opts.capacity ?? 4;
  const inUse = (pipeline: string) => [...runners.values()].filter((r) => r.pipeline === pipeline).length;

  const start = async (req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> => {
    const raw = await readText(req);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return plain(res, 400, 'invalid JSON body');
    }
    const body = parseStartBody(json);
    if (typeof body === 'string') return plain(res, 400, body);
    if (!isLivePipeline(body.modelId) || inUse(body.modelId) >= capacity) return plain(res, 503, 'insufficient capacity');
    const mid = randomBytes(4).toString('hex');
    const url = (ch: string) => `${opts.serviceUri}/ai/trickle/${ch}`;
    trickle.createChannel(mid, 'video/MP2T');
    trickle.createChannel(`${mid}-out`, 'video/MP2T');
    trickle.createChannel(`${mid}-control`, 'application/json');
    trickle.createChannel(`${mid}-events`, 'application/json');
    let runner: LiveRunner;
    try {
      runner = await startLiveRunner({
        pipeline: body.modelId,
        params: body.params,
        subscribeUrl: url(mid),
        publishUrl: url(`${mid}-out`),
        controlUrl: url(`${mid}-control`),
        eventsUrl: url(`${mid}-events`),
        streamId: body.streamId,
        requestId: body.requestId,
        ffmpeg: await opts.ffmpeg(),
        agents,
        ...(opts.statusIntervalMs !== undefined ? { statusIntervalMs: opts.statusIntervalMs } : {}),
        onError: (m) => opts.log(`live ${mid}: ${m}`),
      });
    } catch (err) {
      for (const ch of [mid, `${mid}-out`, `${mid}-control`, `${mid}-events`]) trickle.closeChannel(ch);
      return plain(res, 500, `runner failed to start: ${(err as Error).message}`);
    }
    runners.set(mid, { pipeline: body.modelId, runner });
    // The gateway DELETEs its input channel when the stream ends: the runner stops and frees its slot then.
    trickle.channel(mid)?.onClose(() => {
      runners.delete(mid);
      void runner.stop();
    });
    opts.log(`live ${mid}: ${body.modelId} for stream ${body.streamId || '(none)'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        control_url: url(`${mid}-control`),
        events_url: url(`${mid}-events`),
        manifest_id: mid,
        publish_url: url(mid),
        subscribe_url: url(`${mid}-out`),
      }),
    );
  };

  return {
    route: async (req, res, path) => {
      if (path.startsWith('/ai/trickle/')) {
        // HTTP/1.1 (what trickle clients speak) arrives as plain http objects even on the HTTP/2 server.
        return trickle.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse);
      }
      if (path !== '/live-video-to-video') return false;
      if (req.method !== 'POST') {
        plain(res, 405, 'Method Not Allowed');
        return true;
      }
      await start(req, res);
      return true;
    },
    inUse: () => Object.fromEntries([...new Set([...runners.values()].map((r) => r.pipeline))].map((p) => [p, inUse(p)])),
    close: async () => {
      const all = [...runners.values()];
      runners.clear();
      await Promise.all(all.map((r) => r.runner.stop().catch(() => undefined)));
      trickle.close();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function plain(res: Http2ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

async function readText(req: Http2ServerRequest): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
