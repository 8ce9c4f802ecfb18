// The trickle publisher and subscriber against the trickle server, over real HTTP and TLS on loopback.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSelfSignedCert } from '../../devnet/orchestrator/cert.js';
import { TrickleChannelError, TricklePublisher } from './publisher.js';
import { createTrickleServer, type TrickleServer, type TrickleServerOptions } from './server.js';
import { TrickleSubscriber } from './subscriber.js';
import { trickleAgents } from './transport.js';

interface Harness {
  trickle: TrickleServer;
  base: string;
  /** Requests the server has seen, as "METHOD path". */
  seen: string[];
  close(): Promise<void>;
}

const open: Harness[] = [];

async function start(opts: TrickleServerOptions & { tls?: boolean; intercept?: (req: IncomingMessage, res: ServerResponse) => boolean } = {}): Promise<Harness> {
  const trickle = createTrickleServer({ sweepIntervalMs: 0, ...opts });
  const seen: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (opts.intercept?.(req, res)) return;
    if (!trickle.handle(req, res)) res.writeHead(404).end();
  };
  let server: Server;
  if (opts.tls) {
    const cert = generateSelfSignedCert(['127.0.0.1']);
    server = createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, handler);
  } else {
    server = createHttpServer(handler);
  }
  server.requestTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const h: Harness = {
    trickle,
    base: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/ai/trickle`,
    seen,
    close: async () => {
      trickle.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function text(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const bytes = (s: string) => new TextEncoder().encode(s);

/** A promise with its resolver, for stepping a streamed segment from the test. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('trickle publisher and subscriber', () => {
  it('publish three segments from seq 0; a subscriber from seq 0 reads them in order', async () => {
    const h = await start();
    h.trickle.createChannel('s1', 'video/MP2T');
    const agents = trickleAgents();
    const pub = await TricklePublisher.open({ url: `${h.base}/s1`, agents });
    const sub = new TrickleSubscriber({ url: `${h.base}/s1`, start: 0, agents });
    const results = [];
    for (const s of ['zeroth', 'first', 'second']) results.push(await pub.publish(bytes(s)));
    expect(results).toEqual([
      { seq: 0, ok: true, bytes: 6 },
      { seq: 1, ok: true, bytes: 5 },
      { seq: 2, ok: true, bytes: 6 },
    ]);
    const got: Array<[number, string]> = [];
    for (let i = 0; i < 3; i++) {
      const seg = await sub.read();
      got.push([seg!.seq, await text(seg!.body)]);
    }
    expect(got).toEqual([
      [0, 'zeroth'],
      [1, 'first'],
      [2, 'second'],
    ]);
    // The publisher kept one POST ahead: the server already holds the preconnect of seq 3.
    expect(h.seen).toContain('POST /ai/trickle/s1/3');
    sub.close();
    await pub.close();
  });

  it('a reader gets the first bytes of a segment while the publisher is still writing it', async () => {
    const h = await start();
    h.trickle.createChannel('live', 'video/MP2T');
    const agents = trickleAgents();
    const pub = await TricklePublisher.open({ url: `${h.base}/live`, agents });
    // Seq 0 by number: a -1 reader that arrives after the first byte would (rightly) wait for seq 1.
    const sub = new TrickleSubscriber({ url: `${h.base}/live`, start: 0, agents });
    const reading = sub.read();
    const rest = gate();
    async function* chunks() {
      yield bytes('head-');
      await rest.promise;
      yield bytes('tail');
    }
    const publishing = pub.publish(chunks());
    const seg = (await reading)!;
    expect(seg.seq).toBe(0);
    const first = await new Promise<string>((resolve) => seg.body.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
    expect(first).toBe('head-');
    let published = false;
    void publishing.then(() => (published = true));
    expect(published).toBe(false);
    rest.open();
    const tail = await text(seg.body);
    expect(first + tail).toBe('head-tail');
    expect(await publishing).toEqual({ seq: 0, ok: true, bytes: 9 });
    sub.close();
    await pub.close();
  });

  it('a subscriber behind the ring jumps to Lp-Trickle-Latest (470) and reads what comes next', async () => {
    const h = await start();
    const ch = h.trickle.createChannel('ring', 'video/MP2T');
    for (let i = 0; i < 7; i++) ch.writeSegment(bytes(`seg${i}`));
    const sub = new TrickleSubscriber({ url: `${h.base}/ring`, start: 0 });
    const reading = sub.read();
    const pub = await TricklePublisher.open({ url: `${h.base}/ring`, start: 'join' });
    expect(pub.seq).toBe(7);
    await pub.publish(bytes('seven'));
    const seg = (await reading)!;
    expect([seg.seq, await text(seg.body)]).toEqual([7, 'seven']);
    expect(h.seen).toContain('GET /ai/trickle/ring/0');
    expect(h.seen).toContain('GET /ai/trickle/ring/7');
    sub.close();
    await pub.close();
  });

  it('closing the channel ends a waiting reader with null, and the publisher then throws trickle_closed', async () => {
    const h = await start();
    h.trickle.createChannel('end', 'video/MP2T');
    const pub = await TricklePublisher.open({ url: `${h.base}/end` });
    await pub.publish(bytes('only'));
    const sub = new TrickleSubscriber({ url: `${h.base}/end`, start: 1 });
    const waiting = sub.read();
    h.trickle.closeChannel('end');
    expect(await waiting).toBeNull();
    const err = await pub.publish(bytes('late')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrickleChannelError);
    expect(err).toMatchObject({ code: 'trickle_closed' });
    await expect(pub.publish(bytes('again'))).rejects.toBe(err);
    // A new subscriber of a removed channel ends at once (404).
    expect(await new TrickleSubscriber({ url: `${h.base}/end` }).read()).toBeNull();
  });

  it('an unknown channel ends the publisher (404) instead of retrying forever', async () => {
    const h = await start();
    const pub = await TricklePublisher.open({ url: `${h.base}/nobody` });
    await expect(pub.publish(bytes('x'))).rejects.toMatchObject({ reason: 'not_found', code: 'trickle_closed' });
  });

  it("a joining publisher sends Lp-Trickle-Reset: a reader stuck on a dead publisher's segment is released", async () => {
    const h = await start();
    const ch = h.trickle.createChannel('restart', 'video/MP2T');
    ch.writeSegment(bytes('a'));
    // A publisher died mid-segment: seq 1 holds "half" and never completes.
    const dead = ch.openWriter(1);
    dead.write(bytes('half'));
    const stuck = new TrickleSubscriber({ url: `${h.base}/restart`, start: 1 });
    const seg = (await stuck.read())!;
    const stuckText = text(seg.body);
    const pub = await TricklePublisher.open({ url: `${h.base}/restart`, start: 'join' });
    expect(pub.seq).toBe(2);
    expect(await pub.publish(bytes('after-reset'))).toMatchObject({ seq: 2, ok: true });
    expect(await stuckText).toBe('half');
    const next = (await stuck.read())!;
    expect([next.seq, await text(next.body)]).toEqual([2, 'after-reset']);
    stuck.close();
    await pub.close();
  });

  it('works over TLS with a self-signed certificate, through 100 Continue on an idle preconnect', async () => {
    const h = await start({ tls: true, continueIntervalMs: 30 });
    h.trickle.createChannel('tls', 'video/MP2T');
    const agents = trickleAgents();
    const pub = await TricklePublisher.open({ url: `${h.base}/tls`, agents });
    const sub = new TrickleSubscriber({ url: `${h.base}/tls`, start: 0, agents });
    // Let the preconnected POST sit long enough for several interim responses.
    await new Promise((r) => setTimeout(r, 150));
    expect(await pub.publish(bytes('secure'))).toEqual({ seq: 0, ok: true, bytes: 6 });
    const seg = (await sub.read())!;
    expect(await text(seg.body)).toBe('secure');
    sub.close();
    await pub.close();
  });

  it('re-issues a GET that has had no headers for the preconnect timeout, and still gets the segment', async () => {
    const h = await start();
    h.trickle.createChannel('slow', 'video/MP2T');
    const sub = new TrickleSubscriber({ url: `${h.base}/slow`, start: 0, preconnectTimeoutMs: 60 });
    const reading = sub.read();
    while (h.seen.filter((s) => s === 'GET /ai/trickle/slow/0').length < 3) await new Promise((r) => setTimeout(r, 20));
    const pub = await TricklePublisher.open({ url: `${h.base}/slow` });
    await pub.publish(bytes('finally'));
    const seg = (await reading)!;
    expect([seg.seq, await text(seg.body)]).toEqual([0, 'finally']);
    sub.close();
    await pub.close();
  });

  it('a segment cut after bytes were sent is closed on the server and skipped; the next goes on seq+1', async () => {
    // The connection of seq 1 breaks once its first bytes arrive (an orchestrator or network fault mid-segment).
    const h = await start({
      intercept: (req) => {
        if (req.method !== 'POST' || req.url !== '/ai/trickle/cut/1') return false;
        req.once('data', () => req.socket.destroy());
        return true;
      },
    });
    h.trickle.createChannel('cut', 'video/MP2T');
    const pub = await TricklePublisher.open({ url: `${h.base}/cut`, retryDelayMs: 10 });
    expect(await pub.publish(bytes('a'))).toMatchObject({ seq: 0, ok: true });
    const lost = await pub.publish(bytes('b'.repeat(1000)));
    expect(lost).toMatchObject({ seq: 1, ok: false });
    // Never written again on seq 1 (the server would append): it is closed, and the stream moves on.
    expect(await pub.publish(bytes('c'))).toMatchObject({ seq: 2, ok: true });
    while (!h.seen.includes('DELETE /ai/trickle/cut/1')) await new Promise((r) => setTimeout(r, 10));
    expect(h.seen.filter((x) => x === 'POST /ai/trickle/cut/1')).toHaveLength(1);
    await pub.close();
  });

  it('a preconnect that died before any byte is retried once on the same seq; failures in a row end the channel', async () => {
    let refuse = 0;
    // The first POST of seq 0 is dropped without an answer; every POST of seq 1 and later fails after its first bytes.
    const h = await start({
      intercept: (req) => {
        if (req.method !== 'POST') return false;
        if (req.url === '/ai/trickle/flaky/0' && refuse++ === 0) {
          req.socket.destroy();
          return true;
        }
        if (req.url === '/ai/trickle/flaky/0') return false;
        req.once('data', () => req.socket.destroy());
        return true;
      },
    });
    h.trickle.createChannel('flaky', 'video/MP2T');
    const pub = await TricklePublisher.open({ url: `${h.base}/flaky`, retryDelayMs: 10, maxConsecutiveFailures: 3 });
    // Give the dropped preconnect time to be seen as dead before the segment is written.
    while (refuse === 0) await new Promise((r) => setTimeout(r, 10));
    expect(await pub.publish(bytes('zero'))).toMatchObject({ seq: 0, ok: true });
    expect(h.seen.filter((x) => x === 'POST /ai/trickle/flaky/0')).toHaveLength(2);
    expect(await pub.publish(bytes('one'))).toMatchObject({ seq: 1, ok: false });
    expect(await pub.publish(bytes('two'))).toMatchObject({ seq: 2, ok: false });
    await expect(pub.publish(bytes('three'))).rejects.toMatchObject({ code: 'trickle_failed', reason: 'failing' });
    await pub.close();
  });
});
