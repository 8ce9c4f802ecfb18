import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonState } from '../../src/api/contract.js';
import { ControlClient } from '../../src/api/controlClient.js';
import type { GwEvent } from '../../src/api/events.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { launchDaemon, stopDaemon } from '../../src/cli/services/daemonProcess.js';
import { tempDataDir } from '../helpers/gw.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('control API (real daemon process)', () => {
  const { dir, cleanup } = tempDataDir();
  const paths = resolvePaths(dir);
  let state: DaemonState;
  let token: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    ({ state } = await launchDaemon({ paths, flags: { controlAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', rtmpAddr: '127.0.0.1:0' } }));
    token = readFileSync(paths.tokenFile, 'utf8').trim();
    auth = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await stopDaemon({ paths, timeoutMs: 5000 });
    cleanup();
  });

  const url = (p: string) => `${state.controlUrl}${p}`;

  it('answers /healthz without a token and without details', async () => {
    const r = await raw(url('/healthz'));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true });
  });

  it('rejects a missing or wrong token with 401 and the error shape', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer nope' }, { authorization: token }, { authorization: `Bearer ${token.slice(0, -1)}x` }]) {
      const r = await raw(url('/v1/status'), { headers });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      expect(r.body).not.toContain(token);
    }
    expect((await raw(url('/v1/status'), { headers: auth })).status).toBe(200);
  });

  it('answers 405 with Allow on a GET of a mutation', async () => {
    const r = await raw(url('/v1/shutdown'), { headers: auth });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
    expect(JSON.parse(r.body).error.code).toBe('method_not_allowed');
    expect((await raw(url('/v1/status'), { method: 'POST', headers: auth, body: '{}' })).status).toBe(405);
  });

  it('rejects malformed JSON with 400 and the parser reason', async () => {
    const r = await raw(url('/v1/config'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"set": {' });
    expect(r.status).toBe(400);
    const err = JSON.parse(r.body).error as { code: string; message: string };
    expect(err.code).toBe('bad_json');
    expect(err.message).toMatch(/not valid JSON: .+/);
  });

  it('rejects bad settings with 400 naming the setting, and changes nothing', async () => {
    const r = await raw(url('/v1/config'), { method: 'POST', headers: auth, body: JSON.stringify({ set: { maxPricePerUnit: '7', maxAttempts: 'many' } }) });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.message).toContain('maxAttempts');
    const cfg = await new ControlClient({ baseUrl: state.controlUrl, token, dataDir: dir }).config();
    expect(cfg.settings.find((s) => s.key === 'maxPricePerUnit')?.value).toBe('0');
  });

  it('rejects an oversized body with 413', async () => {
    const big = JSON.stringify({ set: { orchAddr: 'x'.repeat(200_000) } });
    const r = await raw(url('/v1/config'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'content-length': String(big.length) }, body: big });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.code).toBe('body_too_large');
  });

  it('answers unknown paths with 404 in the error shape', async () => {
    const r = await raw(url('/v1/nope'), { headers: auth });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error.code).toBe('not_found');
  });

  it('delivers a config change on the SSE stream within 100 ms', async () => {
    const client = new ControlClient({ baseUrl: state.controlUrl, token, dataDir: dir });
    const ac = new AbortController();
    const events = client.events({ signal: ac.signal });
    const first = events.next(); // opens the stream
    await new Promise((r) => setTimeout(r, 150));
    const sentAt = performance.now();
    await client.updateConfig({ set: { maxPricePerUnit: '1500' } });
    const ev = (await first).value as GwEvent;
    const latency = performance.now() - sentAt;
    ac.abort();
    expect(ev.type).toBe('config.changed');
    expect(ev).toEqual(expect.objectContaining({ key: 'maxPricePerUnit', value: '1500', previous: '0', appliesAfterRestart: false }));
    expect(latency).toBeLessThan(100);
  });

  it('replays missed events after Last-Event-ID', async () => {
    const client = new ControlClient({ baseUrl: state.controlUrl, token, dataDir: dir });
    const a = await client.updateConfig({ set: { maxAttempts: '4' } });
    expect(a.settings.find((s) => s.key === 'maxAttempts')?.value).toBe(4);
    const ac = new AbortController();
    const got: GwEvent[] = [];
    for await (const ev of client.events({ signal: ac.signal, lastEventId: 0 })) {
      got.push(ev);
      if (ev.type === 'config.changed' && ev.key === 'maxAttempts') break;
    }
    ac.abort();
    // the whole history from the start: daemon.started among the first events, seq strictly increasing
    expect(got.slice(0, 10).map((e) => e.type)).toContain('daemon.started');
    expect(got[0]?.seq).toBe(1);
    expect(got.every((e, i) => i === 0 || e.seq > got[i - 1]!.seq)).toBe(true);
  });

  it('survives clients that disconnect in the middle of the event stream', async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request(url('/v1/events'), { headers: auth }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve() : reject(e)));
        req.end();
      });
    }
    // Cause events to be written towards the dead sockets, then check the daemon still serves.
    const client = new ControlClient({ baseUrl: state.controlUrl, token, dataDir: dir });
    await client.updateConfig({ set: { maxPricePerUnit: '1600' } });
    await new Promise((r) => setTimeout(r, 100));
    const s = await client.status();
    expect(s.pid).toBe(state.pid);
  });

  it('reports a restart-only change as pending instead of applying it', async () => {
    const client = new ControlClient({ baseUrl: state.controlUrl, token, dataDir: dir });
    const r = await client.updateConfig({ set: { httpAddr: '127.0.0.1:9999' } });
    expect(r.pendingRestart).toContain('httpAddr');
    expect((await client.status()).endpoints.http).toBe(state.httpUrl);
    const file = JSON.parse(readFileSync(paths.configFile, 'utf8')) as Record<string, unknown>;
    expect(file.httpAddr).toBe('127.0.0.1:9999');
  });
});
