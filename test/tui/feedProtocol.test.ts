import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/api/controlClient.js';
import { DashboardFeed } from '../../src/tui/feed.js';
import { LiveStore } from '../../src/tui/liveStore.js';
import { STATUS } from './fixture.js';

/**
 * A daemon of an older build, on a real loopback socket: it serves only /v1/status and /v1/events, answers
 * 404 elsewhere, and drops the event stream after two events. The real daemon cannot be made to do that.
 */
describe('feed protocol edges (a minimal control API on 127.0.0.1)', () => {
  const hits = new Map<string, number>();
  const lastEventIds: Array<string | undefined> = [];
  let streams = 0;
  let server: Server;
  let baseUrl = '';

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (req.headers.authorization !== 'Bearer t0ken') return void res.writeHead(401).end();
      if (path === '/v1/status') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(STATUS));
      if (path === '/v1/events') {
        lastEventIds.push(req.headers['last-event-id'] as string | undefined);
        const base = streams++ * 2;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': connected\n\n');
        for (let i = 1; i <= 2; i++) {
          const ev = { type: 'log', seq: base + i, ts: Date.now(), level: 'info', module: 'old', msg: `line ${base + i}` };
          res.write(`event: log\nid: ${ev.seq}\ndata: ${JSON.stringify(ev)}\n\n`);
        }
        // an older daemon that drops the stream: the feed must reconnect and resume after the last id
        setTimeout(() => res.end(), 50);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: `no such endpoint: GET ${path}` } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('goes live, skips endpoints that answered 404, and resumes the event stream after the last id', async () => {
    const store = new LiveStore(0);
    const ac = new AbortController();
    const states: string[] = [];
    const feed = new DashboardFeed({
      clientFactory: () => new ControlClient({ baseUrl, token: 't0ken', dataDir: '/nowhere' }),
      sink: {
        event: (e) => store.event(e),
        snapshot: (s) => store.snapshot(s),
        connection: (c) => {
          states.push(c.state);
          store.connection(c);
        },
        daemonRestarted: (at) => store.daemonRestarted(at),
      },
      signal: ac.signal,
      pollMs: 100,
      minBackoffMs: 50,
      maxBackoffMs: 100,
    });
    const done = feed.run();
    const deadline = Date.now() + 10_000;
    while (store.state.eventsApplied < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await done;
    store.close();

    expect(store.state.eventsApplied).toBeGreaterThanOrEqual(6);
    expect(store.state.logs.toArray().map((l) => l.msg).slice(0, 6)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    // first connection asks for the daemon's history (0), later ones resume after the last event seen
    expect(lastEventIds.slice(0, 3)).toEqual(['0', '2', '4']);
    expect(states).toContain('live');
    expect(states).toContain('reconnecting');
    expect([...store.state.missing].sort()).toEqual(['config', 'failovers', 'live', 'orchestrators', 'sessions', 'tickets']);
    // each missing endpoint is asked once per connection, not every poll
    expect(hits.get('/v1/orchestrators')).toBeLessThanOrEqual(streams);
    expect(store.state.status?.pid).toBe(STATUS.pid);
  });
});
