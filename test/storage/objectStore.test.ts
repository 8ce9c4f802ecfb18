// gw uploads its HLS output to a real S3-compatible server (s3rver, its own process on loopback): live segments and
// playlists to objectStore, the recording with its VOD playlist to recordStore at stream end; a store that dies
// mid-stream leaves live HLS through gw untouched, and the failures show in metrics and events; the credentials
// never show in `gw config`, the daemon log or events.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { httpRequest, startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';
import { runGw, tempDataDir } from '../helpers/gw.js';
import { makeTsSegment } from '../helpers/media.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';

const KEY = 'gwstorekey';
const SECRET = 'Sup3r-s3cret-value-x7q';

describe('object storage output (s3rver)', () => {
  let orch: DevnetOrchestrator;
  let s3: TestS3;
  let segments: Buffer[];
  const gateways: TestGateway[] = [];
  const dirs: Array<() => void> = [];

  beforeAll(async () => {
    orch = await startDevnetOrchestrator({ pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true });
    s3 = await startTestS3({ key: KEY, secret: SECRET, buckets: ['live', 'rec'] });
    segments = [0, 2, 4, 6, 8, 10].map((offset) => makeTsSegment({ seconds: 2, offsetSeconds: offset }));
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop().catch(() => undefined);
    await s3?.stop();
    await orch?.close();
    for (const d of dirs) d();
  });

  async function gateway(flags: Record<string, string>): Promise<{ gw: TestGateway; dir: string }> {
    const { dir, cleanup } = tempDataDir('gw-objstore-');
    dirs.push(cleanup);
    const gw = await startTestGateway({ orchAddr: [orch.serviceUri], ...flags }, dir);
    gateways.push(gw);
    return { gw, dir };
  }
  const push = (gw: TestGateway, stream: string, seq: number) =>
    httpRequest(`${gw.state.httpUrl}/live/${stream}/${seq}.ts`, { method: 'POST', headers: { 'Content-Duration': '2000' }, body: segments[seq]! });

  it('uploads live segments and playlists that reference existing objects, and the VOD playlist to recordStore at stream end', async () => {
    const { gw, dir } = await gateway({ objectStore: s3.url('live'), recordStore: `${s3.url('rec')}/recordings` });
    for (let seq = 0; seq < 3; seq++) expect((await push(gw, 'objA', seq)).status).toBe(200);
    const want = ['objA.m3u8', 'objA/source.m3u8', 'objA/P240p30fps16x9/2.ts', 'objA/P360p30fps16x9/2.ts', 'objA/source/2.ts'];
    await waitFor(async () => {
      const keys = await s3.list('live');
      return want.every((k) => keys.includes(k)) && (await s3.get('live', 'objA/P360p30fps16x9.m3u8')).toString().includes('2.ts');
    }, 'live objects in the store', 20_000);
    const keys = await s3.list('live');
    const master = HLS.parse((await s3.get('live', 'objA.m3u8')).toString()) as types.MasterPlaylist;
    expect(master.variants.map((v) => v.uri).sort()).toEqual(['objA/P240p30fps16x9.m3u8', 'objA/P360p30fps16x9.m3u8', 'objA/source.m3u8']);
    for (const v of master.variants) {
      expect(keys).toContain(v.uri);
      const media = HLS.parse((await s3.get('live', v.uri)).toString()) as types.MediaPlaylist;
      expect(media.segments.length).toBeGreaterThanOrEqual(1);
      for (const s of media.segments) expect(keys).toContain(`objA/${s.uri}`);
    }
    // the stored segment is the one gw serves
    const served = await httpRequest(`${gw.state.httpUrl}/stream/objA/P240p30fps16x9/1.ts`);
    expect(served.status).toBe(200);
    expect((await s3.get('live', 'objA/P240p30fps16x9/1.ts')).equals(served.body)).toBe(true);

    const config = await runGw(['config', 'ls', '--json'], { dataDir: dir });
    expect(config.exitCode, config.stderr).toBe(0);
    expect(config.stdout).toContain('objectStore');
    expect(config.stdout).not.toContain(SECRET);

    // stopping the gateway ends the stream: the recording and its VOD playlists land in recordStore
    await gw.stop();
    const rec = await s3.list('rec', 'recordings/');
    expect(rec).toEqual(expect.arrayContaining(['recordings/objA/index.m3u8', 'recordings/objA/P240p30fps16x9.m3u8', 'recordings/objA/source/0.ts']));
    const vodMaster = HLS.parse((await s3.get('rec', 'recordings/objA/index.m3u8')).toString()) as types.MasterPlaylist;
    expect(vodMaster.variants).toHaveLength(3);
    for (const v of vodMaster.variants) {
      const vod = HLS.parse((await s3.get('rec', `recordings/objA/${v.uri}`)).toString()) as types.MediaPlaylist;
      expect(vod.playlistType).toBe('VOD');
      expect(vod.endlist).toBe(true);
      expect(vod.segments.map((s) => s.uri)).toEqual([0, 1, 2].map((i) => `${v.uri.replace('.m3u8', '')}/${i}.ts`));
      for (const s of vod.segments) expect(rec).toContain(`recordings/objA/${s.uri}`);
    }
    const logText = readFileSync(join(dir, 'gw.log'), 'utf8');
    expect(logText).toContain('uploading HLS output to object storage');
    expect(logText).not.toContain(SECRET);
    expect(logText).not.toContain(KEY);
    expect(JSON.stringify(gw.events)).not.toContain(SECRET);
  });

  it('keeps live HLS through gw going when the store dies mid-stream, counting failures in metrics and emitting an event', async () => {
    const { gw, dir } = await gateway({ objectStore: s3.url('live') });
    expect((await push(gw, 'objB', 0)).status).toBe(200);
    await waitFor(async () => (await s3.list('live', 'objB/')).includes('objB/source/0.ts'), 'first upload', 20_000);
    await s3.kill();
    for (let seq = 1; seq < 6; seq++) {
      const t0 = performance.now();
      const r = await push(gw, 'objB', seq);
      expect(r.status).toBe(200);
      expect(performance.now() - t0).toBeLessThan(10_000);
    }
    const playlist = await httpRequest(`${gw.state.httpUrl}/stream/objB/P240p30fps16x9.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.body.toString()).toContain('5.ts');
    expect((await httpRequest(`${gw.state.httpUrl}/stream/objB/P240p30fps16x9/5.ts`)).status).toBe(200);
    await waitFor(() => gw.events.some((e) => e.type === 'storage.failed'), 'a storage.failed event', 30_000);
    const failed = gw.events.find((e) => e.type === 'storage.failed');
    expect(failed).toMatchObject({ store: 'object', streamId: 'objB' });
    const metrics = await gw.client.metrics();
    const failures = /gw_object_store_upload_failures_total\{[^}]*store="object"[^}]*\} (\d+)/.exec(metrics);
    expect(Number(failures?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/gw_object_store_queue_depth\{[^}]*store="object"/);
    expect(JSON.stringify(gw.events)).not.toContain(SECRET);
    expect(readFileSync(join(dir, 'gw.log'), 'utf8')).not.toContain(SECRET);
  });
});
