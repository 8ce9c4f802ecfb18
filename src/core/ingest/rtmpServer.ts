// RTMP ingest: accepts RTMP publishers and hands each stream over as raw FLV bytes.
//
// Backed by node-media-server's RTMP session code (see nms.ts) on our own TCP listener, so a taken port is a
// rejected promise rather than process.exit(1), port 0 works, and close() tears everything down. Each accepted
// publish gets an internal FLV subscriber on node-media-server's broadcast hub, like its own recorder does.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { loadNms } from './nms.js';
import type { NmsBroadcast, NmsModules, NmsSession, NmsSink } from './nms.js';

export interface IngestStream {
  /** stream key: the last path element of rtmp://host:port/<app>/<key> */
  key: string;
  app: string;
  /** query parameters of the publish name (rtmp://…/<app>/<key>?a=b) */
  query: Record<string, string>;
  remoteAddress: string;
  /** FLV bytes (header, metadata, sequence headers, tags); ends when the publish ends. */
  flv: Readable;
  /** Disconnects the publisher and ends `flv` now. */
  close(): void;
  /**
   * Follows the publisher within the stream: `gone` when it drops (the stream waits out the reconnect grace, `flv`
   * stays open), `back` when the same client resumes (its tags continue in `flv`, timestamps continuing).
   */
  onPublisher?(listener: (state: 'gone' | 'back') => void): void;
}

export type IngestLogLevel = 'warn' | 'error';

export interface RtmpIngestOptions {
  host: string;
  /** 0 picks a free port (see RtmpIngest.port) */
  port: number;
  /** Called once per publish (a resume within the grace window continues the same stream). */
  onStream(stream: IngestStream): void | Promise<void>;
  /** Accept or refuse a publish; refusing (or throwing) disconnects the publisher. No data is delivered before. */
  authorize?(key: string, app: string, query: Record<string, string>): boolean | Promise<boolean>;
  /**
   * After a publisher drops, how long the stream stays open for the same client to resume (node-media-server
   * default 30 s). The stream's `flv` ends only after this window.
   */
  reconnectGraceMs?: number;
  /** A stream whose consumer falls this far behind is dropped: publisher disconnected, `flv` ended (default 64 MiB). */
  maxBufferedBytes?: number;
  /** Warnings/errors (node-media-server's and dropped streams), with stream keys masked. */
  log?(level: IngestLogLevel, message: string): void;
}

export interface RtmpIngest {
  host: string;
  port: number;
  /** "app/key" of the streams currently delivered */
  activeStreams(): string[];
  /** Stops listening, disconnects every publisher and ends every stream. */
  close(): Promise<void>;
}

const DEFAULT_GRACE_MS = 30_000;
const DEFAULT_MAX_BUFFERED = 64 * 1024 * 1024;

interface ActiveStream {
  id: string;
  publisher: NmsSession;
  broadcast: NmsBroadcast;
  sink: NmsSink;
  flv: PassThrough;
  /** chunks held back until authorization completes */
  pending: Buffer[] | null;
  pendingBytes: number;
  ended: boolean;
  listeners: Array<(state: 'gone' | 'back') => void>;
}

let running = false;
let sinkCounter = 0;

/** Masks the stream key in "/app/key" paths so logs do not leak it. */
export function maskStreamPaths(message: string): string {
  return message.replace(/(\/[A-Za-z0-9_-]+\/)[A-Za-z0-9_-]+/g, '$1***');
}

function flattenQuery(q: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && v[0] !== undefined) out[k] = v[0];
  }
  return out;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.message;
      reject(new Error(`RTMP ingest cannot listen on ${host}:${port}: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

/** Starts the RTMP ingest. One per process: node-media-server keeps its stream registry in module globals. */
export async function startRtmpIngest(opts: RtmpIngestOptions): Promise<RtmpIngest> {
  if (running) throw new Error('an RTMP ingest is already running in this process (node-media-server is a singleton)');
  running = true;
  let nms: NmsModules;
  try {
    nms = loadNms();
  } catch (err) {
    running = false;
    throw err;
  }
  const { context, logger } = nms;
  // Its logger defaults to debug and prints to stdout; route warnings/errors to our callback instead.
  logger.level = 'warn';
  logger.log = (message: string, level = 'info'): void => {
    if ((level === 'warn' || level === 'error') && opts.log) opts.log(level, maskStreamPaths(String(message)));
  };

  const graceMs = opts.reconnectGraceMs ?? DEFAULT_GRACE_MS;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  const sockets = new Set<Socket>();
  const active = new Map<string, ActiveStream>();
  // broadcast hubs we attached to, by stream path (bounded by the number of distinct paths)
  const touched = new Map<string, NmsBroadcast>();
  let closing = false;

  const server = createServer((socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const session = new nms.RtmpSession(socket);
    session.run();
    context.sessions.set(session.id, session);
  });

  const ours = (s: NmsSession): boolean => s.socket !== undefined && sockets.has(s.socket);

  // Streams always end with 'end', never 'error': a consumer that only pipes `flv` would crash the process on an
  // unhandled stream error. Why a stream was dropped goes to the log.
  const finish = (st: ActiveStream, dropReason?: string): void => {
    if (st.ended) return;
    st.ended = true;
    if (active.get(st.id) === st) active.delete(st.id);
    st.broadcast.donePlay(st.sink);
    st.pending = null;
    if (dropReason !== undefined) opts.log?.('warn', `RTMP stream ${maskStreamPaths('/' + st.id)} dropped: ${dropReason}`);
    st.flv.end();
  };

  const write = (st: ActiveStream, buf: Buffer): void => {
    if (st.ended) return;
    if (st.pending !== null) {
      st.pending.push(buf);
      st.pendingBytes += buf.length;
      if (st.pendingBytes > maxBuffered) {
        st.publisher.close();
        finish(st, `more than ${maxBuffered} bytes arrived before authorization completed`);
      }
      return;
    }
    if (st.flv.writableLength + st.flv.readableLength > maxBuffered) {
      st.publisher.close();
      finish(st, `consumer fell more than ${maxBuffered} bytes behind`);
      return;
    }
    st.flv.write(buf);
  };

  const onPostPublish = (session: NmsSession): void => {
    const broadcast = session.broadcast;
    if (closing || !ours(session) || session.streamPath === '' || broadcast === undefined) return;
    const id = `${session.streamApp}/${session.streamName}`;
    const existing = active.get(id);
    if (existing) {
      // Resume within the grace window (the hub already freed its publisher slot): same stream continues.
      // Otherwise a second publisher is about to be refused by the hub: ignore it.
      if (broadcast.publisher === null && existing.broadcast === broadcast) {
        existing.publisher = session;
        watchPublisher(existing, session);
        for (const l of existing.listeners) l('back');
      }
      return;
    }
    broadcast.publishGraceMs = graceMs;
    touched.set(session.streamPath, broadcast);
    const st: ActiveStream = {
      id,
      publisher: session,
      broadcast,
      flv: new PassThrough(),
      pending: [],
      pendingBytes: 0,
      ended: false,
      listeners: [],
      sink: {
        id: `gw-ingest-${++sinkCounter}`,
        ip: '',
        protocol: 'flv',
        streamPath: session.streamPath,
        endTime: 0,
        sendBuffer: (buf: Buffer) => write(st, buf),
        close: () => finish(st),
      },
    };
    active.set(id, st);
    watchPublisher(st, session);
    broadcast.postPlay(st.sink);
    void admit(st, session);
  };

  const watchPublisher = (st: ActiveStream, session: NmsSession): void => {
    session.socket?.once('close', () => {
      if (!st.ended && st.publisher === session && !closing) for (const l of st.listeners) l('gone');
    });
  };

  const admit = async (st: ActiveStream, session: NmsSession): Promise<void> => {
    const query = flattenQuery(session.streamQuery);
    let allowed = true;
    if (opts.authorize) {
      try {
        allowed = await opts.authorize(session.streamName, session.streamApp, query);
      } catch {
        allowed = false;
      }
    }
    if (st.ended) return;
    if (!allowed || closing) {
      session.close();
      finish(st);
      return;
    }
    const held = st.pending ?? [];
    st.pending = null;
    for (const b of held) write(st, b);
    const stream: IngestStream = {
      key: session.streamName,
      app: session.streamApp,
      query,
      remoteAddress: session.ip,
      flv: st.flv,
      close: () => {
        st.publisher.close();
        finish(st);
      },
      onPublisher: (listener) => {
        st.listeners.push(listener);
      },
    };
    try {
      await opts.onStream(stream);
    } catch (err) {
      stream.close();
      opts.log?.('error', `onStream failed for ${maskStreamPaths('/' + st.id)}: ${(err as Error).message}`);
    }
  };

  const onDonePublish = (session: NmsSession): void => {
    for (const st of active.values()) {
      if (st.publisher === session) finish(st);
    }
  };

  context.eventEmitter.on('postPublish', onPostPublish);
  context.eventEmitter.on('donePublish', onDonePublish);

  let port: number;
  try {
    port = await listen(server, opts.host, opts.port);
  } catch (err) {
    context.eventEmitter.off('postPublish', onPostPublish);
    context.eventEmitter.off('donePublish', onDonePublish);
    running = false;
    throw err;
  }

  return {
    host: opts.host,
    port,
    activeStreams: () => [...active.keys()],
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      context.eventEmitter.off('postPublish', onPostPublish);
      context.eventEmitter.off('donePublish', onDonePublish);
      for (const st of [...active.values()]) finish(st);
      for (const s of sockets) s.destroy();
      await stopped;
      await new Promise((resolve) => setImmediate(resolve));
      // Drop pending grace timers and registry entries so a later ingest in this process starts clean.
      for (const b of touched.values()) {
        b._finishPublish();
        if (b.publisher === null && context.broadcasts.get(b.streamPath) === b) context.broadcasts.delete(b.streamPath);
      }
      running = false;
    },
  };
}
