// submitSegment's reply handling against a scripted HTTPS/HTTP-2 and HTTP/1.1 server: every branch of §7.3.
import { spawn } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSignedCert } from '../../src/devnet/orchestrator/cert.js';
import { OrchestratorInfoSchema, SegDataSchema, TranscodeResultSchema, decodeSegDataHeader } from '../../src/lib/protocol/index.js';
import { SegmentError, classifySegmentError } from '../../src/lib/protocol/errors.js';
import { H2Pool } from '../../src/lib/protocol/h2Pool.js';
import { SEGMENT_LIVENESS, downloadRenditions, submitSegment } from '../../src/lib/protocol/segmentClient.js';

type Script = { status: number; body: Uint8Array | string; delayMs?: number };

describe('submitSegment reply handling', () => {
  const pool = new H2Pool();
  const cert = generateSelfSignedCert(['127.0.0.1']);
  let script: Script = { status: 200, body: '' };
  const received: { path: string; headers: Record<string, unknown>; size: number }[] = [];
  let h2: http2.Http2SecureServer;
  let h1: http.Server;
  let h2Base = '';
  let h1Base = '';

  const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: { ...req.headers }, size });
      if (req.url?.startsWith('/file/')) {
        const n = Number(req.url.slice(6));
        if (n === 404) {
          res.writeHead(404);
          res.end('gone\n');
          return;
        }
        res.writeHead(200);
        res.end(Buffer.alloc(n, 1));
        return;
      }
      setTimeout(() => {
        res.writeHead(script.status, { 'content-type': 'text/plain' });
        res.end(typeof script.body === 'string' ? script.body : Buffer.from(script.body));
      }, script.delayMs ?? 0);
    });
  };

  beforeAll(async () => {
    h2 = http2.createSecureServer({ key: cert.keyPem, cert: cert.certPem }, handler);
    h1 = http.createServer(handler);
    for (const s of [h2, h1] as net.Server[]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    h2Base = `https://127.0.0.1:${(h2.address() as net.AddressInfo).port}`;
    h1Base = `http://127.0.0.1:${(h1.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    await pool.close();
    await Promise.all([h2, h1].map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  const seg = create(SegDataSchema, { manifestId: new Uint8Array([1]), seq: 7n, duration: 2000 });
  const submit = (base: string, extra: Partial<Parameters<typeof submitSegment>[0]> = {}) =>
    submitSegment({
      info: create(OrchestratorInfoSchema, { transcoder: base }),
      segData: seg,
      payment: '',
      body: new Uint8Array(1000),
      durationMs: 2000,
      pool,
      ...extra,
    });
  const fail = async (base: string, extra = {}) => {
    const e = await submit(base, extra).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SegmentError);
    return e as SegmentError;
  };

  it('sends the headers and body go-livepeer sends, to transcoder + "/segment"', async () => {
    const info = create(OrchestratorInfoSchema, { transcoder: 'https://x', ticketParams: {} });
    script = {
      status: 200,
      body: toBinary(TranscodeResultSchema, create(TranscodeResultSchema, { seq: 7n, result: { case: 'data', value: { segments: [{ url: `${h2Base}/file/10`, pixels: 123n }] } }, info })),
    };
    for (const base of [h2Base, h1Base, `${h2Base}/`]) {
      received.length = 0;
      const reply = await submit(base, { payment: 'cGF5' });
      expect(reply.seq).toBe(7n);
      expect(reply.renditions).toEqual([{ url: `${h2Base}/file/10`, pixels: 123n }]);
      expect(reply.info?.transcoder).toBe('https://x');
      expect(reply.latencyMs).toBeGreaterThan(0);
      expect(reply.latencyScore).toBeCloseTo(reply.latencyMs / 2000, 6);
      const r = received[0]!;
      expect(r.path).toBe(base.endsWith('/') ? '//segment' : '/segment');
      expect(r.headers['content-type']).toBe('video/MP2T');
      expect(r.headers['livepeer-payment']).toBe('cGF5');
      expect(decodeSegDataHeader(r.headers['livepeer-segment'] as string).seq).toBe(7n);
      expect(r.size).toBe(1000);
    }
  });

  it('non-200: the trimmed body is the error; the payment counts as spent', async () => {
    script = { status: 400, body: 'Insufficient balance\n' };
    const e = await fail(h2Base);
    expect(e.message).toBe('Insufficient balance');
    expect(e.details.status).toBe(400);
    expect(e.paymentSpent).toBe(true);
    expect(classifySegmentError(e)).toBe('retryable');
    script = { status: 403, body: 'OrchestratorCapped\n' };
    expect(classifySegmentError(await fail(h1Base))).toBe('orchestrator-capped');
  });

  it('200 with TranscodeResult.error, neither branch, and garbage', async () => {
    const info = create(OrchestratorInfoSchema, { transcoder: 'fresh' });
    script = { status: 200, body: toBinary(TranscodeResultSchema, create(TranscodeResultSchema, { result: { case: 'error', value: 'TranscoderInvalidVideo' }, info })) };
    let e = await fail(h2Base);
    expect(e.message).toBe('TranscoderInvalidVideo');
    expect(e.details.info?.transcoder).toBe('fresh');
    expect(classifySegmentError(e)).toBe('non-retryable');
    script = { status: 200, body: toBinary(TranscodeResultSchema, create(TranscodeResultSchema, { seq: 1n })) };
    e = await fail(h2Base);
    expect(e.message).toBe('UnknownResponse');
    script = { status: 200, body: new Uint8Array([0xff, 0xff, 0xff]) };
    e = await fail(h2Base);
    expect(e.paymentSpent).toBe(true);
    expect(e.message).not.toBe('UnknownResponse');
  });

  it('a reply slower than max(2 s, 0.5 × dur) is a header timeout; the payment is not spent', async () => {
    const t0 = performance.now();
    script = { status: 200, body: '', delayMs: 3500 };
    const e = await fail(h2Base);
    expect(e.message).toMatch(/^header timeout: /);
    expect(e.paymentSpent).toBe(false);
    expect(performance.now() - t0).toBeGreaterThan(1900);
    expect(performance.now() - t0).toBeLessThan(3200);
    expect(classifySegmentError(e)).toBe('retryable');
  });

  it('downloads renditions in parallel; one failure fails all', async () => {
    const files = await downloadRenditions([`${h2Base}/file/1000`, `${h1Base}/file/2000`, `${h2Base}/file/0`], { pool });
    expect(files.map((f) => f.length)).toEqual([1000, 2000, 0]);
    const e = await downloadRenditions([`${h2Base}/file/10`, `${h2Base}/file/404`], { pool }).catch((err: unknown) => err);
    expect((e as Error).message).toBe('rendition 1: HTTP 404 gone');
    const big = await downloadRenditions([`${h2Base}/file/5000`], { pool, maxBytes: 4000 }).catch((err: unknown) => err);
    expect((big as Error).message).toMatch(/larger than 4000 bytes/);
  });

  it('gives up a rendition download from a stopped orchestrator at the PING deadline, not the 4 s timeout', async () => {
    // An HTTPS/HTTP-2 peer in its own process that would answer after 3 s; stopped (SIGSTOP) once the GET is out.
    const peer = spawn(process.execPath, ['-e', SLOW_TLS_PEER], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PEER_KEY: cert.keyPem, PEER_CERT: cert.certPem } });
    try {
      const port = await new Promise<number>((resolve) => peer.stdout.once('data', (d: Buffer) => resolve(Number(d.toString()))));
      const t0 = performance.now();
      const download = downloadRenditions([`https://127.0.0.1:${port}/stream/s/P240p30fps16x9/0.ts`], { pool }).catch((err: unknown) => err);
      setTimeout(() => peer.kill('SIGSTOP'), 200);
      const e = await download;
      expect((e as Error).message).toMatch(/^rendition 0: .*no answer to an HTTP\/2 PING/);
      expect(performance.now() - t0).toBeLessThan(SEGMENT_LIVENESS.checkEveryMs * 2 + SEGMENT_LIVENESS.answerWithinMs + 500);
    } finally {
      peer.kill('SIGCONT');
      peer.kill();
    }
  });
});

const SLOW_TLS_PEER = `
const server = require('node:http2').createSecureServer({ key: process.env.PEER_KEY, cert: process.env.PEER_CERT }, (req, res) => setTimeout(() => res.end('rendition'), 3000));
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port)));
`;
