// Candidate sources: static list, webhook (real local HTTP server), remote signer discovery, blocklist, precedence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Blocklist } from '../../src/core/discovery/blocklist.js';
import {
  NO_ORCHESTRATOR_MESSAGE,
  OnChainPool,
  StaticPool,
  WebhookPool,
  choosePool,
  parseDiscoveryBody,
  signerDiscoveryPool,
  signerDiscoveryUrl,
} from '../../src/core/discovery/pools.js';

interface Reply {
  status: number;
  body: string;
  delayMs?: number;
}

let server: Server;
let base: string;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
const replies = new Map<string, Reply>();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const r = replies.get((req.url ?? '').split('?')[0]!) ?? { status: 404, body: 'not found' };
    setTimeout(() => {
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    }, r.delayMs ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('static pool', () => {
  it('normalises -orchAddr entries, score 1.0, no duplicates', async () => {
    const pool = new StaticPool([':9000', 'o1.example', 'https://o2.example:1234', 'o1.example:8935', ' ']);
    expect(await pool.candidates()).toEqual([
      { uri: 'https://127.0.0.1:9000', score: 1 },
      { uri: 'https://o1.example:8935', score: 1 },
      { uri: 'https://o2.example:1234', score: 1 },
    ]);
    expect(pool.kind).toBe('static');
  });
});

describe('webhook pool', () => {
  it('re-reads at most once a minute, keeps the list on an identical body, keeps the last good list on errors', async () => {
    let now = 1_000_000;
    replies.set('/orchs', {
      status: 200,
      body: JSON.stringify([{ address: 'https://a.example:8935', score: 1 }, { address: 'https://b.example:8935' }, { address: 'not a url' }, { score: 1 }]),
    });
    const pool = new WebhookPool({ url: `${base}/orchs`, headers: { 'x-token': 'secret' }, now: () => now });
    const first = await pool.candidates();
    expect(first).toEqual([
      { uri: 'https://a.example:8935', score: 1 },
      { uri: 'https://b.example:8935', score: 0 },
    ]);
    expect(pool.skipped).toBe(2);
    expect(pool.fetches).toBe(1);
    expect(seen.at(-1)!.headers['x-token']).toBe('secret');

    now += 59_999;
    expect(await pool.candidates()).toBe(first);
    expect(pool.fetches).toBe(1);

    now += 1;
    expect(await pool.candidates()).toBe(first); // identical body → same list object
    expect(pool.fetches).toBe(2);

    replies.set('/orchs', { status: 200, body: JSON.stringify([{ address: 'https://c.example:8935', score: 0.5 }]) });
    now += 60_000;
    const second = await pool.candidates();
    expect(second).toEqual([{ uri: 'https://c.example:8935', score: 0.5 }]);

    replies.set('/orchs', { status: 500, body: 'boom' });
    now += 60_000;
    expect(await pool.candidates()).toBe(second);
    expect(pool.lastError?.message).toMatch(/HTTP 500: boom/);
    expect(pool.fetches).toBe(4);
    now += 1000;
    expect(await pool.candidates()).toBe(second); // no retry within the minute
    expect(pool.fetches).toBe(4);

    replies.set('/orchs', { status: 200, body: '{"not":"a list"}' });
    now += 60_000;
    expect(await pool.candidates()).toBe(second);
    expect(pool.lastError?.message).toMatch(/not a JSON array/);
  });

  it('concurrent callers share one request', async () => {
    replies.set('/shared', { status: 200, body: '[{"address":"https://x.example:1"}]', delayMs: 50 });
    const pool = new WebhookPool({ url: `${base}/shared` });
    const [a, b] = await Promise.all([pool.candidates(), pool.candidates()]);
    expect(a).toBe(b);
    expect(pool.fetches).toBe(1);
  });

  it('without a good list errors throw (and the next call retries), timeouts included', async () => {
    replies.set('/slow', { status: 200, body: '[]', delayMs: 400 });
    const pool = new WebhookPool({ url: `${base}/slow`, timeoutMs: 100 });
    await expect(pool.candidates()).rejects.toThrow(/no answer within 100 ms/);
    replies.set('/slow', { status: 200, body: '[{"address":"http://127.0.0.1:1"}]' });
    expect(await pool.candidates()).toEqual([{ uri: 'http://127.0.0.1:1', score: 0 }]);
    expect(pool.fetches).toBe(2);
    expect(() => new WebhookPool({ url: 'ftp://x' })).toThrow(/not an http/);
  });

  it('parses bodies strictly at the top level, leniently per entry', () => {
    expect(() => parseDiscoveryBody('nope')).toThrow(/not JSON/);
    expect(parseDiscoveryBody('[{"address":"https://a:1","score":2,"capabilities":["live-video-to-video/m",3]},{"address":"https://a:1"}]')).toEqual({
      candidates: [{ uri: 'https://a:1', score: 2, capabilities: ['live-video-to-video/m'] }],
      skipped: 0,
    });
  });
});

describe('remote signer discovery', () => {
  it('builds the URL with repeated caps (https assumed)', () => {
    expect(signerDiscoveryUrl('signer.example:3935', ['live-video-to-video/a', 'b'])).toBe(
      'https://signer.example:3935/discover-orchestrators?caps=live-video-to-video%2Fa&caps=b',
    );
    expect(signerDiscoveryUrl('http://127.0.0.1:8935/')).toBe('http://127.0.0.1:8935/discover-orchestrators');
  });

  it('reads the signer list with signer headers; 503 "cache empty" until it has entries', async () => {
    replies.set('/discover-orchestrators', { status: 503, body: '{"error":{"message":"cache empty"}}' });
    const pool = signerDiscoveryPool({ signerUrl: base, headers: { authorization: 'Bearer t' }, caps: ['live-video-to-video/m'] });
    expect(pool.kind).toBe('remote-signer');
    await expect(pool.candidates()).rejects.toThrow(/remote signer discovery .* HTTP 503/);
    replies.set('/discover-orchestrators', {
      status: 200,
      body: JSON.stringify([{ address: 'https://o.example:8935', score: 1, capabilities: ['live-video-to-video/m'], runners: [] }]),
    });
    expect(await pool.candidates()).toEqual([{ uri: 'https://o.example:8935', score: 1, capabilities: ['live-video-to-video/m'] }]);
    const req = seen.at(-1)!;
    expect(req.url).toBe('/discover-orchestrators?caps=live-video-to-video%2Fm');
    expect(req.headers['authorization']).toBe('Bearer t');
  });
});

describe('blocklist', () => {
  it('matches addresses in any case, with or without 0x', () => {
    const addr = new Uint8Array(20).fill(0xab);
    const bl = Blocklist.parse('0xABABABABABABABABABABABABABABABABABABABAB, 0000000000000000000000000000000000000001');
    expect(bl.size).toBe(2);
    expect(bl.has(addr)).toBe(true);
    expect(bl.has('abababababababababababababababababababab')).toBe(true);
    expect(bl.has('0x0000000000000000000000000000000000000001')).toBe(true);
    expect(bl.has(new Uint8Array(20))).toBe(false);
    expect(bl.has(new Uint8Array(0))).toBe(false);
    expect(() => Blocklist.parse(['0x1234'])).toThrow(/not an address/);
    expect(Blocklist.EMPTY.has(addr)).toBe(false);
  });
});

describe('source precedence (§10.1)', () => {
  it('webhook, then static list, then on-chain, then remote signer; none → error', () => {
    const onChain = { client: {} as never, bondingManager: '0x0000000000000000000000000000000000000001' as const, serviceRegistry: '0x0000000000000000000000000000000000000002' as const };
    expect(choosePool({ orchWebhookUrl: `${base}/orchs`, orchAddr: ['a:1'], remoteSignerUrl: base, onChain }).kind).toBe('webhook');
    expect(choosePool({ orchAddr: ['a:1'], remoteSignerUrl: base, onChain }).kind).toBe('static');
    expect(choosePool({ orchAddr: [''], remoteSignerUrl: base, onChain })).toBeInstanceOf(OnChainPool);
    expect(choosePool({ remoteSignerUrl: base }).kind).toBe('remote-signer');
    expect(() => choosePool({})).toThrow(NO_ORCHESTRATOR_MESSAGE);
  });
});
