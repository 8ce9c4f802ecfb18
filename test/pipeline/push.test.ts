import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMultipart } from '../../src/core/gateway/multipart.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { httpRequest, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { makeTsSegment, probeVideo } from '../helpers/media.js';

describe('HTTP push through gw to devnet orchestrators (off-chain)', () => {
  const orchestrators: DevnetOrchestrator[] = [];
  let gw: TestGateway;
  let segments: Buffer[];
  const scratch = mkdtempSync(join(tmpdir(), 'gw-push-'));

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) orchestrators.push(await startDevnetOrchestrator({ pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true }));
    gw = await startTestGateway({ orchAddr: orchestrators.map((o) => o.serviceUri) });
    segments = [0, 2, 4].map((offset) => makeTsSegment({ seconds: 2, offsetSeconds: offset }));
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all(orchestrators.map((o) => o.close()));
  });

  const push = (stream: string, seq: number, body: Uint8Array, headers: Record<string, string> = {}) =>
    httpRequest(`${gw.state.httpUrl}/live/${stream}/${seq}.ts`, { method: 'POST', headers: { 'Content-Duration': '2000', ...headers }, body });

  it('answers multipart/mixed with one transcoded part per rendition', async () => {
    const r = await push('pushA', 0, segments[0]!, { Accept: 'multipart/mixed' });
    expect(r.status, r.body.toString()).toBe(200);
    const parts = parseMultipart(r.body, String(r.headers['content-type']));
    expect(parts.map((p) => p.headers['rendition-name'])).toEqual(['P240p30fps16x9', 'P360p30fps16x9']);
    const sizes = parts.map((p, i) => {
      const f = join(scratch, `part${i}.ts`);
      writeFileSync(f, p.data);
      return probeVideo(f);
    });
    expect(sizes).toEqual([
      { width: 426, height: 240, codec: 'h264' },
      { width: 640, height: 360, codec: 'h264' },
    ]);
    expect(parts[0]!.headers['content-disposition']).toBe('attachment; filename="P240p30fps16x9_0.ts"');
  });

  it('keeps two streams in separate sessions and playlists, playable by ffprobe', async () => {
    const [a, b] = await Promise.all([push('twoA', 0, segments[0]!), push('twoB', 0, segments[0]!)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await Promise.all([push('twoA', 1, segments[1]!), push('twoB', 1, segments[1]!), push('twoA', 2, segments[2]!)]);
    const listA = (await httpRequest(`${gw.state.httpUrl}/stream/twoA/P360p30fps16x9.m3u8`)).body.toString();
    const listB = (await httpRequest(`${gw.state.httpUrl}/stream/twoB/P360p30fps16x9.m3u8`)).body.toString();
    expect(listA.match(/\.ts/g)).toHaveLength(3);
    expect(listB.match(/\.ts/g)).toHaveLength(2);
    const master = await httpRequest(`${gw.state.httpUrl}/stream/twoA.m3u8`);
    expect(master.headers['access-control-allow-origin']).toBe('*');
    expect(master.body.toString()).toContain('RESOLUTION=640x360');
    expect(probeVideo(`${gw.state.httpUrl}/stream/twoA/P240p30fps16x9.m3u8`)).toEqual({ width: 426, height: 240, codec: 'h264' });
    const { sessions } = await gw.client.sessions();
    const ids = sessions.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['twoA', 'twoB']));
    expect(sessions.find((s) => s.id === 'twoA')?.segmentsOk).toBe(3);
    expect(sessions.find((s) => s.id === 'twoB')?.segmentsOk).toBe(2);
  });

  it('rejects bad input with clear 4xx answers and stays up', async () => {
    const ext = await httpRequest(`${gw.state.httpUrl}/live/bad/0.avi`, { method: 'POST', body: segments[0]! });
    expect(ext.status).toBe(400);
    expect(ext.body.toString()).toContain('unknown segment format');
    const garbage = await push('bad', 0, Buffer.from('this is not video at all, just text pretending'.repeat(100)));
    expect(garbage.status).toBe(422);
    expect(garbage.body.toString()).toMatch(/not a valid MPEG-TS|no video/);
    const huge = await httpRequest(`${gw.state.httpUrl}/live/bad/1.ts`, { method: 'POST', headers: { 'Content-Length': '300000001' }, body: Buffer.alloc(10) }).catch(
      (err: NodeJS.ErrnoException) => ({ status: err.code === 'ECONNRESET' ? 413 : 0, headers: {}, body: Buffer.alloc(0) }),
    );
    expect(huge.status).toBe(413);
    const dur = await push('bad', 2, segments[0]!, { 'Content-Duration': 'soon' });
    expect(dur.status).toBe(400);
    expect((await httpRequest(`${gw.state.httpUrl}/live/bad/0.ts`)).status).toBe(405);
    expect((await httpRequest(`${gw.state.httpUrl}/healthz`)).status).toBe(200);
    expect((await gw.client.status()).pid).toBe(gw.state.pid);
  });

  it('answers 503 "No sessions available" when no orchestrator can take the segment', async () => {
    const lonely = await startTestGateway({ orchAddr: ['127.0.0.1:1'] });
    try {
      const r = await httpRequest(`${lonely.state.httpUrl}/live/nobody/0.ts`, { method: 'POST', body: segments[0]! });
      expect(r.status).toBe(503);
      expect(r.body.toString()).toContain('No sessions available');
      const { orchestrators: list } = await lonely.client.orchestrators();
      expect(list[0]?.rejected?.reason).toBe('unreachable');
    } finally {
      await lonely.stop();
    }
  });
});

describe('HTTP push under overload', () => {
  let orch: DevnetOrchestrator;
  let gw: TestGateway;
  let segment: Buffer;

  beforeAll(async () => {
    // every segment takes 1.5 s at the orchestrator, so pushes pile up in the gateway
    orch = await startDevnetOrchestrator({ pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, faults: { latency: 1500 } });
    gw = await startTestGateway({ orchAddr: [orch.serviceUri], maxPushBacklogMb: 1 });
    segment = makeTsSegment({ seconds: 2, size: '640x360' });
  });
  afterAll(async () => {
    await gw?.stop();
    await orch?.close();
  });

  it('answers 503 with Retry-After once the in-flight segments pass --max-push-backlog-mb, and recovers', async () => {
    const limit = 1024 * 1024;
    const n = Math.floor(limit / segment.length) + 2;
    const push = (seq: number) => httpRequest(`${gw.state.httpUrl}/live/busy/${seq}.ts`, { method: 'POST', headers: { 'Content-Duration': '2000' }, body: segment });
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => push(i)));
    const refused = replies.filter((r) => r.status === 503);
    expect(replies.filter((r) => r.status === 200).length, `${n} pushes of ${segment.length} bytes`).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.headers['retry-after']).toBe('1');
      expect(r.body.toString()).toMatch(/gateway overloaded: .* in flight \(limit 1 MB\); retry/);
    }
    // nothing is held any more: the next push is admitted and transcoded
    expect((await push(n)).status).toBe(200);
  });
});
