// Typed access to the parts of node-media-server 4.4.3 that the RTMP ingest uses.
//
// We use its RTMP session (handshake, chunking, AMF, FLV tag building) and its per-path broadcast hub, but
// not its NodeMediaServer class: that one also starts an HTTP server, a JSON store in ./data that installs
// SIGINT/SIGTERM handlers, a rate sampler, and calls process.exit(1) when a port is taken. The package has
// no TypeScript types and no "exports" map, so internal files are required by path (version pinned exactly).
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/** A node-media-server session (RTMP publisher/player); only the fields we read. */
export interface NmsSession {
  id: string;
  ip: string;
  protocol: string;
  isPublisher: boolean;
  streamApp: string;
  streamName: string;
  /** "/app/name", "" until the publish command was accepted */
  streamPath: string;
  streamQuery: Record<string, string | string[] | undefined>;
  socket?: Socket;
  broadcast?: NmsBroadcast;
  run(): void;
  close(): void;
}

/** An internal subscriber: receives the FLV header and FLV tags of one broadcast. */
export interface NmsSink {
  id: string;
  /** "" marks an internal subscriber: no play events, no play auth. */
  ip: '';
  protocol: 'flv';
  streamPath: string;
  endTime: number;
  sendBuffer(buf: Buffer): void;
  close(): void;
}

/** The per-stream-path hub that fans a publisher out to subscribers. */
export interface NmsBroadcast {
  streamPath: string;
  publisher: NmsSession | null;
  publishGraceMs: number;
  _publishGraceTimer: unknown;
  postPlay(sink: NmsSink): string | null;
  donePlay(sink: NmsSink): void;
  /** Ends a publish for real (clears the grace timer, emits donePublish). */
  _finishPublish(): void;
}

export interface NmsContext {
  sessions: Map<string, unknown>;
  broadcasts: Map<string, NmsBroadcast>;
  eventEmitter: EventEmitter;
  config: Record<string, unknown>;
}

interface NmsLogger {
  level: string;
  log(message: string, level?: string): void;
}

export interface NmsModules {
  context: NmsContext;
  logger: NmsLogger;
  RtmpSession: new (socket: Socket) => NmsSession;
}

let loaded: NmsModules | undefined;

/** Loads node-media-server's internals once per process (they are process-wide singletons). */
export function loadNms(): NmsModules {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    loaded = {
      context: require('node-media-server/src/core/context.js') as NmsContext,
      logger: require('node-media-server/src/core/logger.js') as NmsLogger,
      RtmpSession: require('node-media-server/src/session/rtmp_session.js') as NmsModules['RtmpSession'],
    };
  }
  return loaded;
}
