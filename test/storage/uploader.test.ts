import HLS from 'hls-parser';
import type { types } from 'hls-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/core/eventBus.js';
import { HlsStore } from '../../src/core/hls/streamStore.js';
import { createMetrics } from '../../src/core/metrics/metrics.js';
import { openObjectStore, type ObjectStore } from '../../src/core/storage/objectStore.js';
import { HlsUploader } from '../../src/core/storage/uploader.js';
import { parseStoreUrl } from '../../src/lib/storage/storeUrl.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';
import { waitFor } from '../helpers/gateway.js';

const KEY = 'gwtestkey';
const SECRET = 'uploader-secret-9f3k';
const log = pino({ level: 'silent' });
const seg = (seq: number) => ({ seq, durationMs: 2000, data: new Uint8Array(188 * 10).fill(seq & 0xff) });

describe('HlsUploader against s3rver', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startTestS3({ key: KEY, secret: SECRET, buckets: ['live', 'rec'] });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('uploads live segments and playlists referencing existing objects, and the VOD at the end', async () => {
    const uploader = new HlsUploader({ live: openObjectStore(parseStoreUrl(s3.url('live'))), record: openObjectStore(parseStoreUrl(`${s3.url('rec')}/vod`)), log });
    const hls = new HlsStore({ observer: uploader });
    const store = hls.create('s1');
    for (let i = 0; i < 8; i++) for (const r of ['source', 'P240p']) expect(store.addSegment(r, seg(i))).toBe(true);
    await waitFor(() => uploader.depth().object === 0, 'live uploads');
    const keys = await s3.list('live');
    for (let i = 0; i < 8; i++) expect(keys).toContain(`s1/P240p/${i}.ts`);
    expect(keys).toEqual(expect.arrayContaining(['s1.m3u8', 's1/source.m3u8', 's1/P240p.m3u8']));
    const master = HLS.parse((await s3.get('live', 's1.m3u8')).toString()) as types.MasterPlaylist;
    expect(master.variants.map((v) => v.uri).sort()).toEqual(['s1/P240p.m3u8', 's1/source.m3u8']);
    const media = HLS.parse((await s3.get('live', 's1/P240p.m3u8')).toString()) as types.MediaPlaylist;
    expect(media.segments).toHaveLength(6);
    for (const s of media.segments) expect(keys).toContain(`s1/${s.uri}`);
    expect((await s3.get('live', 's1/P240p/3.ts'))[0]).toBe(3);

    await hls.end('s1');
    await waitFor(async () => (await s3.list('rec')).includes('vod/s1/index.m3u8'), 'VOD playlist', 10_000);
    const vod = HLS.parse((await s3.get('rec', 'vod/s1/P240p.m3u8')).toString()) as types.MediaPlaylist;
    expect(vod.playlistType).toBe('VOD');
    expect(vod.endlist).toBe(true);
    expect(vod.segments.map((s) => s.uri)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `P240p/${i}.ts`));
    await waitFor(async () => (await s3.get('live', 's1/P240p.m3u8')).toString().includes('#EXT-X-ENDLIST'), 'live ENDLIST');
    await uploader.close();
  });

  it("playback 'store' writes the store's absolute object URLs", async () => {
    const uploader = new HlsUploader({ live: openObjectStore(parseStoreUrl(s3.url('live'))), playback: 'store', log });
    const store = new HlsStore({ observer: uploader }).create('abs');
    store.addSegment('source', seg(0));
    await waitFor(async () => (await s3.list('live', 'abs')).includes('abs.m3u8') && uploader.depth().object === 0, 'abs playlists');
    const media = (await s3.get('live', 'abs/source.m3u8')).toString();
    expect(media).toContain(`http://127.0.0.1:${s3.port}/live/abs/source/0.ts`);
    expect((await s3.get('live', 'abs.m3u8')).toString()).toContain(`http://127.0.0.1:${s3.port}/live/abs/source.m3u8`);
    await uploader.close();
  });
});

describe('HlsUploader with a store that hangs or fails', () => {
  it('never blocks addSegment, drops the oldest segments when full, retries, then counts and reports failures without the secret', async () => {
    let calls = 0;
    const hanging: ObjectStore = {
      description: 's3+http://***@127.0.0.1:1/b',
      put: (_key, _body, opts) => {
        calls++;
        return new Promise((_resolve, reject) => opts.signal?.addEventListener('abort', () => reject(new Error(`connect refused s3+http://${KEY}:${SECRET}@127.0.0.1:1/b ${SECRET}`))));
      },
      url: (k) => k,
      close: () => undefined,
    };
    const bus = new EventBus();
    const metrics = createMetrics({ nodeId: 't' });
    const uploader = new HlsUploader({ live: hanging, bus, log, metrics, maxQueue: 8, concurrency: 2, maxAttempts: 2, backoffMs: 10, timeoutMs: 200, secrets: [SECRET] });
    const store = new HlsStore({ observer: uploader }).create('slow');
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) store.addSegment('source', seg(i));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(uploader.depth().object).toBeLessThanOrEqual(8 + 2);
    expect(store.mediaPlaylist('source')).toContain('199.ts');
    expect(uploader.stats().object.dropped).toBeGreaterThan(150);
    await waitFor(() => uploader.stats().object.failures > 0, 'a failed upload', 5000);
    expect(calls).toBeGreaterThan(1);
    const events = bus.since(0);
    const behind = events.find((e) => e.type === 'storage.behind');
    const failed = events.find((e) => e.type === 'storage.failed');
    expect(behind).toMatchObject({ store: 'object' });
    expect(failed).toMatchObject({ store: 'object', streamId: 'slow', attempts: 2 });
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(JSON.stringify(events)).not.toContain(KEY);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/gw_object_store_upload_failures_total\{store="object",node_id="t",node_type="bctr"\} [1-9]/);
    expect(text).toMatch(/gw_object_store_dropped_total\{store="object"[^}]*\} [1-9]/);
    expect(text).toMatch(/gw_object_store_queue_depth\{store="object"[^}]*\} \d/);
    await uploader.close(100);
  });
});
