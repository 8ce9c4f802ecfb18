// In-memory HLS segment store per stream and rendition, with optional recording to disk.
//
// Live playback only needs the last few segments, so each rendition keeps a bounded window in memory (older
// segments are dropped). Recording writes every segment as it arrives and a VOD playlist set when the stream ends:
//   <recordDir>/<id>/index.m3u8, <recordDir>/<id>/<rendition>.m3u8, <recordDir>/<id>/<rendition>/<seq>.ts
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_PLAYLIST_WINDOW,
  hlsPaths,
  writeMasterPlaylist,
  writeMediaPlaylist,
} from './playlist.js';
import type { HlsRequest, MasterVariant, PlaylistSegment } from './playlist.js';
import { averageBandwidth, estimateBandwidth, readTraits, type StreamTraits } from './variantTraits.js';

export interface RenditionInfo {
  name: string;
  width?: number;
  height?: number;
  /** bit/s for the master playlist, used only while no segment bytes can be measured (BANDWIDTH is the measured peak) */
  bandwidth?: number;
  /** frames per second (the SPS's timing info takes precedence) */
  frameRate?: number;
}

export interface SegmentInput {
  seq: number;
  durationMs: number;
  data: Uint8Array;
  discontinuity?: boolean;
}

export interface StreamStoreOptions {
  /** stream (manifest) id; also a directory name when recording */
  id: string;
  /** renditions in master-playlist order; others are appended when their first segment arrives */
  renditions?: RenditionInfo[];
  /** segments per live media playlist, default 6 (go-livepeer) */
  playlistWindow?: number;
  /**
   * Most segments kept per rendition, default 3 × playlistWindow + 2 (≥ playlistWindow). Below that cap a segment
   * stays servable after leaving the playlist for its duration plus the longest playlist that held it (RFC 8216
   * §6.2.2), measured on the stream's own timeline.
   */
  memorySegments?: number;
  /**
   * EXT-X-TARGETDURATION in whole seconds, constant for the stream (RFC 8216 §6.2.1): the segmenter's configured
   * length. A segment whose rounded duration exceeds it (a keyframe interval longer than the segment length)
   * raises it for the rest of the stream. Default: the longest segment so far, never lowered.
   */
  targetDurationSec?: number;
  /** record every segment under <recordDir>/<id>/ */
  recordDir?: string;
  /** a failed recording write (live playback is unaffected) */
  onRecordError?(err: Error): void;
  /**
   * Keep live segments in files under <spoolDir>/<id>/ instead of memory once written (memory holds a segment
   * only until its file is on disk). Without it, segment bytes stay in memory.
   */
  spoolDir?: string;
  /**
   * Shared by the streams of a gateway: with it, segments are spooled only while the segments held in memory
   * exceed the budget, so a light load never touches the disk and a heavy one stays bounded.
   */
  memoryBudget?: MemoryBudget;
  /** Told of every stored segment and of the stream's end (e.g. an object-store uploader); must not throw or block. */
  observer?: HlsObserver;
}

/** Follows what a stream store keeps, without being able to change it. */
export interface HlsObserver {
  /** A segment was stored (after duplicates and late ones were dropped). */
  segment(streamId: string, rendition: string, seg: Readonly<SegmentInput>): void;
  /** The stream ended (its playlists now carry ENDLIST). */
  ended(streamId: string): void;
}

/** Bytes of live segments held in memory across streams, against a limit. */
export class MemoryBudget {
  bytes = 0;
  constructor(readonly limitBytes: number) {}

  /** Whether new segments should go to disk. */
  get exceeded(): boolean {
    return this.bytes > this.limitBytes;
  }
}

export interface RecordingResult {
  dir: string;
  /** <dir>/index.m3u8 */
  masterPath: string;
  renditions: Array<{ name: string; playlistPath: string; segments: number }>;
  /** writes that failed (see onRecordError) */
  errors: number;
}

/**
 * What to serve, with its Cache-Control: live media playlists `no-cache` (they change every segment), the master
 * briefly cacheable, ended playlists for a minute, segments immutable (their URIs are unique per stream instance).
 */
export type HlsResponse = { cacheControl: string } & (
  | { contentType: 'application/x-mpegURL'; body: string }
  | { contentType: 'video/MP2T'; body: Uint8Array }
  | { contentType: 'video/MP2T'; file: string; size: number }
);

export const HLS_CACHE = {
  master: 'max-age=1',
  liveMedia: 'no-cache',
  endedPlaylist: 'max-age=60',
  segment: 'public, max-age=31536000, immutable',
} as const;

interface Entry {
  seq: number;
  durationMs: number;
  discontinuity: boolean;
  size: number;
}

interface StoredEntry extends Entry {
  /** The bytes, while they are only in memory. */
  data: Uint8Array | undefined;
  /** The spool file, once written. */
  file: string | undefined;
  dropped?: boolean;
  /** longest playlist (ms) that listed this segment */
  playlistMs: number;
  /** the rendition's timeline (ms) when the segment left the playlist */
  leftAtMs?: number;
}


interface Rendition {
  info: RenditionInfo;
  /** ascending seq, at most memorySegments */
  live: StoredEntry[];
  /** discontinuities among segments already dropped from memory */
  droppedDiscontinuities: number;
  /** every segment ever stored, for the VOD playlist (recording only) */
  recorded: Entry[];
  dirReady: Promise<void> | null;
  spoolDirReady: Promise<unknown> | null;
  traits: StreamTraits | null;
  /** ms of segments appended at the head (the rendition's own timeline for segment retention) */
  clockMs: number;
}

const SAFE_NAME = /^[A-Za-z0-9_~-][A-Za-z0-9_.~-]{0,127}$/;

function assertSafeName(kind: string, name: string): void {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new RangeError(`${kind} ${JSON.stringify(name)} must be 1-128 of [A-Za-z0-9_.~-] (no leading dot, no "..")`);
  }
}

/** Segments of one live stream, per rendition. */
export class StreamStore {
  readonly id: string;
  private readonly renditionsByName = new Map<string, Rendition>();
  private readonly playlistWindow: number;
  private readonly memorySegments: number;
  private readonly recordDir: string | undefined;
  private readonly onRecordError: ((err: Error) => void) | undefined;
  private recordChain: Promise<void> = Promise.resolve();
  private readonly spoolDir: string | undefined;
  private readonly budget: MemoryBudget | undefined;
  private recordErrors = 0;
  private endedFlag = false;
  private readonly observer: HlsObserver | undefined;
  private targetSec: number;
  /**
   * Added to live segment URIs as a query (`source/3.ts?i=…`): a stream restarted under the same id starts its
   * seqs at 0 again, and long-cached segments of the previous one must not be served for them.
   */
  private readonly instance = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;

  constructor(opts: StreamStoreOptions) {
    assertSafeName('stream id', opts.id);
    this.id = opts.id;
    this.playlistWindow = opts.playlistWindow ?? DEFAULT_PLAYLIST_WINDOW;
    this.memorySegments = Math.max(opts.memorySegments ?? 3 * this.playlistWindow + 2, this.playlistWindow);
    this.targetSec = Math.max(1, Math.ceil(opts.targetDurationSec ?? 1));
    if (!(this.playlistWindow >= 1)) throw new RangeError('playlistWindow must be ≥ 1');
    this.recordDir = opts.recordDir === undefined ? undefined : join(opts.recordDir, opts.id);
    this.onRecordError = opts.onRecordError;
    this.spoolDir = opts.spoolDir === undefined ? undefined : join(opts.spoolDir, opts.id);
    this.budget = opts.memoryBudget;
    this.observer = opts.observer;
    for (const r of opts.renditions ?? []) this.declareRendition(r);
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /** Adds (or updates the metadata of) a rendition; the master playlist lists renditions in declaration order. */
  declareRendition(info: RenditionInfo): void {
    assertSafeName('rendition', info.name);
    const existing = this.renditionsByName.get(info.name);
    if (existing) {
      existing.info = { ...existing.info, ...info };
      return;
    }
    this.renditionsByName.set(info.name, {
      info: { ...info },
      live: [],
      droppedDiscontinuities: 0,
      recorded: [],
      dirReady: null,
      spoolDirReady: null,
      traits: null,
      clockMs: 0,
    });
  }

  /** Names of the renditions, in master-playlist order. */
  renditions(): string[] {
    return [...this.renditionsByName.keys()];
  }

  /**
   * Stores a segment. Segments may arrive out of order; one older than the memory window, a duplicate seq,
   * or anything after end() is ignored (returns false).
   */
  addSegment(rendition: string, seg: SegmentInput): boolean {
    if (this.endedFlag) return false;
    if (!Number.isSafeInteger(seg.seq) || seg.seq < 0) throw new RangeError(`segment seq must be a non-negative integer, got ${seg.seq}`);
    if (!(seg.durationMs >= 0)) throw new RangeError(`segment duration must be ≥ 0 ms, got ${seg.durationMs}`);
    if (!this.renditionsByName.has(rendition)) this.declareRendition({ name: rendition });
    const r = this.renditionsByName.get(rendition)!;
    const entry: StoredEntry = { seq: seg.seq, durationMs: seg.durationMs, discontinuity: seg.discontinuity === true, data: seg.data, file: undefined, size: seg.data.length, playlistMs: 0 };

    let at = r.live.length;
    while (at > 0 && r.live[at - 1]!.seq > seg.seq) at--;
    if (at > 0 && r.live[at - 1]!.seq === seg.seq) return false;
    if (at === 0 && r.live.length >= this.memorySegments) return false;
    r.live.splice(at, 0, entry);
    this.held(entry.size);
    if (at === r.live.length - 1) r.clockMs += seg.durationMs;
    if (r.traits === null || seg.discontinuity === true) r.traits = readTraits(seg.data) ?? r.traits;
    // RFC 8216: EXTINF rounded to the nearest integer ≤ TARGETDURATION, which never changes within a stream.
    this.targetSec = Math.max(this.targetSec, Math.round(seg.durationMs / 1000));
    this.age(r);
    if (this.recordDir !== undefined) this.record(r, entry);
    if (this.spoolDir !== undefined && (this.budget === undefined || this.budget.exceeded)) this.spool(r, entry);
    this.observer?.segment(this.id, rendition, seg);
    return true;
  }

  /** Notes the playlist the segments are in now, and drops segments that left it long enough ago (or past the cap). */
  private age(r: Rendition): void {
    const from = Math.max(0, r.live.length - this.playlistWindow);
    let windowMs = 0;
    for (let i = from; i < r.live.length; i++) windowMs += r.live[i]!.durationMs;
    for (let i = from; i < r.live.length; i++) r.live[i]!.playlistMs = Math.max(r.live[i]!.playlistMs, windowMs);
    for (let i = 0; i < from; i++) r.live[i]!.leftAtMs ??= r.clockMs;
    while (r.live.length > 0) {
      const old = r.live[0]!;
      const expired = old.leftAtMs !== undefined && r.clockMs - old.leftAtMs >= old.durationMs + old.playlistMs;
      if (!expired && r.live.length <= this.memorySegments) break;
      r.live.shift();
      if (old.discontinuity) r.droppedDiscontinuities++;
      old.dropped = true;
      if (old.data) this.held(-old.size);
      if (old.file) void unlink(old.file).catch(() => undefined);
    }
  }

  private held(bytes: number): void {
    if (this.budget) this.budget.bytes += bytes;
  }

  /** Moves a segment's bytes to its spool file; memory keeps them only until the write lands. */
  private spool(r: Rendition, entry: StoredEntry): void {
    const dir = join(this.spoolDir!, r.info.name);
    const file = join(dir, `${entry.seq}.ts`);
    const data = entry.data!;
    r.spoolDirReady ??= mkdir(dir, { recursive: true });
    void r.spoolDirReady
      .then(() => writeFile(file, data))
      .then(() => {
        if (entry.dropped) return unlink(file).catch(() => undefined);
        entry.file = file;
        entry.data = undefined;
        this.held(-entry.size);
        return undefined;
      })
      .catch(() => {
        r.spoolDirReady = null; // the directory may be gone: make it again next time; this segment stays in memory
      });
  }

  /** Releases the stream's share of the memory budget (it is being forgotten). */
  release(): void {
    for (const r of this.renditionsByName.values())
      for (const e of r.live)
        if (e.data && !e.dropped) {
          e.dropped = true;
          this.held(-e.size);
        }
  }

  /** Deletes the spool files (the stream is forgotten). */
  async removeSpool(): Promise<void> {
    if (this.spoolDir !== undefined) await rm(this.spoolDir, { recursive: true, force: true });
  }

  /** A segment's bytes while still in memory, or undefined (unknown, or already spooled to its file). */
  getSegment(rendition: string, seq: number): Uint8Array | undefined {
    return this.renditionsByName.get(rendition)?.live.find((e) => e.seq === seq)?.data;
  }

  /** The live media playlist (sliding window; ENDLIST once ended), or undefined for an unknown rendition. */
  mediaPlaylist(rendition: string): string | undefined {
    const r = this.renditionsByName.get(rendition);
    if (!r) return undefined;
    const shownFrom = Math.max(0, r.live.length - this.playlistWindow);
    const hidden = r.live.slice(0, shownFrom).filter((e) => e.discontinuity).length;
    return writeMediaPlaylist(toPlaylist(r.live.slice(shownFrom), rendition, `?i=${this.instance}`), {
      discontinuitiesBefore: r.droppedDiscontinuities + hidden,
      endList: this.endedFlag,
      targetDurationSec: this.targetSec,
    });
  }

  /** The master playlist with one variant per rendition, URIs relative to /stream/. */
  masterPlaylist(): string {
    return writeMasterPlaylist(this.variants((name) => hlsPaths.variantUri(this.id, name)));
  }

  /** Serves a parsed `/stream/` request for this stream; undefined means 404. */
  lookup(req: HlsRequest): HlsResponse | undefined {
    if (req.streamId !== this.id) return undefined;
    const playlistCache = this.endedFlag ? HLS_CACHE.endedPlaylist : undefined;
    if (req.kind === 'master') return { contentType: 'application/x-mpegURL', body: this.masterPlaylist(), cacheControl: playlistCache ?? HLS_CACHE.master };
    if (req.kind === 'media') {
      const body = this.mediaPlaylist(req.rendition);
      return body === undefined ? undefined : { contentType: 'application/x-mpegURL', body, cacheControl: playlistCache ?? HLS_CACHE.liveMedia };
    }
    const e = this.renditionsByName.get(req.rendition)?.live.find((x) => x.seq === req.seq);
    if (!e) return undefined;
    if (e.data) return { contentType: 'video/MP2T', body: e.data, cacheControl: HLS_CACHE.segment };
    return e.file ? { contentType: 'video/MP2T', file: e.file, size: e.size, cacheControl: HLS_CACHE.segment } : undefined;
  }

  /** Marks the stream ended and, when recording, waits for the writes and writes the VOD playlists. */
  async end(): Promise<RecordingResult | null> {
    if (!this.endedFlag) this.observer?.ended(this.id);
    this.endedFlag = true;
    await this.recordChain;
    if (this.recordDir === undefined) return null;
    const dir = this.recordDir;
    await mkdir(dir, { recursive: true });
    const renditions: RecordingResult['renditions'] = [];
    for (const [name, r] of this.renditionsByName) {
      const playlistPath = join(dir, `${name}.m3u8`);
      const entries = [...r.recorded].sort((a, b) => a.seq - b.seq);
      const text = writeMediaPlaylist(toPlaylist(entries, name), { endList: true, playlistType: 'VOD', targetDurationSec: this.targetSec });
      await writeFile(playlistPath, text);
      renditions.push({ name, playlistPath, segments: entries.length });
    }
    const masterPath = join(dir, 'index.m3u8');
    await writeFile(masterPath, writeMasterPlaylist(this.variants((name) => `${name}.m3u8`, true)));
    return { dir, masterPath, renditions, errors: this.recordErrors };
  }

  /** The renditions that have a segment (none is announced before), with measured peak and mean bit rates. */
  private variants(uri: (name: string) => string, vod = false): MasterVariant[] {
    const out: MasterVariant[] = [];
    for (const r of this.renditionsByName.values()) {
      const entries: readonly Entry[] = vod ? r.recorded : r.live;
      if (entries.length === 0) continue;
      const peak = estimateBandwidth(entries);
      const t = r.traits;
      const width = t?.width ?? r.info.width;
      const height = t?.height ?? r.info.height;
      const frameRate = t?.frameRate ?? r.info.frameRate;
      out.push({
        name: r.info.name,
        uri: uri(r.info.name),
        bandwidth: peak > 0 ? peak : (r.info.bandwidth ?? 0),
        ...(peak > 0 ? { averageBandwidth: averageBandwidth(entries) } : {}),
        ...(t && t.codecs.length > 0 ? { codecs: t.codecs } : {}),
        ...(width !== undefined ? { width } : {}),
        ...(height !== undefined ? { height } : {}),
        ...(frameRate !== undefined ? { frameRate } : {}),
      });
    }
    return out;
  }

  private record(r: Rendition, entry: StoredEntry): void {
    const dir = join(this.recordDir!, r.info.name);
    // Captured now: spooling may move the bytes out of memory before this write runs.
    const data = entry.data!;
    r.dirReady ??= mkdir(dir, { recursive: true }).then(() => undefined);
    const dirReady = r.dirReady;
    // One chain per stream keeps writes ordered and lets end() wait for all of them.
    this.recordChain = this.recordChain.then(async () => {
      try {
        await dirReady;
        await writeFile(join(dir, `${entry.seq}.ts`), data);
        r.recorded.push({ seq: entry.seq, durationMs: entry.durationMs, discontinuity: entry.discontinuity, size: entry.size });
      } catch (err) {
        this.recordErrors++;
        r.dirReady = null;
        this.onRecordError?.(err as Error);
      }
    });
  }
}

function toPlaylist(entries: readonly Entry[], rendition: string, query = ''): PlaylistSegment[] {
  return entries.map((e) => ({
    seq: e.seq,
    durationMs: e.durationMs,
    uri: hlsPaths.segmentUri(rendition, e.seq) + query,
    discontinuity: e.discontinuity,
  }));
}

/** All live streams of the gateway, by id. */
export class HlsStore {
  private readonly streams = new Map<string, StreamStore>();

  constructor(private readonly defaults: Omit<StreamStoreOptions, 'id' | 'renditions'> = {}) {}

  /** Creates the store for a stream id; an existing one is returned unchanged (idempotent per id). */
  create(id: string, renditions?: RenditionInfo[], opts: { targetDurationSec?: number } = {}): StreamStore {
    const existing = this.streams.get(id);
    if (existing) return existing;
    const store = new StreamStore({ ...this.defaults, ...opts, id, ...(renditions ? { renditions } : {}) });
    this.streams.set(id, store);
    return store;
  }

  get(id: string): StreamStore | undefined {
    return this.streams.get(id);
  }

  ids(): string[] {
    return [...this.streams.keys()];
  }

  /** Ends a stream (finishing its recording); it stays servable (playlists with ENDLIST) until remove(). */
  async end(id: string): Promise<RecordingResult | null> {
    const store = this.streams.get(id);
    return store ? store.end() : null;
  }

  /** Forgets a stream (its segments are freed, spool files deleted). */
  remove(id: string): boolean {
    const store = this.streams.get(id);
    if (store) {
      store.release();
      void store.removeSpool().catch(() => undefined);
    }
    return this.streams.delete(id);
  }

  /** Serves a parsed `/stream/` request; undefined means 404. */
  lookup(req: HlsRequest): HlsResponse | undefined {
    return this.streams.get(req.streamId)?.lookup(req);
  }
}
