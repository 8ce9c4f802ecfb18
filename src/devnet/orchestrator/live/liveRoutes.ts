// The orchestrator side of live-video-to-video on the devnet (live-ai.md §b.4–5, §f, §j): a trickle server at
// /ai/trickle/ and `POST /live-video-to-video`, which checks the payment as go-livepeer does, creates the four channels
// of a stream, starts its accounting loop and a devnet runner. POST /payment (top-ups) is served by the server for
// every orchestrator, as go-livepeer registers it (see livePayment.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createTrickleServer, type TrickleServer } from '../../../lib/trickle/server.js';
import { trickleAgents, type TrickleAgents } from '../../../lib/trickle/transport.js';
import type { Clock } from '../clock.js';
import { httpError } from '../credentials.js';
import type { FaultInjector } from '../faults.js';
import type { OrchestratorNode } from '../orchestratorNode.js';
import { DEFAULT_DEBIT_INTERVAL_MS } from './liveAccounting.js';
import { DEFAULT_LIVE_CAPACITY, DEFAULT_LIVE_PRICE, LiveCatalog, type LivePrice } from './liveCatalog.js';
import { serveLiveStart } from './liveStartHandler.js';
import { LiveStreams, type LiveStreamStats } from './liveStreams.js';

export { parseStartBody } from './liveStartHandler.js';

export interface DevnetLiveOptions {
  /** Concurrent live streams per pipeline (go-livepeer: the runner's capacity); default 4. */
  readonly capacity?: number;
  /** Status event period of the runners (ai-runner: 10 s). */
  readonly statusIntervalMs?: number;
  /** Price of capability 35 per pixel unit (27,648,000 units per second); default 58 wei per unit. */
  readonly price?: LivePrice;
  /** Time between debits of a stream's balance (go-livepeer -livePaymentInterval); default 5000 ms. */
  readonly debitIntervalMs?: number;
}

/** The `live` part of /devnet/stats. */
export interface DevnetLiveStats {
  /** Running streams, then the last 50 ended ones. */
  streams: LiveStreamStats[];
  /** Starts answered 200 / with an error. */
  started: number;
  rejected: number;
}

export interface DevnetLive {
  /** Serves the request when it is a live one (trickle or start); false otherwise. */
  route(req: Http2ServerRequest, res: Http2ServerResponse, path: string): Promise<boolean>;
  /** Live streams running (or starting) on a pipeline. */
  inUse(pipeline: string): number;
  stats(): DevnetLiveStats;
  close(): Promise<void>;
}

/** The advertised live models and price; `inUse` is bound later to the streams of createDevnetLive. */
export function liveCatalog(opts: DevnetLiveOptions, inUse: (pipeline: string) => number): LiveCatalog {
  return new LiveCatalog(opts.capacity ?? DEFAULT_LIVE_CAPACITY, opts.price ?? DEFAULT_LIVE_PRICE, inUse);
}

export interface DevnetLiveDeps {
  readonly serviceUri: string;
  readonly node: OrchestratorNode;
  readonly catalog: LiveCatalog;
  readonly faults: FaultInjector;
  readonly clock: Clock;
  readonly ffmpeg: () => Promise<string>;
  /** Called when dieAfter is exhausted by a live output segment. */
  readonly onDie: () => void;
  readonly log: (m: string) => void;
}

/** The live side of a devnet orchestrator. */
export function createDevnetLive(opts: DevnetLiveOptions, deps: DevnetLiveDeps): DevnetLive {
  const debitIntervalMs = opts.debitIntervalMs ?? DEFAULT_DEBIT_INTERVAL_MS;
  if (!(Number.isInteger(debitIntervalMs) && debitIntervalMs >= 1)) throw new RangeError('live debitIntervalMs must be a positive integer');
  const trickle: TrickleServer = createTrickleServer();
  // The runner reaches the trickle server over the network, as ai-runner does from its container.
  const agents: TrickleAgents = trickleAgents();
  const streams = new LiveStreams({
    trickle,
    agents,
    serviceUri: deps.serviceUri,
    ffmpeg: deps.ffmpeg,
    balances: deps.node.cfg.balances,
    clock: deps.clock,
    debitIntervalMs,
    ...(opts.statusIntervalMs !== undefined ? { statusIntervalMs: opts.statusIntervalMs } : {}),
    faults: () => deps.faults.live(),
    onOutput: () => {
      if (deps.faults.segmentAnswered()) {
        deps.node.cfg.logger.warn('dieAfter reached: dying');
        deps.onDie();
      }
    },
    log: deps.log,
  });
  let rejected = 0;
  const startCtx = { node: deps.node, catalog: deps.catalog, streams, rejected: () => rejected++, log: deps.log };

  return {
    route: async (req, res, path) => {
      if (path.startsWith('/ai/trickle/')) {
        // HTTP/1.1 (what trickle clients speak) arrives as plain http objects even on the HTTP/2 server.
        return trickle.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse);
      }
      if (path !== '/live-video-to-video') return false;
      if (req.method !== 'POST') {
        rejected++;
        httpError(res, 405, 'Method Not Allowed');
        return true;
      }
      await serveLiveStart(startCtx, req, res);
      return true;
    },
    inUse: (pipeline) => streams.inUse(pipeline),
    stats: () => ({ streams: streams.stats(), started: streams.started, rejected }),
    close: async () => {
      await streams.closeAll();
      trickle.close();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
