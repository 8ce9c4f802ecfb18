import { startRtmpIngest, type IngestStream, type RtmpIngest } from '../ingest/rtmpServer.js';
import { startSegmenter } from '../media/segmenter.js';
import type { Logger } from '../logger.js';
import { authorizeStream } from './authWebhook.js';
import type { StreamRegistry, StreamSpec } from './streams.js';

/** Segments of one RTMP stream that may be at orchestrators at once (later ones overlap a slow one). */
const MAX_IN_FLIGHT_PER_STREAM = 3;

export interface RtmpStreamsDeps {
  readonly host: string;
  readonly port: number;
  readonly ffmpeg: string;
  readonly registry: StreamRegistry;
  readonly log: Logger;
  /** The stream's profiles, from settings (and the auth webhook when it names some). */
  specFor(id: string, override?: { presets?: string[] }): StreamSpec;
  readonly authWebhookUrl?: () => string | undefined;
  /** After a publisher drops, how long the stream waits for it to resume (the `rtmpReconnectGrace` setting). */
  readonly reconnectGraceMs?: number;
  /** Publishes to this app are live AI streams (`rtmp://host/<app>/<stream>?pipeline=…`), handed over whole. */
  readonly live?: { readonly app: string; start(stream: IngestStream): void };
}

/**
 * RTMP ingest → segmenter → stream registry. Each publish (`rtmp://host/live/<key>`) becomes a stream named by
 * its key (or by the auth webhook's manifestID); its ~2 s segments are transcoded with bounded overlap.
 */
export async function startRtmpStreams(deps: RtmpStreamsDeps): Promise<RtmpIngest> {
  const overrides = new Map<string, { manifestId?: string; presets?: string[] }>();
  return startRtmpIngest({
    host: deps.host,
    port: deps.port,
    ...(deps.reconnectGraceMs !== undefined ? { reconnectGraceMs: deps.reconnectGraceMs } : {}),
    log: (level, msg) => deps.log[level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'debug']({ module: 'rtmp' }, msg),
    authorize: async (key, app, query) => {
      // Live AI streams ask their own webhook (the live AI auth webhook) when they start.
      if (app === deps.live?.app) return true;
      const hook = deps.authWebhookUrl?.();
      if (!hook) return true;
      const qs = new URLSearchParams(query).toString();
      const decision = await authorizeStream(hook, `rtmp://${deps.host}:${deps.port}/${app}/${key}${qs ? `?${qs}` : ''}`);
      if (!decision.allowed) {
        deps.log.warn({ module: 'rtmp', app, reason: decision.reason }, 'stream refused by the auth webhook');
        return false;
      }
      overrides.set(`${app}/${key}`, { manifestId: decision.manifestId, presets: decision.presets });
      return true;
    },
    onStream: (stream) => (stream.app === deps.live?.app ? deps.live.start(stream) : handleStream(deps, stream, overrides.get(`${stream.app}/${stream.key}`))),
  });
}

function handleStream(deps: RtmpStreamsDeps, stream: IngestStream, override?: { manifestId?: string; presets?: string[] }): void {
  const id = override?.manifestId ?? stream.key;
  let spec: StreamSpec;
  try {
    spec = deps.specFor(id, override);
    deps.registry.open(spec);
  } catch (err) {
    deps.log.warn({ module: 'rtmp', streamId: id, err: (err as Error).message }, 'stream refused');
    stream.close();
    return;
  }
  const inFlight = new Set<Promise<unknown>>();
  const segmenter = startSegmenter({
    ffmpeg: deps.ffmpeg,
    input: stream.flv,
    onSegment: async (seg) => {
      while (inFlight.size >= MAX_IN_FLIGHT_PER_STREAM) await Promise.race(inFlight);
      const p = deps.registry
        .process(spec, { seq: seg.seq, durationMs: seg.durationMs, data: seg.data })
        .catch((err: unknown) => deps.log.warn({ module: 'rtmp', streamId: id, seq: seg.seq, err: (err as Error).message }, 'segment not transcoded'))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
  });
  void segmenter.done
    .catch((err: unknown) => deps.log.warn({ module: 'rtmp', streamId: id, err: (err as Error).message }, 'segmenter stopped with an error'))
    .then(() => Promise.all(inFlight))
    .then(() => deps.registry.end(id, 'publisher disconnected'));
}
