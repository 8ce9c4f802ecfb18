// AI results the gateway hosts itself (ai-live-signer.md §5): media downloaded from the orchestrator (or decoded
// from data URLs) kept in memory for 10 minutes under /stream/<requestId>/<file>, so clients never contact an
// orchestrator; plus the state of asynchronous image-to-video requests.
import { randomBytes } from 'node:crypto';

/** How long results stay available (go-livepeer's aiWorkerResultsTimeout on O; the same here). */
export const RESULT_TTL_MS = 10 * 60_000;
/** Memory bound for hosted results; the oldest are dropped first. */
export const RESULTS_MAX_BYTES = 512 * 1024 * 1024;
/** URL path prefix of hosted results. */
export const RESULTS_PREFIX = '/stream/';

const EXT_BY_MIME: Readonly<Record<string, string>> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'video/mp4': '.mp4',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/wave': '.wav',
  'audio/mpeg': '.mp3',
};

const MIME_BY_EXT: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

/** Decodes a base64 `data:` URL; undefined when the text is not one. */
export function parseDataUrl(url: string): { mime: string; data: Buffer } | undefined {
  const m = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  return { mime: (m[1] || 'application/octet-stream').toLowerCase(), data: Buffer.from(m[3]!, 'base64') };
}

/** A file name for a stored result: O's base name when it is tame, else a random one with the type's extension. */
export function resultFileName(sourceUrl: string | undefined, mime: string | undefined, fallbackExt: string): string {
  if (sourceUrl) {
    let base = '';
    try {
      base = decodeURIComponent(new URL(sourceUrl, 'http://x').pathname.split('/').pop() ?? '');
    } catch {
      base = '';
    }
    if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(base) && /\.[A-Za-z0-9]{1,5}$/.test(base)) return base;
  }
  const ext = (mime && EXT_BY_MIME[mime.split(';')[0]!.trim().toLowerCase()]) || fallbackExt;
  return `${randomBytes(8).toString('hex')}${ext}`;
}

/** Content type to serve a stored file with. */
export function mimeForName(name: string, given?: string): string {
  if (given && given !== 'application/octet-stream') return given;
  const ext = /\.[A-Za-z0-9]+$/.exec(name)?.[0]?.toLowerCase();
  return (ext && MIME_BY_EXT[ext]) || 'application/octet-stream';
}

/** A media reference inside an AI response body, with a setter for the rewritten URL. */
export interface MediaRef {
  readonly url: string;
  set(url: string): void;
}

/** The media URLs of a response: ImageResponse `images[].url` (also video), AudioResponse `audio.url`. */
export function mediaRefs(body: unknown): MediaRef[] {
  const refs: MediaRef[] = [];
  if (typeof body !== 'object' || body === null) return refs;
  const rec = body as Record<string, unknown>;
  if (Array.isArray(rec['images'])) {
    for (const item of rec['images'] as unknown[]) {
      if (typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>)['url'] === 'string') {
        const m = item as Record<string, unknown>;
        refs.push({ url: m['url'] as string, set: (u) => (m['url'] = u) });
      }
    }
  }
  const audio = rec['audio'];
  if (typeof audio === 'object' && audio !== null && typeof (audio as Record<string, unknown>)['url'] === 'string') {
    const a = audio as Record<string, unknown>;
    refs.push({ url: a['url'] as string, set: (u) => (a['url'] = u) });
  }
  return refs;
}

interface Stored {
  readonly data: Buffer;
  readonly contentType: string;
  readonly expires: number;
}

/** A hosted file as a reader finds it: here, still downloading from the orchestrator, or lost on the way. */
export type ResultLookup =
  | { readonly state: 'ready'; readonly data: Buffer; readonly contentType: string }
  | { readonly state: 'pending'; readonly settled: Promise<ResultLookup> }
  | { readonly state: 'failed'; readonly message: string };

/** Outcome of an asynchronous request. */
export type AsyncJobState = { state: 'processing' } | { state: 'complete'; status: number; body: unknown };

/** In-memory result files and async job states, both expiring after RESULT_TTL_MS. */
export class ResultStore {
  private readonly files = new Map<string, Stored>();
  /** Files whose download from the orchestrator is under way, and failed downloads (kept for the TTL). */
  private readonly pending = new Map<string, { settled: Promise<ResultLookup> }>();
  private readonly failed = new Map<string, { message: string; expires: number }>();
  private readonly jobs = new Map<string, { state: AsyncJobState; expires: number }>();
  private bytes = 0;

  constructor(
    private readonly opts: {
      ttlMs?: number;
      maxBytes?: number;
      now?: () => number;
      /** Told of each download as it starts, with a promise that settles when it has (the daemon's drain waits on it). */
      onDownload?: (settled: Promise<unknown>) => void;
    } = {},
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private get ttl(): number {
    return this.opts.ttlMs ?? RESULT_TTL_MS;
  }

  /** Stores a file; returns its path (`/stream/<requestId>/<name>`). */
  put(requestId: string, name: string, data: Buffer, contentType: string): string {
    this.sweep();
    const key = `${requestId}/${name}`;
    const old = this.files.get(key);
    if (old) this.bytes -= old.data.length;
    this.files.set(key, { data, contentType, expires: this.now() + this.ttl });
    this.bytes += data.length;
    const max = this.opts.maxBytes ?? RESULTS_MAX_BYTES;
    for (const [k, v] of this.files) {
      if (this.bytes <= max || k === key) break;
      this.files.delete(k);
      this.bytes -= v.data.length;
    }
    return resultPath(requestId, name);
  }

  /**
   * Hosts a file that is still downloading: its path is valid at once and readers wait for the bytes. A failed
   * download is remembered, so a reader learns why instead of getting a 404.
   */
  putPending(requestId: string, name: string, download: Promise<{ data: Buffer; contentType: string }>): string {
    const key = `${requestId}/${name}`;
    const settled = download.then(
      ({ data, contentType }): ResultLookup => {
        this.pending.delete(key);
        this.put(requestId, name, data, contentType);
        return { state: 'ready', data, contentType };
      },
      (err: unknown): ResultLookup => {
        this.pending.delete(key);
        const message = err instanceof Error ? err.message : String(err);
        this.failed.set(key, { message, expires: this.now() + this.ttl });
        return { state: 'failed', message };
      },
    );
    this.pending.set(key, { settled });
    this.opts.onDownload?.(settled);
    return resultPath(requestId, name);
  }

  /** A hosted file, or undefined when unknown or expired. */
  lookup(requestId: string, name: string): ResultLookup | undefined {
    this.sweep();
    const key = `${requestId}/${name}`;
    const file = this.files.get(key);
    if (file) return { state: 'ready', data: file.data, contentType: file.contentType };
    const p = this.pending.get(key);
    if (p) return { state: 'pending', settled: p.settled };
    const f = this.failed.get(key);
    return f ? { state: 'failed', message: f.message } : undefined;
  }

  /** A stored file, or undefined when unknown, expired or not downloaded yet. */
  get(requestId: string, name: string): { data: Buffer; contentType: string } | undefined {
    this.sweep();
    return this.files.get(`${requestId}/${name}`);
  }

  /** Marks an asynchronous request as running. */
  startJob(id: string): void {
    this.jobs.set(id, { state: { state: 'processing' }, expires: Number.POSITIVE_INFINITY });
  }

  /** Records the outcome of an asynchronous request (kept for the TTL). */
  finishJob(id: string, status: number, body: unknown): void {
    this.jobs.set(id, { state: { state: 'complete', status, body }, expires: this.now() + this.ttl });
  }

  job(id: string): AsyncJobState | undefined {
    this.sweep();
    return this.jobs.get(id)?.state;
  }

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, v] of this.files) {
      if (v.expires > now) continue;
      this.files.delete(k);
      this.bytes -= v.data.length;
    }
    for (const [k, v] of this.failed) if (v.expires <= now) this.failed.delete(k);
    for (const [k, v] of this.jobs) if (v.expires <= now) this.jobs.delete(k);
  }
}

function resultPath(requestId: string, name: string): string {
  return `${RESULTS_PREFIX}${encodeURIComponent(requestId)}/${encodeURIComponent(name)}`;
}
