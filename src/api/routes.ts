// The control API's route table, in one place: the daemon's route modules serve exactly these paths (and answer
// 405 with `Allow` for other methods), the typed client has a method for each (test/control/clientRoutes.test.ts),
// and docs/architecture.md's route table is generated from it (scripts/gen-routes-doc.mjs).

export type RouteMethod = 'GET' | 'POST';

/** Which daemon module serves a route. */
export type RouteGroup = 'core' | 'gateway' | 'ai' | 'live' | 'chain';

export interface RouteSpec {
  readonly methods: readonly RouteMethod[];
  readonly group: RouteGroup;
  /** What the route does, for the docs. */
  readonly summary: string;
  /** No bearer token needed. */
  readonly open?: boolean;
}

/** Every control-API route (Hono path syntax: `:param` is one segment). */
export const CONTROL_ROUTES = {
  '/healthz': { methods: ['GET'], group: 'core', open: true, summary: '`{"ok":true}` while the daemon runs, no details' },
  '/metrics': { methods: ['GET'], group: 'core', summary: 'Prometheus text (no token with `--metrics-public`)' },
  '/v1/status': { methods: ['GET'], group: 'core', summary: 'version, pid, uptime, mode, endpoints, orchestrator and session counts, draining' },
  '/v1/config': { methods: ['GET', 'POST'], group: 'core', summary: 'every setting with value and source / `{"set":{…},"unset":[…]}` validated as a whole, persisted, applied live or marked pending-restart' },
  '/v1/events': { methods: ['GET'], group: 'core', summary: 'SSE of typed events; `Last-Event-ID` (or `?since=`) replays from a 2,000-event history' },
  '/v1/shutdown': { methods: ['POST'], group: 'core', summary: 'graceful stop: intake off (new work gets 503), drain up to `--drain-timeout`, exit' },
  '/v1/orchestrators': { methods: ['GET'], group: 'gateway', summary: 'known and rejected orchestrators with price, latency, success rate, suspension; the video cap' },
  '/v1/sessions': { methods: ['GET'], group: 'gateway', summary: 'streams and AI jobs, newest first' },
  '/v1/sessions/:id': { methods: ['GET'], group: 'gateway', summary: 'one stream or job with its segment timeline, failovers and tickets' },
  '/v1/tickets': { methods: ['GET'], group: 'gateway', summary: 'recent tickets, newest first (`?limit=` 1–1000, default 100)' },
  '/v1/failovers': { methods: ['GET'], group: 'gateway', summary: 'recent failovers, newest first (`?limit=` 1–1000, default 100)' },
  '/v1/prices': { methods: ['GET', 'POST'], group: 'ai', summary: 'video cap, per-capability caps, customer prices, ETH/USD rate / set or remove one per-capability price' },
  '/v1/ai/pools': { methods: ['GET'], group: 'ai', summary: 'AI session pools per (pipeline, model): warm/cold, in use, suspended' },
  '/v1/ai/network': { methods: ['GET'], group: 'ai', summary: "each orchestrator's AI offers (`?pipeline=&model=&refresh=1`)" },
  '/v1/ai/capabilities': { methods: ['GET'], group: 'ai', summary: 'marketplace listing: what this gateway serves, with price ranges and customer prices' },
  '/v1/ai/jobs': { methods: ['GET'], group: 'ai', summary: 'AI and BYOC jobs as sessions' },
  '/v1/ai/jobs/:id': { methods: ['GET'], group: 'ai', summary: 'one AI job' },
  '/getNetworkCapabilities': { methods: ['GET'], group: 'ai', summary: "go-livepeer's shape: every orchestrator's capabilities and prices" },
  '/getAISessionPoolsInfo': { methods: ['GET'], group: 'ai', summary: "go-livepeer's shape of the AI session pools" },
  '/v1/live': { methods: ['GET', 'POST'], group: 'live', summary: 'live AI streams, running then recently ended / `{"stream","rtmpUrl","pipeline","params",…}`: start one that pulls an RTMP source' },
  '/v1/live/:stream': { methods: ['GET'], group: 'live', summary: 'one live AI stream: pipeline, orchestrator, state, fps, latency, swaps, spend, params, HLS URL' },
  '/v1/live/:stream/update': { methods: ['POST'], group: 'live', summary: "new params (a JSON object) for a running stream: sent on its control channel and cached for later orchestrators" },
  '/v1/live/:stream/stop': { methods: ['POST'], group: 'live', summary: 'stop a live AI stream (its input is disconnected)' },
  '/v1/account': { methods: ['GET'], group: 'chain', summary: 'deposit, reserve, runway, unlock state and funding guidance (`?poolSize=`); 409 `offchain` off-chain' },
  '/v1/funding/deposit': { methods: ['POST'], group: 'chain', summary: '`{"amountWei"}`: TicketBroker fundDeposit; 202 with the tx hash once broadcast' },
  '/v1/funding/reserve': { methods: ['POST'], group: 'chain', summary: '`{"amountWei"}`: fundReserve' },
  '/v1/funding/deposit-and-reserve': { methods: ['POST'], group: 'chain', summary: '`{"depositWei","reserveWei"}`: fundDepositAndReserve' },
  '/v1/funding/unlock': { methods: ['POST'], group: 'chain', summary: 'start the unlock period' },
  '/v1/funding/cancel-unlock': { methods: ['POST'], group: 'chain', summary: 'cancel an unlock' },
  '/v1/funding/withdraw': { methods: ['POST'], group: 'chain', summary: 'withdraw deposit and reserve after the unlock period' },
  '/v1/tx/:hash': { methods: ['GET'], group: 'chain', summary: 'a funding transaction: pending, success or reverted, with block and fee' },
} as const satisfies Record<string, RouteSpec>;

export type ControlPath = keyof typeof CONTROL_ROUTES;

/** Path → methods for the routes one daemon module serves. */
export function routesOf(group: RouteGroup): Record<string, readonly RouteMethod[]> {
  const out: Record<string, readonly RouteMethod[]> = {};
  for (const [path, spec] of Object.entries(CONTROL_ROUTES) as Array<[string, RouteSpec]>) if (spec.group === group) out[path] = spec.methods;
  return out;
}
