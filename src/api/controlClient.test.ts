// The typed client covers the whole control API: every route of CONTROL_ROUTES, with each of its methods, is
// reached by some typed method (checked against a recording HTTP server on loopback).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from './controlClient.js';
import { CONTROL_ROUTES, type RouteSpec } from './routes.js';

const TOKEN = 'test-token';
const hits: Array<{ method: string; path: string; auth: string | undefined; body: string }> = [];
let server: Server;
let client: ControlClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname, auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"pools":{},"sessions":[]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new ControlClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: TOKEN, dataDir: '/nowhere' });
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function matches(pattern: string, path: string): boolean {
  return new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(path);
}

describe('ControlClient', () => {
  it('has a typed method for every route and method of the control API', async () => {
    const hash = `0x${'ab'.repeat(32)}`;
    await client.status();
    await client.config();
    await client.updateConfig({ set: { logLevel: 'debug' } });
    await client.shutdown();
    await client.healthy();
    await client.metrics();
    await client.orchestrators();
    await client.sessions();
    await client.session('s-1');
    await client.tickets(5);
    await client.failovers(5);
    await client.prices();
    await client.setPrice({ target: 'max', pipeline: 'llm', modelId: 'default', pricePerUnit: '1' });
    await client.aiNetwork({ pipeline: 'llm', model: 'm', refresh: true });
    await client.aiPools();
    await client.aiCapabilities();
    await client.aiJobs();
    await client.aiJob('job-1');
    await client.networkCapabilities(true);
    await client.aiSessionPoolsInfo();
    await client.liveStreams().catch(() => undefined);
    await client.liveStart({ stream: 's', rtmpUrl: 'rtmp://h/a/k' });
    await client.liveStream('s');
    await client.liveUpdate('s', { hue: 1 });
    await client.liveStop('s');
    await client.account({ poolSize: 3 });
    for (const action of ['deposit', 'reserve', 'deposit-and-reserve', 'unlock', 'cancel-unlock', 'withdraw'] as const) await client.fund(action, { amountWei: 1n });
    await client.tx(hash);
    const ac = new AbortController();
    const events = client.events({ signal: ac.signal });
    // The recorder answers the SSE request with a plain JSON body and closes: the stream simply ends.
    for await (const _ of events) break;

    const missing: string[] = [];
    for (const [pattern, spec] of Object.entries(CONTROL_ROUTES) as Array<[string, RouteSpec]>) {
      for (const m of spec.methods) if (!hits.some((h) => h.method === m && matches(pattern, h.path))) missing.push(`${m} ${pattern}`);
    }
    expect(missing).toEqual([]);
    // Nothing the client sends falls outside the table.
    expect(hits.filter((h) => !Object.keys(CONTROL_ROUTES).some((p) => matches(p, h.path)))).toEqual([]);
    expect(hits.every((h) => h.auth === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('sends wei amounts as decimal strings and encodes path parameters', async () => {
    hits.length = 0;
    await client.fund('deposit-and-reserve', { depositWei: 10n ** 18n, reserveWei: 5n });
    await client.session('a/b c');
    expect(JSON.parse(hits[0]!.body)).toEqual({ depositWei: '1000000000000000000', reserveWei: '5' });
    expect(hits[1]!.path).toBe('/v1/sessions/a%2Fb%20c');
  });
});
