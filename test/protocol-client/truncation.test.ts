// A session that dies in the middle of a body must fail the request: Node still emits 'end' on the stream, and a
// partial rendition accepted as a success would put a broken segment into every playlist.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/lib/protocol/errors.js';
import { H2Pool } from '../../src/lib/protocol/h2Pool.js';
import { wireRequest } from '../../src/lib/protocol/httpTransport.js';
import { generateSelfSignedCert } from '../../src/devnet/orchestrator/cert.js';

describe('truncated HTTP/2 bodies', () => {
  const cert = generateSelfSignedCert(['127.0.0.1']);
  let server: http2.Http2SecureServer;
  let base = '';
  const pool = new H2Pool();

  beforeAll(async () => {
    server = http2.createSecureServer({ key: cert.keyPem, cert: cert.certPem });
    server.on('stream', (stream, headers) => {
      if (headers[':path'] === '/whole') {
        stream.respond({ ':status': 200, 'content-length': '1000' });
        stream.end(Buffer.alloc(1000, 1));
        return;
      }
      if (headers[':path'] === '/die-unsized') {
        stream.respond({ ':status': 200 });
        stream.write(Buffer.alloc(64 * 1024, 4), () => setTimeout(() => stream.session?.destroy(), 20));
        return;
      }
      // Promise 1 MB, send 64 KB, then kill the whole session.
      stream.respond({ ':status': 200, 'content-length': String(1 << 20) });
      stream.write(Buffer.alloc(64 * 1024, 2), () => setTimeout(() => stream.session?.destroy(), 20));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await pool.close();
    await new Promise((r) => server.close(r));
  });

  const opts = { method: 'GET', dialTimeoutMs: 2000, headersTimeoutMs: 2000, totalTimeoutMs: 5000 } as const;

  it('accepts a complete body and rejects one cut short by a dying session', async () => {
    const ok = await wireRequest(`${base}/whole`, { ...opts, pool });
    expect(ok.body.length).toBe(1000);
    const err = await wireRequest(`${base}/cut`, { ...opts, pool }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).message).toMatch(/truncated|closed|reset/);
  });

  it('rejects an unsized body whose session died midway', async () => {
    for (const path of ['/die-unsized']) {
      const err = await wireRequest(`${base}${path}`, { ...opts, pool: new H2Pool() }).then(
        (r) => `accepted ${r.body.length} bytes`,
        (e: unknown) => e,
      );
      expect(err, path).toBeInstanceOf(TransportError);
    }
  });
});
