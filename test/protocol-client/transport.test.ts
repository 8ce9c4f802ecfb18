// The HTTP transport against small real servers on 127.0.0.1: TLS HTTP/2 (self-signed), HTTP/1.1, a port nobody
// listens on and a TCP listener that never completes a TLS handshake.
import http from 'node:http';
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import net from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSignedCert } from '../../src/devnet/orchestrator/cert.js';
import { TransportError } from '../../src/lib/protocol/errors.js';
import { H2Pool } from '../../src/lib/protocol/h2Pool.js';
import { wireRequest } from '../../src/lib/protocol/httpTransport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// An h2c server in a child process that answers every request after 500 ms.
const H2C_SLOW_PEER = `
const server = require('node:http2').createServer((req, res) => setTimeout(() => res.end('late body'), 500));
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port)));
`;

function route(path: string, respond: (status: number, body: Buffer | string, headers?: Record<string, string>) => void, flushHeaders: () => void, readBody: () => Promise<Buffer>) {
  return (async () => {
    const q = new URL(path, 'http://x');
    if (q.pathname === '/echo') return respond(200, await readBody());
    if (q.pathname === '/slow-headers') {
      await sleep(Number(q.searchParams.get('ms') ?? 1000));
      return respond(200, 'late');
    }
    if (q.pathname === '/slow-body') {
      flushHeaders();
      await sleep(Number(q.searchParams.get('ms') ?? 1000));
      return respond(200, 'late body');
    }
    if (q.pathname === '/big') return respond(200, Buffer.alloc(Number(q.searchParams.get('n') ?? 1000), 7));
    return respond(404, 'not found\n');
  })();
}

describe('wireRequest', () => {
  const pool = new H2Pool();
  const cert = generateSelfSignedCert(['127.0.0.1']);
  let h2Server: http2.Http2SecureServer;
  let h1Server: http.Server;
  let blackHole: net.Server;
  const holes: net.Socket[] = [];
  let h2Url = '';
  let h1Url = '';
  let deadUrl = '';
  let holeUrl = '';
  const sessionsSeen = new Set<unknown>();

  beforeAll(async () => {
    h2Server = http2.createSecureServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      sessionsSeen.add(req.stream.session);
      const chunks: Buffer[] = [];
      const body = new Promise<Buffer>((r) => {
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => r(Buffer.concat(chunks)));
      });
      void route(req.url, (s, b, h) => { if (!res.headersSent) res.writeHead(s, h); res.end(b); }, () => { res.writeHead(200); (res as unknown as { flushHeaders(): void }).flushHeaders(); }, () => body);
    });
    h1Server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      const body = new Promise<Buffer>((r) => {
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => r(Buffer.concat(chunks)));
      });
      void route(req.url ?? '/', (s, b, h) => { if (!res.headersSent) res.writeHead(s, h); res.end(b); }, () => { res.writeHead(200); res.flushHeaders(); }, () => body);
    });
    blackHole = net.createServer((s) => holes.push(s));
    const dead = net.createServer();
    for (const s of [h2Server, h1Server, blackHole, dead] as net.Server[]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    h2Url = `https://127.0.0.1:${(h2Server.address() as net.AddressInfo).port}`;
    h1Url = `http://127.0.0.1:${(h1Server.address() as net.AddressInfo).port}`;
    holeUrl = `https://127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`;
    deadUrl = `https://127.0.0.1:${(dead.address() as net.AddressInfo).port}`;
    await new Promise<void>((r) => dead.close(() => r()));
  });

  afterAll(async () => {
    await pool.close();
    for (const s of holes) s.destroy();
    await Promise.all([h2Server, h1Server, blackHole].map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  const opts = { dialTimeoutMs: 2000, headersTimeoutMs: 2000, totalTimeoutMs: 4000, pool };

  it('posts a body and reads it back over HTTP/2 (TLS, no verification) and HTTP/1.1', async () => {
    const body = new Uint8Array(300_000).map((_, i) => i & 0xff);
    for (const base of [h2Url, h1Url]) {
      const res = await wireRequest(`${base}/echo`, { ...opts, method: 'POST', body, headers: { 'content-type': 'video/MP2T' } });
      expect(res.status).toBe(200);
      expect(Buffer.compare(res.body, Buffer.from(body))).toBe(0);
      expect(res.headersMs).toBeGreaterThan(0);
    }
  });

  it('shares one session for concurrent requests to an origin', async () => {
    sessionsSeen.clear();
    await Promise.all(Array.from({ length: 10 }, () => wireRequest(`${h2Url}/big?n=10`, { ...opts, method: 'GET' })));
    expect(sessionsSeen.size).toBe(1);
    // Large receive windows: a rendition does not wait a round trip per 64 KiB.
    const conn = await pool.connect(new URL(h2Url), { dialTimeoutMs: 1000 });
    expect(conn.kind).toBe('h2');
    if (conn.kind === 'h2') expect(conn.session.state.localWindowSize).toBeGreaterThan(8 * 1024 * 1024);
  });

  it('tells a header timeout from a body timeout', async () => {
    const t0 = performance.now();
    const h = await wireRequest(`${h2Url}/slow-headers?ms=1500`, { ...opts, method: 'GET', headersTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(h).toBeInstanceOf(TransportError);
    expect((h as TransportError).phase).toBe('headers');
    expect((h as TransportError).reason).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(1000);
    const b = await wireRequest(`${h1Url}/slow-body?ms=1500`, { ...opts, method: 'GET', totalTimeoutMs: 400 }).catch((e: unknown) => e);
    expect((b as TransportError).phase).toBe('body');
    expect((b as TransportError).reason).toBe('timeout');
    const b2 = await wireRequest(`${h2Url}/slow-body?ms=1500`, { ...opts, method: 'GET', totalTimeoutMs: 400 }).catch((e: unknown) => e);
    expect((b2 as TransportError).phase).toBe('body');
    // The session survives a timed-out stream and serves the next request.
    expect((await wireRequest(`${h2Url}/big?n=5`, { ...opts, method: 'GET' })).body.length).toBe(5);
  });

  it('keeps an exchange whose peer answers PINGs, even when our own event loop stalls past the PING deadline', async () => {
    // The peer runs in its own process, so it answers the PING while this process is stalled.
    const peer = spawn(process.execPath, ['-e', H2C_SLOW_PEER], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve) => peer.stdout.once('data', (d: Buffer) => resolve(Number(d.toString()))));
      const url = `http://127.0.0.1:${port}`;
      const conn = await pool.connect(new URL(url), { dialTimeoutMs: 1000 });
      if (conn.kind !== 'h2') throw new Error('expected an HTTP/2 session');
      // Stall right after the first PING leaves, in the check phase: the next loop turn then meets the expired
      // deadline before it reads the answer that arrived meanwhile.
      const ping = conn.session.ping.bind(conn.session);
      let stalled = false;
      conn.session.ping = ((...args: Parameters<typeof ping>) => {
        const sent = ping(...args);
        if (!stalled) {
          stalled = true;
          setImmediate(() => {
            const until = performance.now() + 300;
            while (performance.now() < until) {
              // stall
            }
          });
        }
        return sent;
      }) as typeof ping;
      const res = await wireRequest(`${url}/`, { ...opts, method: 'GET', h2c: true, liveness: { checkEveryMs: 50, answerWithinMs: 100 } });
      expect(stalled).toBe(true);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('late body');
    } finally {
      peer.kill();
    }
  });

  it('fails fast on a closed port and times out a stalled TLS handshake in the dial phase', async () => {
    const t0 = performance.now();
    const refused = await wireRequest(`${deadUrl}/x`, { ...opts, method: 'GET' }).catch((e: unknown) => e);
    expect((refused as TransportError).phase).toBe('dial');
    expect((refused as TransportError).reason).toBe('refused');
    expect(performance.now() - t0).toBeLessThan(500);
    const t1 = performance.now();
    const stalled = await wireRequest(`${holeUrl}/x`, { ...opts, method: 'GET', dialTimeoutMs: 300 }).catch((e: unknown) => e);
    expect((stalled as TransportError).phase).toBe('dial');
    expect((stalled as TransportError).reason).toBe('timeout');
    expect(performance.now() - t1).toBeLessThan(1000);
  });

  it('enforces the size limit and the abort signal', async () => {
    const big = await wireRequest(`${h2Url}/big?n=200000`, { ...opts, method: 'GET', maxBytes: 100_000 }).catch((e: unknown) => e);
    expect((big as TransportError).reason).toBe('too-large');
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 100);
    const aborted = await wireRequest(`${h2Url}/slow-headers?ms=1000`, { ...opts, method: 'GET', signal: ctrl.signal }).catch((e: unknown) => e);
    expect((aborted as TransportError).reason).toBe('aborted');
  });

  it('closes idle sessions and replaces sessions the server dropped', async () => {
    const short = new H2Pool({ idleMs: 150 });
    try {
      await wireRequest(`${h2Url}/big?n=1`, { ...opts, pool: short, method: 'GET' });
      expect(short.size).toBe(1);
      await sleep(400);
      expect(short.size).toBe(0);
      sessionsSeen.clear();
      await wireRequest(`${h2Url}/big?n=1`, { ...opts, pool: short, method: 'GET' });
      for (const s of sessionsSeen) (s as http2.ServerHttp2Session).destroy();
      await sleep(100);
      expect(short.size).toBe(0);
      const res = await wireRequest(`${h2Url}/big?n=3`, { ...opts, pool: short, method: 'GET' });
      expect(res.body.length).toBe(3);
      // A graceful server close (GOAWAY) while a request is in flight: that request completes, the next redials.
      sessionsSeen.clear();
      const inFlight = wireRequest(`${h2Url}/slow-headers?ms=200`, { ...opts, pool: short, method: 'GET' });
      await sleep(50);
      for (const s of sessionsSeen) (s as http2.ServerHttp2Session).close();
      expect((await inFlight).body.toString()).toBe('late');
      await sleep(50);
      expect(short.size).toBe(0);
      expect((await wireRequest(`${h2Url}/big?n=4`, { ...opts, pool: short, method: 'GET' })).body.length).toBe(4);
    } finally {
      await short.close();
    }
  });

  it('does not keep a process alive once idle, but does while a request is in flight', async () => {
    const t0 = performance.now();
    const child = await execa(process.execPath, ['--import', 'tsx', 'test/protocol-client/helpers/child-request.ts', `${h2Url}/slow-headers?ms=700`, `${h1Url}/slow-headers?ms=300`], {
      timeout: 15_000,
      reject: false,
      env: { NODE_NO_WARNINGS: '0' },
    });
    expect(child.stdout).toBe('status=200 body=late\nstatus=200 body=late');
    expect(child.exitCode).toBe(0);
    // No DEP0123 (IP as SNI) or other warnings.
    expect(child.stderr).toBe('');
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
