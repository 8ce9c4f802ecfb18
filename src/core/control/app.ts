import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { ConfigUpdateRequest, StatusResponse } from '../../api/contract.js';
import type { ErrorCode } from '../../lib/errors.js';
import type { EventBus } from '../eventBus.js';
import { errorResponse, httpStatusFor } from '../http/errorResponse.js';
import type { Logger } from '../logger.js';
import type { RuntimeConfig } from '../runtimeConfig.js';
import { bearerMatches } from './token.js';
import { routesOf } from '../../api/routes.js';

/** What the control API needs from the daemon. */
export interface ControlContext {
  readonly token: string;
  readonly bus: EventBus;
  readonly config: RuntimeConfig;
  status(): StatusResponse;
  /** Begins a graceful shutdown; resolves once intake is stopped. */
  shutdown(reason: string): { drainTimeoutMs: number };
  /** Prometheus text exposition, when metrics exist. */
  metrics?(): Promise<string>;
  /** Resolves when the daemon is closing: open event streams end then. */
  readonly closing: Promise<void>;
  /** Where internal errors (bugs) are logged with their stack. */
  readonly log?: Pick<Logger, 'error'>;
}

export const MAX_BODY_BYTES = 64 * 1024;
const SSE_KEEPALIVE_MS = 15_000;

/** Path pattern (Hono syntax, `:param` segments) → allowed methods. Mutations are POST only. */
export type RouteTable = Record<string, readonly ('GET' | 'POST')[]>;

/** A group of control routes contributed by a daemon module (funding, sessions, AI prices, …). */
export interface ControlRouteModule {
  readonly routes: RouteTable;
  register(app: Hono): void;
}

const CORE_ROUTES: RouteTable = routesOf('core');

function compileRoutes(table: RouteTable): Array<{ re: RegExp; methods: readonly string[] }> {
  return Object.entries(table).map(([pattern, methods]) => ({
    re: new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`),
    methods,
  }));
}

/** Answers with the API's error shape, at the status of `code` (core/http/errorResponse.ts). */
export function apiError(c: Context, code: ErrorCode, message: string): Response {
  return c.json({ error: { code, message } }, httpStatusFor(code) as ContentfulStatusCode);
}

/** Answers for any thrown value: a GwError by its code, a bug as 500 `internal` (logged with its stack). */
export function thrownError(c: Context, err: unknown, log: Pick<Logger, 'error'> | undefined): Response {
  const { status, body } = errorResponse(err, log, { method: c.req.method, path: c.req.path });
  return c.json(body, status as ContentfulStatusCode);
}

/** Builds the control API (a Hono app, so routes are testable without a socket). */
export function createControlApp(ctx: ControlContext, modules: readonly ControlRouteModule[] = []): Hono {
  const app = new Hono();
  const routes = compileRoutes(Object.assign({}, CORE_ROUTES, ...modules.map((m) => m.routes)));

  app.onError((err, c) => thrownError(c, err, ctx.log));
  app.notFound((c) => apiError(c, 'not_found', `no such endpoint: ${c.req.method} ${c.req.path}`));

  app.use('*', async (c, next) => {
    const allowed = routes.find((r) => r.re.test(c.req.path))?.methods;
    if (allowed && !allowed.includes(c.req.method) && !(c.req.method === 'HEAD' && allowed.includes('GET'))) {
      c.header('Allow', allowed.join(', '));
      return apiError(c, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}`);
    }
    const open = c.req.path === '/healthz' || (c.req.path === '/metrics' && ctx.config.get('metricsPublic'));
    if (!open && !bearerMatches(c.req.header('authorization'), ctx.token)) {
      return apiError(c, 'unauthorized', 'missing or wrong bearer token (see control.token in the data dir)');
    }
    return next();
  });

  app.use(
    '*',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => apiError(c, 'body_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`) }),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));

  app.get('/metrics', async (c) => {
    if (!ctx.metrics) return apiError(c, 'not_found', 'metrics are not enabled');
    return c.text(await ctx.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });

  app.get('/v1/status', (c) => c.json(ctx.status()));

  app.get('/v1/config', (c) => c.json(ctx.config.describe()));

  app.post('/v1/config', async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const req = parseConfigUpdate(body);
    if (typeof req === 'string') return apiError(c, 'bad_request', req);
    // a SettingError answers 400 invalid_setting through onError, by its code
    return c.json(ctx.config.update(req));
  });

  app.post('/v1/shutdown', async (c) => {
    const { drainTimeoutMs } = ctx.shutdown('requested through the control API');
    return c.json({ draining: true, drainTimeoutMs }, 202);
  });

  app.get('/v1/events', (c) => {
    const lastId = Number(c.req.header('last-event-id') ?? c.req.query('since') ?? NaN);
    return streamSSE(c, async (stream) => {
      const queue = Number.isFinite(lastId) ? ctx.bus.since(lastId) : [];
      let wake: (() => void) | undefined;
      const unsubscribe = ctx.bus.subscribe((ev) => {
        queue.push(ev);
        wake?.();
      });
      let done = false;
      const finish = () => {
        done = true;
        wake?.();
      };
      stream.onAbort(finish);
      void ctx.closing.then(finish);
      const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(finish), SSE_KEEPALIVE_MS);
      try {
        await stream.write(': connected\n\n');
        while (!done) {
          while (queue.length > 0 && !done) {
            const ev = queue.shift()!;
            await stream.writeSSE({ event: ev.type, id: String(ev.seq), data: JSON.stringify(ev) });
          }
          if (!done) await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      } finally {
        clearInterval(keepalive);
        unsubscribe();
      }
    });
  });

  for (const m of modules) m.register(app);

  return app;
}

/** Reads a JSON body; answers 400 with the parser's reason (returned as a Response) when it is not JSON. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return apiError(c, 'bad_json', 'request body is empty; expected a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return apiError(c, 'bad_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

function parseConfigUpdate(body: unknown): ConfigUpdateRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object like {"set": {"key": "value"}, "unset": ["key"]}';
  const { set, unset, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `unknown field "${extra[0]}"; expected "set" and/or "unset"`;
  if (set !== undefined && (typeof set !== 'object' || set === null || Array.isArray(set))) return '"set" must be an object of key → value';
  if (unset !== undefined && (!Array.isArray(unset) || !unset.every((k) => typeof k === 'string'))) return '"unset" must be an array of setting keys';
  if (set === undefined && unset === undefined) return 'nothing to do: give "set" and/or "unset"';
  return { set: set as ConfigUpdateRequest['set'], unset: unset as string[] | undefined };
}
