/**
 * Trickle server, as go-livepeer's orchestrator serves it (docs/live-ai.md §c.1): a request handler to mount on a
 * Node HTTP/1.1 server under a prefix (default `/ai/trickle/`, channel = one path segment).
 *
 *   POST   /{ch}          create (Expect-Content: mime); 404 unless `autocreate`
 *   POST   /{ch}/{seq}    streaming publish (-1 = next); bytes fan out to readers as they arrive
 *   GET    /{ch}/{seq}    streaming subscribe (-1 = next, -2 = current); 470 outside the ring
 *   GET    /{ch}/next     the write head as text
 *   DELETE /{ch}[/{seq}]  close the channel (removing it) or one segment
 *
 * The owner pre-creates channels (`createChannel`) and may read/write them in-process (`channel(name)`).
 * The hosting server must not time requests out: set `server.requestTimeout = 0` (Node's default of 5 minutes would
 * cut long-idle preconnected POSTs).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { TrickleChannel, isReadSeq, isWriteSeq, resolveReadSeq, resolveWriteSeq } from './channel.js';
import type { Segment } from './channel.js';
import { dataHeaders, emptySegmentHeaders, missingHeaders, parseTrickleRoute, postDoneHeaders } from './routes.js';
import type { TrickleRoute } from './routes.js';
import {
  TRICKLE_CLOSED_HEADER,
  TRICKLE_CLOSED_VALUE,
  TRICKLE_DEFAULT_PREFIX,
  TRICKLE_EXPECT_CONTENT_HEADER,
  TRICKLE_LATEST_HEADER,
  TRICKLE_RESET_HEADER,
  TRICKLE_STATUS_SEQ_NONEXISTENT,
} from './headers.js';

export interface TrickleServerOptions {
  /** Path prefix, with leading and trailing slash. */
  readonly prefix?: string;
  /** Create unknown channels on POST (go-livepeer's orchestrator does not). */
  readonly autocreate?: boolean;
  /** A channel with no write for this long is closed by the sweep. */
  readonly idleTimeoutMs?: number;
  /** How often the idle sweep runs; 0 disables the timer (call `sweep()` yourself). */
  readonly sweepIntervalMs?: number;
  /** Interim `100 Continue` period while a POST has sent no body byte. */
  readonly continueIntervalMs?: number;
  /** Clock for the idle sweep. */
  readonly now?: () => number;
}

export interface TrickleServer {
  /** Serves `req` when its path is under the prefix; false (nothing written) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Creates a channel (or returns the existing one of that name). */
  createChannel(name: string, mime: string): TrickleChannel;
  /** Closes and removes a channel; false when unknown. */
  closeChannel(name: string): boolean;
  /** The live channel of that name. */
  channel(name: string): TrickleChannel | undefined;
  /** Closes idle channels now; returns their names. */
  sweep(): string[];
  /** Stops the sweep timer and closes every channel. */
  close(): void;
}

const DEFAULT_MIME = 'application/octet-stream';

/** Creates a trickle server; see the module comment for the routes. */
export function createTrickleServer(opts: TrickleServerOptions = {}): TrickleServer {
  const prefix = opts.prefix ?? TRICKLE_DEFAULT_PREFIX;
  const autocreate = opts.autocreate ?? false;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 5 * 60_000;
  const sweepIntervalMs = opts.sweepIntervalMs ?? 60_000;
  const continueIntervalMs = opts.continueIntervalMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const channels = new Map<string, TrickleChannel>();

  const createChannel = (name: string, mime: string): TrickleChannel => {
    const existing = channels.get(name);
    if (existing !== undefined) return existing;
    const ch = new TrickleChannel(name, mime, now);
    channels.set(name, ch);
    return ch;
  };

  const closeChannel = (name: string): boolean => {
    const ch = channels.get(name);
    if (ch === undefined) return false;
    channels.delete(name);
    ch.close();
    return true;
  };

  const sweep = (): string[] => {
    const t = now();
    const idle = [...channels.values()].filter((ch) => t - ch.lastWriteAt > idleTimeoutMs).map((ch) => ch.name);
    for (const name of idle) closeChannel(name);
    return idle;
  };

  const timer = sweepIntervalMs > 0 ? setInterval(sweep, sweepIntervalMs) : undefined;
  // The sweep must not keep a process alive that has nothing else to do.
  timer?.unref();

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const route = parseTrickleRoute(req.url ?? '/', prefix);
    if (route === undefined) return false;
    const method = req.method ?? 'GET';
    if (route.kind === 'invalid') {
      reply(res, 404, {}, 'Not found');
      req.resume();
      return true;
    }
    if (route.kind === 'channel') {
      if (method === 'POST') {
        req.resume();
        if (!autocreate) return (reply(res, 404, {}, 'Stream not found'), true);
        createChannel(route.channel, headerValue(req, TRICKLE_EXPECT_CONTENT_HEADER) ?? DEFAULT_MIME);
        reply(res, 200, {}, '');
        return true;
      }
      if (method === 'DELETE') {
        req.resume();
        if (!closeChannel(route.channel)) reply(res, 400, {}, 'Invalid stream');
        else reply(res, 200, {}, '');
        return true;
      }
      return methodNotAllowed(req, res), true;
    }
    if (route.kind === 'next') {
      if (method !== 'GET') return methodNotAllowed(req, res), true;
      const ch = channels.get(route.channel);
      if (ch === undefined) return reply(res, 404, {}, 'Stream not found'), true;
      const h: OutgoingHttpHeaders = { [TRICKLE_LATEST_HEADER]: String(ch.nextWrite) };
      if (ch.closed) h[TRICKLE_CLOSED_HEADER] = TRICKLE_CLOSED_VALUE;
      reply(res, 200, h, String(ch.nextWrite));
      return true;
    }
    if (method === 'POST') {
      handlePost(req, res, route);
      return true;
    }
    req.resume();
    const ch = channels.get(route.channel);
    if (ch === undefined) return reply(res, 404, {}, 'Stream not found'), true;
    if (route.kind === 'bad-seq') return reply(res, 400, {}, 'Invalid sequence number'), true;
    if (method === 'GET') {
      if (!isReadSeq(route.seq)) return reply(res, 400, {}, 'Invalid sequence number'), true;
      serveRead(ch, resolveReadSeq(route.seq, ch.nextWrite), res);
      return true;
    }
    if (method === 'DELETE') {
      if (!ch.closeSegment(route.seq)) reply(res, 400, {}, 'Nonexistent segment');
      else reply(res, 200, {}, '');
      return true;
    }
    return methodNotAllowed(req, res), true;
  };

  const handlePost = (req: IncomingMessage, res: ServerResponse, route: TrickleRoute & { channel: string }): void => {
    let ch = channels.get(route.channel);
    if (ch === undefined && autocreate && route.kind === 'segment' && isWriteSeq(route.seq)) {
      ch = createChannel(route.channel, headerValue(req, 'content-type') ?? DEFAULT_MIME);
    }
    if (ch === undefined) {
      req.resume();
      reply(res, 404, { connection: 'close' }, 'Stream not found');
      return;
    }
    if (route.kind !== 'segment' || !isWriteSeq(route.seq)) {
      req.resume();
      reply(res, 400, {}, 'Invalid sequence number');
      return;
    }
    servePost(ch, resolveWriteSeq(route.seq, ch.nextWrite), req, res);
  };

  const servePost = (ch: TrickleChannel, seq: number, req: IncomingMessage, res: ServerResponse): void => {
    if (headerValue(req, TRICKLE_RESET_HEADER) !== undefined) ch.resetBefore(seq);
    const segment = ch.segmentForWrite(seq);
    let gotByte = false;
    let done = false;
    // Keeps idle preconnected uploads alive through proxies until the publisher has something to send.
    const continueTimer = setInterval(() => {
      if (!gotByte && !res.headersSent && !res.destroyed) res.writeContinue();
    }, continueIntervalMs);
    let unsubscribeSegment = (): void => undefined;
    let unsubscribeChannel = (): void => undefined;

    const finish = (status: number, headers: OutgoingHttpHeaders, body = ''): void => {
      if (done) return;
      done = true;
      clearInterval(continueTimer);
      unsubscribeSegment();
      unsubscribeChannel();
      req.off('data', onData);
      req.off('end', onEnd);
      // Whatever the client still sends is discarded; the connection closes after the answer when we said so.
      req.resume();
      if (!res.headersSent && !res.destroyed) reply(res, status, headers, body);
    };
    // Closed before any byte (reset, DELETE of the seq, eviction): the publisher must move on, so answer at once.
    const endedEarly = (): void =>
      finish(200, postDoneHeaders(seq, { closeConnection: true, channelClosed: ch.closed }));

    const onData = (chunk: Buffer): void => {
      if (!gotByte) {
        gotByte = true;
        clearInterval(continueTimer);
        ch.markWritten(seq);
      } else ch.touch();
      segment.buffer.append(chunk);
    };
    const onEnd = (): void => {
      if (!gotByte) ch.markWritten(seq);
      segment.buffer.close();
      finish(200, postDoneHeaders(seq, { closeConnection: false, channelClosed: false }));
    };

    unsubscribeSegment = segment.buffer.subscribe(() => {
      if (segment.closed && !gotByte) endedEarly();
    });
    // A deleted channel ends its writers even mid-body, so a publisher learns of it (EOS) promptly.
    const offChannel = ch.onClose(() =>
      finish(200, postDoneHeaders(seq, { closeConnection: true, channelClosed: true })),
    );
    unsubscribeChannel = () => void offChannel();
    if (done) return;
    if (segment.closed) return endedEarly();

    req.on('data', onData);
    req.on('end', onEnd);
    // The segment stays open after a broken upload so a retry can append to it (go-livepeer semantics).
    req.on('error', () => finish(500, { connection: 'close' }, 'Error reading body'));
    req.on('close', () => {
      if (!req.complete) finish(500, { connection: 'close' }, 'Error reading body');
    });
    res.on('close', () => {
      if (!done) finish(500, {}, '');
    });
  };

  const serveRead = (ch: TrickleChannel, seq: number, res: ServerResponse): void => {
    const found = ch.lookupForRead(seq);
    if (found.kind === 'closed') {
      reply(res, 200, { [TRICKLE_CLOSED_HEADER]: TRICKLE_CLOSED_VALUE }, 'Entry not found');
      return;
    }
    if (found.kind === 'missing') {
      reply(res, TRICKLE_STATUS_SEQ_NONEXISTENT, missingHeaders(found.seq, found.latest), 'Entry not found');
      return;
    }
    streamSegment(ch, found.segment, res);
  };

  const streamSegment = (ch: TrickleChannel, segment: Segment, res: ServerResponse): void => {
    const buf = segment.buffer;
    let offset = 0;
    let awaitingDrain = false;
    let finished = false;

    const cleanup = (): void => {
      if (finished) return;
      finished = true;
      unsubscribe();
      res.off('drain', onDrain);
      res.off('close', cleanup);
    };
    const pump = (): void => {
      if (finished || awaitingDrain) return;
      if (!res.headersSent) {
        // Headers wait for the first byte (or the end): a subscriber's preconnect timeout counts on that.
        if (buf.length === 0) {
          if (!buf.closed) return;
          cleanup();
          reply(res, 200, emptySegmentHeaders(segment.seq, ch.nextWrite, ch.closed), '');
          return;
        }
        res.writeHead(200, dataHeaders(segment.seq, ch.nextWrite, ch.mime));
      }
      while (offset < buf.length) {
        const chunk = buf.readAt(offset);
        offset += chunk.length;
        // Respect backpressure: the segment itself is the only buffer a slow reader may cost us.
        if (!res.write(chunk)) {
          awaitingDrain = true;
          return;
        }
      }
      if (buf.closed) {
        cleanup();
        res.end();
      }
    };
    const onDrain = (): void => {
      awaitingDrain = false;
      pump();
    };
    const unsubscribe = buf.subscribe(pump);
    res.on('drain', onDrain);
    res.on('close', cleanup);
    pump();
  };

  return {
    handle,
    createChannel,
    closeChannel,
    channel: (name) => channels.get(name),
    sweep,
    close: () => {
      if (timer !== undefined) clearInterval(timer);
      for (const name of [...channels.keys()]) closeChannel(name);
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  reply(res, 405, {}, 'Method not allowed');
}
