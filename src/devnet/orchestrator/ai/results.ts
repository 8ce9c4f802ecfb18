// In-memory store of AI runner outputs, served under the service URI as /stream/<requestId>/<file> and dropped after
// 10 minutes (go-livepeer aiWorkerResultsTimeout). A byte budget evicts the oldest results first.
import type { Clock } from '../clock.js';

interface StoredResult {
  data: Buffer;
  contentType: string;
  createdAt: number;
}

/** go-livepeer aiWorkerResultsTimeout. */
export const RESULT_TTL_MS = 10 * 60 * 1000;
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

export class ResultStore {
  private readonly items = new Map<string, StoredResult>();
  private bytes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = RESULT_TTL_MS,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  /** Stores one output; returns its path (/stream/<requestId>/<name>). */
  put(requestId: string, name: string, data: Buffer, contentType: string): string {
    const key = `${requestId}/${name}`;
    this.remove(key);
    this.items.set(key, { data, contentType, createdAt: this.clock.now() });
    this.bytes += data.length;
    for (const k of this.items.keys()) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.remove(k);
    }
    return `/stream/${requestId}/${encodeURIComponent(name)}`;
  }

  get(requestId: string, name: string): { data: Buffer; contentType: string } | undefined {
    this.sweep();
    return this.items.get(`${requestId}/${name}`);
  }

  /** Drops results older than the TTL. */
  sweep(): void {
    const now = this.clock.now();
    for (const [k, v] of this.items) if (now - v.createdAt > this.ttlMs) this.remove(k);
  }

  get size(): number {
    return this.items.size;
  }

  private remove(key: string): void {
    const v = this.items.get(key);
    if (!v) return;
    this.bytes -= v.data.length;
    this.items.delete(key);
  }
}
