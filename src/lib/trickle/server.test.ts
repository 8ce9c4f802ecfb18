import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTrickleServer } from './server.js';
import type { TrickleServer, TrickleServerOptions } from './server.js';

interface Harness {
  trickle: TrickleServer;
  http: http.Server;
  port: number;
  /** Resolves once the server has handled (registered) a request for `method path`. */
  handled(method: string, path: string): Promise<void>;
  /** Body bytes the server has handed to `res.write` so far, by `method path`. */
  written: Map<string, number>;
}

const CH = '/ai/trickle/ch';
let h: Harness;

async function start(opts: TrickleServerOptions = {}): Promise<Harness> {
  const trickle = createTrickleServer({ sweepIntervalMs: 0, ...opts });
  const waiters: { key: string; resolve: () => void }[] = [];
  const seen: string[] = [];
  const written = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    const write = res.write.bind(res) as (chunk: Buffer) => boolean;
    res.write = ((chunk: Buffer) => {
      written.set(key, (written.get(key) ?? 0) + chunk.length);
      return write(chunk);
    }) as typeof res.write;
    if (!trickle.handle(req, res)) {
      res.writeHead(418).end();
    }
    // handle() registers readers/writers synchronously, so this marks "the server knows about this request".
    seen.push(key);
    for (const w of waiters.filter((x) => x.key === key)) w.resolve();
  });
  server.requestTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    trickle,
    http: server,
    port: (server.address() as AddressInfo).port,
    written,
    handled: (method, path) => {
      const key = `${method} ${path}`;
      if (seen.includes(key)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ key, resolve }));
    },
  };
}

async function stop(x: Harness): Promise<void> {
  x.trickle.close();
  x.http.closeAllConnections();
  await new Promise((r) => x.http.close(r));
}

/** A request whose body the test writes piece by piece. */
function open(method: string, path: string, headers: http.OutgoingHttpHeaders = {}) {
  const req = http.request({ host: '127.0.0.1', port: h.port, method, path, headers, agent: false });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  return { req, response };
}

interface Full {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

async function full(res: http.IncomingMessage): Promise<Full> {
  return { status: res.statusCode ?? 0, headers: res.headers, body: await readAll(res) };
}

async function send(method: string, path: string, body?: string, headers: http.OutgoingHttpHeaders = {}): Promise<Full> {
  const { req, response } = open(method, path, headers);
  req.end(body);
  return full(await response);
}

/** The next body chunk of a streaming response. */
function nextData(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => res.once('data', (c: Buffer) => resolve(c.toString())));
}

/** Reads a streaming response until it holds `text`. */
async function readUntil(res: http.IncomingMessage, text: string): Promise<string> {
  let got = '';
  while (!got.includes(text)) got += await nextData(res);
  return got;
}

describe('trickle server over HTTP', () => {
  beforeEach(async () => {
    h = await start();
    h.trickle.createChannel('ch', 'text/plain');
  });
  afterEach(async () => stop(h));

  it('leaves paths outside the prefix to the host', async () => {
    expect((await send('GET', '/elsewhere')).status).toBe(418);
  });

  it('vector 1: publish/subscribe with Latest, then close → pending GET EOS, new GET 404, new POST 404', async () => {
    expect(await send('POST', `${CH}/0`, 'first')).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '0' } });
    expect(await send('POST', `${CH}/1`, 'second')).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '1' } });
    for (const [seq, body] of [[0, 'first'], [1, 'second']] as const) {
      const r = await send('GET', `${CH}/${seq}`);
      expect(r).toMatchObject({ status: 200, body });
      expect(r.headers['lp-trickle-seq']).toBe(String(seq));
      expect(r.headers['lp-trickle-latest']).toBe('2');
      expect(r.headers['content-type']).toBe('text/plain');
    }

    const pending = open('GET', `${CH}/2`);
    pending.req.end();
    await h.handled('GET', `${CH}/2`);
    expect(await send('DELETE', CH)).toMatchObject({ status: 200 });

    const eos = await full(await pending.response);
    expect(eos.status).toBe(200);
    expect(eos.headers['lp-trickle-closed']).toBe('terminated');
    expect(eos.body).toBe('');

    expect((await send('GET', `${CH}/2`)).status).toBe(404);
    const post = await send('POST', `${CH}/2`, 'invalid');
    expect(post.status).toBe(404);
    expect(post.headers.connection).toBe('close');
  });

  it('vector 2: an empty segment reads as 200, empty, Latest 1, not closed', async () => {
    expect(await send('POST', `${CH}/0`, '')).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '0' } });
    const r = await send('GET', `${CH}/0`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers['lp-trickle-seq']).toBe('0');
    expect(r.headers['lp-trickle-latest']).toBe('1');
    expect(r.headers['lp-trickle-closed']).toBeUndefined();
  });

  it('vector 3: reset releases a blocked reader; seq 0 keeps Hello, seq 1 holds after-reset', async () => {
    const writer0 = open('POST', `${CH}/0`, { 'content-type': 'text/plain' });
    writer0.req.write('Hello');
    const reader = open('GET', `${CH}/0`);
    reader.req.end();
    const readerRes = await reader.response;
    expect(await readUntil(readerRes, 'Hello')).toBe('Hello');
    const rest = readAll(readerRes);

    const reset = await send('POST', `${CH}/-1`, 'after-reset', { 'lp-trickle-reset': 'true' });
    expect(reset).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '1' } });
    expect(await rest).toBe('');

    expect((await send('GET', `${CH}/0`)).body).toBe('Hello');
    expect((await send('GET', `${CH}/1`)).body).toBe('after-reset');

    // The old writer's late bytes are still accepted (go-livepeer does the same) and its POST completes.
    writer0.req.end('late-bytes');
    expect((await full(await writer0.response)).status).toBe(200);
  });

  it('vector 4: start positions -1 and -2 before and after writes', async () => {
    const early = open('GET', `${CH}/-1`);
    early.req.end();
    await h.handled('GET', `${CH}/-1`);
    expect(await send('POST', `${CH}/-1`, 'zeroth')).toMatchObject({ headers: { 'lp-trickle-seq': '0' } });
    const e = await full(await early.response);
    expect(e).toMatchObject({ status: 200, body: 'zeroth', headers: { 'lp-trickle-seq': '0' } });
    expect(await send('POST', `${CH}/-1`, 'first')).toMatchObject({ headers: { 'lp-trickle-seq': '1' } });

    const current = await send('GET', `${CH}/-2`);
    expect(current).toMatchObject({ status: 200, body: 'first', headers: { 'lp-trickle-seq': '1' } });
    const next = open('GET', `${CH}/-1`);
    next.req.end();
    const after = open('GET', `${CH}/2`);
    after.req.end();
    await Promise.all([h.handled('GET', `${CH}/-1`), h.handled('GET', `${CH}/2`)]);
    await send('POST', `${CH}/-1`, 'second');
    for (const r of [await full(await next.response), await full(await after.response)]) {
      expect(r).toMatchObject({ status: 200, body: 'second', headers: { 'lp-trickle-seq': '2' } });
    }
  });

  it('before any write a GET may wait on seq 0 or 1; seq 2 is 470', async () => {
    expect(await send('GET', `${CH}/2`)).toMatchObject({ status: 470, headers: { 'lp-trickle-latest': '0' } });
    const early = open('GET', `${CH}/1`);
    early.req.end();
    await h.handled('GET', `${CH}/1`);
    await send('POST', `${CH}/0`, 'a');
    await send('POST', `${CH}/1`, 'b');
    expect(await full(await early.response)).toMatchObject({ status: 200, body: 'b', headers: { 'lp-trickle-seq': '1' } });
  });

  it('streams a segment to a reader before the writer has finished it', async () => {
    const writer = open('POST', `${CH}/0`, { 'content-type': 'text/plain' });
    writer.req.write('abc');
    const reader = open('GET', `${CH}/0`);
    reader.req.end();
    const res = await reader.response;
    expect(res.headers['lp-trickle-seq']).toBe('0');
    expect(await readUntil(res, 'abc')).toBe('abc');
    writer.req.write('def');
    expect(await readUntil(res, 'def')).toBe('def');
    const rest = readAll(res);
    writer.req.end('ghi');
    expect(await rest).toBe('ghi');
    expect(await full(await writer.response)).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '0' } });
  });

  it('a second POST to the same seq appends', async () => {
    const first = open('POST', `${CH}/0`);
    first.req.write('Hello');
    const reader = open('GET', `${CH}/0`);
    reader.req.end();
    const res = await reader.response;
    expect(await readUntil(res, 'Hello')).toBe('Hello');
    const rest = readAll(res);
    expect(await send('POST', `${CH}/0`, 'GoodbyWorld')).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '0' } });
    expect(await rest).toBe('GoodbyWorld');
    first.req.end();
    expect((await full(await first.response)).status).toBe(200);
    expect((await send('GET', `${CH}/0`)).body).toBe('HelloGoodbyWorld');
  });

  it('a broken upload leaves the segment open so a retry appends to it', async () => {
    const broken = open('POST', `${CH}/0`);
    broken.response.catch(() => undefined);
    broken.req.write('Hel');
    const reader = open('GET', `${CH}/0`);
    reader.req.end();
    const res = await reader.response;
    expect(await readUntil(res, 'Hel')).toBe('Hel');
    const rest = readAll(res);
    broken.req.destroy();
    await vi.waitFor(() => expect(h.trickle.channel('ch')?.segmentAt(0)?.buffer.listenerCount).toBe(1));
    expect(await send('POST', `${CH}/0`, 'lo')).toMatchObject({ status: 200 });
    expect(await rest).toBe('lo');
  });

  it('answers 470 with Latest for seqs outside the ring', async () => {
    for (let i = 0; i < 7; i++) await send('POST', `${CH}/${i}`, `s${i}`);
    for (const seq of [0, 1, 9]) {
      const r = await send('GET', `${CH}/${seq}`);
      expect(r).toMatchObject({ status: 470, body: 'Entry not found' });
      expect(r.headers['lp-trickle-latest']).toBe('7');
      expect(r.headers['lp-trickle-seq']).toBe(String(seq));
    }
    expect(await send('GET', `${CH}/2`)).toMatchObject({ status: 200, body: 's2' });
  });

  it('GET /next reports the write head', async () => {
    expect(await send('GET', `${CH}/next`)).toMatchObject({ status: 200, body: '0', headers: { 'lp-trickle-latest': '0' } });
    await send('POST', `${CH}/-1`, 'x');
    const r = await send('GET', `${CH}/next`);
    expect(r).toMatchObject({ status: 200, body: '1', headers: { 'lp-trickle-latest': '1' } });
    expect(r.headers['lp-trickle-closed']).toBeUndefined();
    expect((await send('GET', '/ai/trickle/nope/next')).status).toBe(404);
  });

  it('DELETE answers 400 Invalid stream, 404, 400 Nonexistent segment, and closes one segment', async () => {
    expect(await send('DELETE', '/ai/trickle/nope')).toMatchObject({ status: 400, body: 'Invalid stream' });
    expect((await send('DELETE', '/ai/trickle/nope/0')).status).toBe(404);
    expect(await send('DELETE', `${CH}/3`)).toMatchObject({ status: 400, body: 'Nonexistent segment' });

    // A preconnected POST and a waiting GET on seq 0 are both released by DELETE /ch/0.
    const writer = open('POST', `${CH}/0`);
    writer.req.flushHeaders();
    const reader = open('GET', `${CH}/0`);
    reader.req.end();
    await Promise.all([h.handled('POST', `${CH}/0`), h.handled('GET', `${CH}/0`)]);
    expect((await send('DELETE', `${CH}/0`)).status).toBe(200);
    const w = await full(await writer.response);
    expect(w.status).toBe(200);
    expect(w.headers['lp-trickle-seq']).toBe('0');
    expect(w.headers.connection).toBe('close');
    expect(w.headers['lp-trickle-closed']).toBeUndefined();
    const r = await full(await reader.response);
    expect(r).toMatchObject({ status: 200, body: '', headers: { 'lp-trickle-seq': '0', 'lp-trickle-latest': '0' } });
    expect(r.headers['lp-trickle-closed']).toBeUndefined();
    writer.req.destroy();
  });

  it('a preconnected POST on a deleted channel ends with Lp-Trickle-Closed', async () => {
    const writer = open('POST', `${CH}/0`);
    writer.req.flushHeaders();
    await h.handled('POST', `${CH}/0`);
    h.trickle.closeChannel('ch');
    const w = await full(await writer.response);
    expect(w).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '0', 'lp-trickle-closed': 'terminated', connection: 'close' } });
    writer.req.destroy();
  });

  it('rejects bad seqs with 400 and unknown channels with 404', async () => {
    expect((await send('POST', `${CH}/abc`, 'x')).status).toBe(400);
    expect((await send('POST', `${CH}/-2`, 'x')).status).toBe(400);
    expect((await send('GET', `${CH}/-3`)).status).toBe(400);
    expect((await send('GET', '/ai/trickle/nope/0')).status).toBe(404);
    expect((await send('POST', '/ai/trickle/nope', '', { 'expect-content': 'text/plain' })).status).toBe(404);
  });

  it('removes a waiting reader whose socket closes', async () => {
    const reader = open('GET', `${CH}/0`);
    reader.response.catch(() => undefined);
    reader.req.end();
    await h.handled('GET', `${CH}/0`);
    const seg = h.trickle.channel('ch')?.segmentAt(0);
    expect(seg?.buffer.listenerCount).toBe(1);
    reader.req.destroy();
    await vi.waitFor(() => expect(seg?.buffer.listenerCount).toBe(0));
  });

  it('does not push a segment faster than a paused reader takes it', async () => {
    const size = 32 * 1024 * 1024;
    const data = Buffer.alloc(size, 7);
    h.trickle.channel('ch')!.writeSegment(data, 0);
    const { req, response } = open('GET', `${CH}/0`);
    req.end();
    const res = await response;
    res.pause();
    // Give the server time to fill the socket; without backpressure it would already have written everything.
    await new Promise((r) => setTimeout(r, 200));
    expect(h.written.get(`GET ${CH}/0`)).toBeLessThan(size);
    res.resume();
    expect((await readAll(res)).length).toBe(size);
    expect(h.written.get(`GET ${CH}/0`)).toBe(size);
  });

  it('streams a multi-page segment intact', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const writer = h.trickle.channel('ch')!.openWriter(0);
    for (let at = 0; at < data.length; at += 100_000) writer.write(data.subarray(at, at + 100_000));
    writer.end();
    const { req, response } = open('GET', `${CH}/0`);
    req.end();
    const res = await response;
    const parts: Buffer[] = [];
    for await (const c of res) parts.push(c as Buffer);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect(h.trickle.channel('ch')!.segmentAt(0)!.buffer.listenerCount).toBe(0);
  });
});

describe('trickle server timers', () => {
  afterEach(async () => stop(h));

  it('sends 100 Continue while a POST has sent no body byte', async () => {
    h = await start({ continueIntervalMs: 20 });
    h.trickle.createChannel('ch', 'text/plain');
    const writer = open('POST', `${CH}/0`);
    let continues = 0;
    const twoContinues = new Promise<void>((resolve) =>
      writer.req.on('information', (info) => {
        if (info.statusCode === 100 && ++continues === 2) resolve();
      }),
    );
    writer.req.flushHeaders();
    await twoContinues;
    writer.req.end('data');
    expect(await full(await writer.response)).toMatchObject({ status: 200, headers: { 'lp-trickle-seq': '0' } });
    expect(h.trickle.channel('ch')?.nextWrite).toBe(1);
  });

  it('closes a channel idle past the timeout on the sweep, releasing its readers', async () => {
    let clock = 1_000_000;
    h = await start({ idleTimeoutMs: 5 * 60_000, sweepIntervalMs: 10, now: () => clock });
    h.trickle.createChannel('ch', 'text/plain');
    await send('POST', `${CH}/-1`, 'x');
    clock += 5 * 60_000; // exactly the timeout: not yet idle
    expect(h.trickle.sweep()).toEqual([]);
    const reader = open('GET', `${CH}/-1`);
    reader.req.end();
    await h.handled('GET', `${CH}/-1`);
    clock += 1;
    const r = await full(await reader.response);
    expect(r).toMatchObject({ status: 200, body: '', headers: { 'lp-trickle-closed': 'terminated', 'lp-trickle-seq': '1' } });
    expect((await send('GET', `${CH}/next`)).status).toBe(404);
  });

  it('creates channels on POST only with autocreate', async () => {
    h = await start({ autocreate: true });
    expect((await send('POST', '/ai/trickle/made', '', { 'expect-content': 'application/json' })).status).toBe(200);
    await send('POST', '/ai/trickle/made/0', '{}');
    expect(await send('GET', '/ai/trickle/made/0')).toMatchObject({ body: '{}', headers: { 'content-type': 'application/json' } });
  });
});
