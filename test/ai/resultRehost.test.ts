// Re-hosted AI results: the reply carries the gateway's paths before the download from the orchestrator ends;
// readers wait for a file on its way, and learn why when its download failed (a real devnet orchestrator dying
// right after it answered).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GwEvent } from '../../src/api/events.js';
import { ResultStore } from '../../src/core/ai/results.js';
import { defaultDevnetAi, startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { call, postJson, startAiGateway, type TestAiGateway } from './harness.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ResultStore pending files', () => {
  it('serves a path at once, then the bytes once the download lands', async () => {
    const store = new ResultStore();
    const d = deferred<{ data: Buffer; contentType: string }>();
    const path = store.putPending('req-1', '0.png', d.promise);
    expect(path).toBe('/stream/req-1/0.png');
    const before = store.lookup('req-1', '0.png');
    expect(before?.state).toBe('pending');
    expect(store.get('req-1', '0.png')).toBeUndefined();
    d.resolve({ data: Buffer.from('png bytes'), contentType: 'image/png' });
    const after = before?.state === 'pending' ? await before.settled : undefined;
    expect(after).toEqual({ state: 'ready', data: Buffer.from('png bytes'), contentType: 'image/png' });
    expect(store.lookup('req-1', '0.png')?.state).toBe('ready');
    expect(store.size).toBe(9);
  });

  it('remembers why a download failed, for the TTL', async () => {
    let now = 1_000;
    const store = new ResultStore({ ttlMs: 60_000, now: () => now });
    const d = deferred<{ data: Buffer; contentType: string }>();
    store.putPending('req-2', 'a.png', d.promise);
    const pending = store.lookup('req-2', 'a.png');
    d.reject(new Error('connect ECONNREFUSED'));
    expect(pending?.state === 'pending' ? await pending.settled : undefined).toEqual({ state: 'failed', message: 'connect ECONNREFUSED' });
    expect(store.lookup('req-2', 'a.png')).toEqual({ state: 'failed', message: 'connect ECONNREFUSED' });
    now += 60_001;
    expect(store.lookup('req-2', 'a.png')).toBeUndefined();
    expect(store.size).toBe(0);
  });
});

describe('a result lost after the reply', () => {
  let o: DevnetOrchestrator;
  let gw: TestAiGateway;
  const events: GwEvent[] = [];

  beforeAll(async () => {
    // dies (closes every connection) as soon as it has answered one AI job: the result download cannot succeed
    o = await startDevnetOrchestrator({ pricePerUnit: 1n, pixelsPerUnit: 1n, offchain: true, ai: defaultDevnetAi(), faults: { dieAfter: 1 } });
    gw = await startAiGateway([o.serviceUri]);
    gw.bus.subscribe((ev) => events.push(ev));
  });

  afterAll(async () => {
    await gw?.close();
    await o?.close();
  });

  it('the reply names the gateway path; fetching it gives 502 with the reason and the job is marked failed', async () => {
    const r = await postJson(`${gw.url}/text-to-image`, { prompt: 'lost', model_id: 'devnet/sd-tiny' });
    expect(r.status, r.text).toBe(200);
    const url = r.json<{ images: Array<{ url: string }> }>().images[0]!.url;
    expect(url.startsWith('/stream/')).toBe(true);
    const img = await call(`${gw.url}${url}`, { method: 'GET' });
    expect(img.status).toBe(502);
    expect(img.text).toMatch(/could not fetch this result from the orchestrator/);
    await expect.poll(() => events.find((e) => e.type === 'segment.failed')).toMatchObject({ final: true, error: expect.stringMatching(/^result download failed/) });
    // the gateway stays up and says the same again
    expect((await call(`${gw.url}${url}`, { method: 'GET' })).status).toBe(502);
  });
});
