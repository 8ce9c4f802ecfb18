// Follows the HLS store (as its HlsObserver) and uploads what it keeps to object storage:
//
//   objectStore (live):  <stream>.m3u8, <stream>/<rendition>.m3u8 (sliding window), <stream>/<rendition>/<seq>.ts
//   recordStore (VOD):   <stream>/index.m3u8, <stream>/<rendition>.m3u8 (whole stream, at its end), <stream>/<rendition>/<seq>.ts
//
// Playlists only list segments whose upload succeeded, so they never reference a missing object. URIs are relative
// (playback 'gateway') or the store's absolute object URLs (playback 'store').
//
// A slow or failing store never stalls live output: the observer only enqueues. Each store has a bounded queue with
// a few workers; an upload is retried with exponential backoff, then given up (storage.failed, the failures metric);
// when the queue is full the oldest queued segments are dropped (storage.behind, the dropped metric).
import type { EventBus } from '../eventBus.js';
import type { HlsObserver, SegmentInput } from '../hls/streamStore.js';
import { estimateBandwidth } from '../hls/variantTraits.js';
import { hlsPaths, writeMasterPlaylist, writeMediaPlaylist, type PlaylistSegment } from '../hls/playlist.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { redactStoreUrl } from '../../lib/storage/storeUrl.js';
import type { ObjectStore } from './objectStore.js';

export type StoreRole = 'object' | 'record';

export interface UploaderOptions {
  /** live segments and playlists */
  live?: ObjectStore;
  /** recordings with their VOD playlists */
  record?: ObjectStore;
  /** relative URIs in uploaded playlists ('gateway') or the store's object URLs ('store') */
  playback?: 'gateway' | 'store';
  bus?: EventBus | null;
  log: Logger;
  metrics?: Metrics | null;
  /** uploads waiting per store before the oldest segments are dropped (default 64) */
  maxQueue?: number;
  /** uploads running at once per store (default 4) */
  concurrency?: number;
  /** tries per upload (default 4) */
  maxAttempts?: number;
  /** first retry delay, doubling (default 250 ms) */
  backoffMs?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
  /** segments per live media playlist (default 6) */
  playlistWindow?: number;
  /** secrets to hide from error texts besides URL credentials */
  secrets?: readonly string[];
}

interface Entry {
  seq: number;
  durationMs: number;
  discontinuity: boolean;
  size: number;
}

interface Job {
  streamId: string;
  key: string;
  /** segments may be dropped when the queue is full; playlists are small and coalesced, never dropped */
  droppable: boolean;
  contentType: string;
  cacheControl: string;
  body(): Uint8Array | string;
  done(ok: boolean): void;
}

const PLAYLIST_TYPE = 'application/x-mpegURL';
const SEGMENT_TYPE = 'video/MP2T';
const EVENT_INTERVAL_MS = 5000;
const KEEP_ENTRIES = 64;

/** One store's bounded queue and workers. */
class UploadQueue {
  private readonly queue: Job[] = [];
  private running = 0;
  private readonly pendingKeys = new Set<string>();
  private readonly runningKeys = new Set<string>();
  private closed = false;
  private readonly abort = new AbortController();
  private idleWaiters: Array<() => void> = [];
  failures = 0;
  dropped = 0;
  private lastBehindAt = 0;
  private lastFailedAt = 0;

  constructor(
    readonly role: StoreRole,
    readonly store: ObjectStore,
    private readonly o: Required<Pick<UploaderOptions, 'maxQueue' | 'concurrency' | 'maxAttempts' | 'backoffMs' | 'timeoutMs'>> & {
      bus: EventBus | null;
      log: Logger;
      metrics: Metrics | null;
      redact: (text: string) => string;
    },
  ) {}

  get depth(): number {
    return this.queue.length + this.running;
  }

  /** Queues a segment upload; never blocks. Drops the oldest droppable job when the queue is full. */
  add(job: Job): void {
    if (this.closed) return job.done(false);
    while (this.queue.length >= this.o.maxQueue) {
      const i = this.queue.findIndex((j) => j.droppable);
      if (i < 0) break;
      const [old] = this.queue.splice(i, 1);
      this.dropped++;
      this.o.metrics?.objectStoreDropped.inc({ store: this.role });
      old!.done(false);
      this.behind();
    }
    this.queue.push(job);
    this.pump();
  }

  /** Queues a playlist upload unless the same key is already waiting (its body is made when it runs). */
  addPlaylist(job: Job): void {
    if (this.pendingKeys.has(job.key)) return;
    this.pendingKeys.add(job.key);
    this.add(job);
  }

  private behind(): void {
    const now = Date.now();
    if (now - this.lastBehindAt < EVENT_INTERVAL_MS) return;
    this.lastBehindAt = now;
    this.o.log.warn({ store: this.role, location: this.store.description, queued: this.queue.length, dropped: this.dropped }, 'object-store uploads fall behind: dropping the oldest queued segments');
    this.o.bus?.emit({ type: 'storage.behind', store: this.role, queued: this.queue.length, dropped: this.dropped });
  }

  private gauge(): void {
    this.o.metrics?.objectStoreQueueDepth.set({ store: this.role }, this.depth);
  }

  private pump(): void {
    while (!this.closed && this.running < this.o.concurrency) {
      // One upload per key at a time, so an older playlist never lands after a newer one.
      const i = this.queue.findIndex((j) => !this.runningKeys.has(j.key));
      if (i < 0) break;
      const [job] = this.queue.splice(i, 1) as [Job];
      this.pendingKeys.delete(job.key);
      this.runningKeys.add(job.key);
      this.running++;
      void this.run(job).finally(() => {
        this.runningKeys.delete(job.key);
        this.running--;
        this.gauge();
        this.pump();
        if (this.depth === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
    this.gauge();
  }

  private async run(job: Job): Promise<void> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.o.maxAttempts && !this.closed; attempt++) {
      try {
        const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs)]);
        await this.store.put(job.key, job.body(), { contentType: job.contentType, cacheControl: job.cacheControl, signal });
        this.o.metrics?.objectStoreUploads.inc({ store: this.role });
        job.done(true);
        return;
      } catch (err) {
        lastError = this.o.redact(errorText(err));
        this.o.metrics?.objectStoreFailures.inc({ store: this.role });
        if (attempt < this.o.maxAttempts && !this.closed) await this.sleep(this.o.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
      }
    }
    this.failures++;
    job.done(false);
    const now = Date.now();
    if (now - this.lastFailedAt >= EVENT_INTERVAL_MS || this.failures === 1) {
      this.lastFailedAt = now;
      this.o.log.warn({ store: this.role, location: this.store.description, key: job.key, error: lastError, failures: this.failures }, 'object-store upload failed');
      this.o.bus?.emit({ type: 'storage.failed', store: this.role, streamId: job.streamId, key: job.key, attempts: this.o.maxAttempts, error: lastError, failures: this.failures });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Resolves when nothing is queued or running (or after timeoutMs). */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.depth === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    for (const j of this.queue.splice(0)) j.done(false);
    this.gauge();
    this.store.close();
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' && !err.message.includes(err.name) ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

interface LiveRendition {
  /** uploaded segments, ascending seq, the last KEEP_ENTRIES */
  entries: Entry[];
  discontinuitiesBefore: number;
}

interface LiveStream {
  renditions: Map<string, LiveRendition>;
  ended: boolean;
}

interface RecordStream {
  renditions: Map<string, Entry[]>;
  pending: number;
  ended: boolean;
}

/** Uploads HLS output to the object store and recordings to the record store. */
export class HlsUploader implements HlsObserver {
  private readonly liveQueue: UploadQueue | undefined;
  private readonly recordQueue: UploadQueue | undefined;
  private readonly liveStreams = new Map<string, LiveStream>();
  private readonly recordStreams = new Map<string, RecordStream>();
  private readonly playback: 'gateway' | 'store';
  private readonly window: number;
  private readonly log: Logger;

  constructor(opts: UploaderOptions) {
    const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
    const redact = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), redactStoreUrl(text));
    const common = {
      maxQueue: opts.maxQueue ?? 64,
      concurrency: opts.concurrency ?? 4,
      maxAttempts: opts.maxAttempts ?? 4,
      backoffMs: opts.backoffMs ?? 250,
      timeoutMs: opts.timeoutMs ?? 10_000,
      bus: opts.bus ?? null,
      log: opts.log,
      metrics: opts.metrics ?? null,
      redact,
    };
    this.log = opts.log;
    if (opts.live) this.liveQueue = new UploadQueue('object', opts.live, common);
    // A recording must be whole: its queue holds more before it drops.
    if (opts.record) this.recordQueue = new UploadQueue('record', opts.record, { ...common, maxQueue: common.maxQueue * 4 });
    this.playback = opts.playback ?? 'gateway';
    this.window = opts.playlistWindow ?? 6;
  }

  /** Uploads waiting or running, per store. */
  depth(): { object: number; record: number } {
    return { object: this.liveQueue?.depth ?? 0, record: this.recordQueue?.depth ?? 0 };
  }

  /** Upload failures (after retries) and dropped segments, per store. */
  stats(): Record<StoreRole, { failures: number; dropped: number }> {
    return {
      object: { failures: this.liveQueue?.failures ?? 0, dropped: this.liveQueue?.dropped ?? 0 },
      record: { failures: this.recordQueue?.failures ?? 0, dropped: this.recordQueue?.dropped ?? 0 },
    };
  }

  segment(streamId: string, rendition: string, seg: Readonly<SegmentInput>): void {
    try {
      const entry: Entry = { seq: seg.seq, durationMs: seg.durationMs, discontinuity: seg.discontinuity === true, size: seg.data.length };
      const key = `${streamId}/${rendition}/${seg.seq}.ts`;
      const data = seg.data;
      if (this.liveQueue) this.liveSegment(this.liveQueue, streamId, rendition, entry, key, data);
      if (this.recordQueue) this.recordSegment(this.recordQueue, streamId, rendition, entry, key, data);
    } catch (err) {
      this.log.warn({ err, streamId }, 'object-store upload not queued');
    }
  }

  ended(streamId: string): void {
    const live = this.liveStreams.get(streamId);
    if (live && this.liveQueue) {
      live.ended = true;
      this.livePlaylists(this.liveQueue, streamId, live);
      this.liveStreams.delete(streamId);
    }
    const rec = this.recordStreams.get(streamId);
    if (rec) {
      rec.ended = true;
      this.maybeFinishRecording(streamId, rec);
    }
  }

  /** Waits up to timeoutMs for queued uploads, then stops (the rest are dropped). */
  async close(timeoutMs = 5000): Promise<void> {
    await Promise.all([this.liveQueue?.idle(timeoutMs), this.recordQueue?.idle(timeoutMs)]);
    this.liveQueue?.close();
    this.recordQueue?.close();
  }

  private liveSegment(q: UploadQueue, streamId: string, rendition: string, entry: Entry, key: string, data: Uint8Array): void {
    let s = this.liveStreams.get(streamId);
    if (!s) this.liveStreams.set(streamId, (s = { renditions: new Map(), ended: false }));
    const stream = s;
    if (!stream.renditions.has(rendition)) stream.renditions.set(rendition, { entries: [], discontinuitiesBefore: 0 });
    q.add(
      segmentJob(streamId, key, data, (ok) => {
        if (!ok) return;
        const r = stream.renditions.get(rendition)!;
        insertEntry(r.entries, entry);
        while (r.entries.length > KEEP_ENTRIES) if (r.entries.shift()!.discontinuity) r.discontinuitiesBefore++;
        this.livePlaylists(q, streamId, stream);
      }),
    );
  }

  private livePlaylists(q: UploadQueue, streamId: string, stream: LiveStream): void {
    const url = (key: string, relative: string): string => (this.playback === 'store' ? q.store.url(key) : relative);
    for (const [name, r] of stream.renditions) {
      if (r.entries.length === 0) continue;
      q.addPlaylist({
        streamId,
        key: `${streamId}/${name}.m3u8`,
        droppable: false,
        contentType: PLAYLIST_TYPE,
        cacheControl: 'no-cache',
        body: () => {
          const shown = r.entries.slice(-this.window);
          const hidden = r.entries.slice(0, r.entries.length - shown.length).filter((e) => e.discontinuity).length;
          return writeMediaPlaylist(toSegments(shown, streamId, name, url), { discontinuitiesBefore: r.discontinuitiesBefore + hidden, endList: stream.ended });
        },
        done: () => undefined,
      });
    }
    q.addPlaylist({
      streamId,
      key: `${streamId}.m3u8`,
      droppable: false,
      contentType: PLAYLIST_TYPE,
      cacheControl: 'max-age=2',
      body: () =>
        writeMasterPlaylist(
          [...stream.renditions]
            .filter(([, r]) => r.entries.length > 0)
            .map(([name, r]) => ({ name, uri: url(`${streamId}/${name}.m3u8`, hlsPaths.variantUri(streamId, name)), bandwidth: estimateBandwidth(r.entries) })),
        ),
      done: () => undefined,
    });
  }

  private recordSegment(q: UploadQueue, streamId: string, rendition: string, entry: Entry, key: string, data: Uint8Array): void {
    let s = this.recordStreams.get(streamId);
    if (!s) this.recordStreams.set(streamId, (s = { renditions: new Map(), pending: 0, ended: false }));
    const rec = s;
    if (!rec.renditions.has(rendition)) rec.renditions.set(rendition, []);
    rec.pending++;
    q.add(
      segmentJob(streamId, key, data, (ok) => {
        rec.pending--;
        if (ok) insertEntry(rec.renditions.get(rendition)!, entry);
        this.maybeFinishRecording(streamId, rec);
      }),
    );
  }

  /** Once the stream ended and its segments are stored: the VOD playlists. */
  private maybeFinishRecording(streamId: string, rec: RecordStream): void {
    const q = this.recordQueue;
    if (!q || !rec.ended || rec.pending > 0 || this.recordStreams.get(streamId) !== rec) return;
    this.recordStreams.delete(streamId);
    const url = (key: string, relative: string): string => (this.playback === 'store' ? q.store.url(key) : relative);
    const names = [...rec.renditions].filter(([, e]) => e.length > 0);
    for (const [name, entries] of names) {
      q.addPlaylist({
        streamId,
        key: `${streamId}/${name}.m3u8`,
        droppable: false,
        contentType: PLAYLIST_TYPE,
        cacheControl: 'max-age=86400',
        body: () => writeMediaPlaylist(toSegments(entries, streamId, name, url), { endList: true, playlistType: 'VOD' }),
        done: () => undefined,
      });
    }
    q.addPlaylist({
      streamId,
      key: `${streamId}/index.m3u8`,
      droppable: false,
      contentType: PLAYLIST_TYPE,
      cacheControl: 'max-age=86400',
      body: () => writeMasterPlaylist(names.map(([name, entries]) => ({ name, uri: url(`${streamId}/${name}.m3u8`, `${name}.m3u8`), bandwidth: estimateBandwidth(entries) }))),
      done: (ok) => {
        if (ok) this.log.info({ streamId, location: q.store.description, renditions: names.length }, 'recording stored');
      },
    });
  }
}

function insertEntry(list: Entry[], e: Entry): void {
  let at = list.length;
  while (at > 0 && list[at - 1]!.seq > e.seq) at--;
  if (at > 0 && list[at - 1]!.seq === e.seq) return;
  list.splice(at, 0, e);
}

function toSegments(entries: readonly Entry[], streamId: string, rendition: string, url: (key: string, relative: string) => string): PlaylistSegment[] {
  return entries.map((e) => ({
    seq: e.seq,
    durationMs: e.durationMs,
    discontinuity: e.discontinuity,
    uri: url(`${streamId}/${rendition}/${e.seq}.ts`, hlsPaths.segmentUri(rendition, e.seq)),
  }));
}

/** An upload of one segment: droppable when the queue is full, long-cached, `done` told whether it landed. */
function segmentJob(streamId: string, key: string, data: Uint8Array, done: (ok: boolean) => void): Job {
  return { streamId, key, droppable: true, contentType: SEGMENT_TYPE, cacheControl: 'max-age=86400', body: () => data, done };
}
