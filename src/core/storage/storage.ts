// The daemon's storage outputs from settings: objectStore (live HLS) and recordStore (recordings; a directory is
// written by the HLS store itself, a URL is uploaded), with recordDir as the older name of a recordStore directory.
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SettingsReader } from '../../lib/settings/settings.js';
import { parseStoreUrl, type StoreLocation } from '../../lib/storage/storeUrl.js';
import { openObjectStore, type ObjectStore } from './objectStore.js';
import { HlsUploader } from './uploader.js';

export interface Storage {
  /** the HLS store records here itself */
  recordDir: string | undefined;
  /** uploads to stores given as URLs (and to an objectStore directory) */
  uploader: HlsUploader | undefined;
}

export function openStorage(config: SettingsReader, log: Logger, bus: EventBus | null, metrics: Metrics | null): Storage {
  const objectStore = config.get('objectStore');
  const recordStore = config.get('recordStore') ?? config.get('recordDir');
  const secrets: string[] = [];
  const open = (loc: StoreLocation): ObjectStore => {
    if (loc.kind === 's3') secrets.push(loc.secretAccessKey);
    return openObjectStore(loc);
  };
  const live = objectStore !== undefined ? open(parseStoreUrl(objectStore)) : undefined;
  const recordLoc = recordStore !== undefined ? parseStoreUrl(recordStore) : undefined;
  const recordDir = recordLoc?.kind === 'dir' ? recordLoc.path : undefined;
  const record = recordLoc?.kind === 's3' ? open(recordLoc) : undefined;
  if (!live && !record) return { recordDir, uploader: undefined };
  const playback = config.get('objectStorePlayback');
  log.info({ objectStore: live?.description, recordStore: record?.description, playback }, 'uploading HLS output to object storage');
  return {
    recordDir,
    uploader: new HlsUploader({ ...(live ? { live } : {}), ...(record ? { record } : {}), playback, bus, log, metrics, secrets }),
  };
}
