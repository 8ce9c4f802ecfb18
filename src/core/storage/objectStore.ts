// Where gw puts objects: an S3-compatible bucket (s3Store.ts) or a directory. Keys are `/`-separated and relative
// to the store's prefix; url() is where a viewer fetches the object.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeStore, type StoreLocation } from '../../lib/storage/storeUrl.js';
import { S3Store } from './s3Store.js';

export interface PutOptions {
  contentType: string;
  cacheControl?: string;
  /** aborts the request (timeouts) */
  signal?: AbortSignal;
}

export interface ObjectStore {
  /** the location for logs and events, credentials hidden */
  readonly description: string;
  put(key: string, body: Uint8Array | string, opts: PutOptions): Promise<void>;
  /** the object's absolute URL */
  url(key: string): string;
  close(): void;
}

/** Opens a parsed store location (no I/O until the first put). */
export function openObjectStore(loc: StoreLocation): ObjectStore {
  return loc.kind === 's3' ? new S3Store(loc) : new DirStore(loc.path);
}

/** A directory as a store: keys are relative file paths. */
export class DirStore implements ObjectStore {
  readonly description: string;
  private readonly root: string;

  constructor(path: string) {
    this.root = resolve(path);
    this.description = describeStore({ kind: 'dir', path: this.root });
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions): Promise<void> {
    opts.signal?.throwIfAborted();
    const file = join(this.root, ...key.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body, opts.signal ? { signal: opts.signal } : {});
  }

  url(key: string): string {
    return pathToFileURL(join(this.root, ...key.split('/'))).href;
  }

  close(): void {}
}
