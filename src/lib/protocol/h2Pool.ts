// One cached HTTP/2 session per orchestrator origin, shared by gRPC, /segment and rendition downloads.
// TLS is never verified (orchestrators use self-signed certs that change on restart, §2); SNI is sent only for DNS
// names (an IP as SNI is not allowed by RFC 6066 and makes Node warn, DEP0123). Sessions are unref'd while idle so
// a cached connection never keeps the process alive, closed after an idle period, and evicted once broken.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { TransportError, type TransportReason } from './errors.js';

/** How long an unused session stays open (go-livepeer's idle connection timeout is 1 min). */
export const H2_IDLE_MS = 60_000;
/** Per-stream receive window: renditions and replies arrive without waiting a round trip per 64 KiB. */
const STREAM_WINDOW = 4 * 1024 * 1024;
const SESSION_WINDOW = 16 * 1024 * 1024;
const MAX_HEADER_BLOCK = 1024 * 1024;

/** A usable connection to an origin: an HTTP/2 session, or a note that the origin only speaks HTTP/1.1 over TLS. */
export type H2Connection = { kind: 'h2'; session: ClientHttp2Session } | { kind: 'h1' };

interface Entry {
  session?: ClientHttp2Session;
  connecting?: Promise<H2Connection>;
  active: number;
  idleTimer?: NodeJS.Timeout;
}

/** Maps a socket-level error to a transport reason. */
export function socketErrorReason(err: unknown): TransportReason {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_HTTP2_STREAM_ERROR' || code === 'ERR_HTTP2_SESSION_ERROR' || code === 'ERR_HTTP2_GOAWAY_SESSION') return 'reset';
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT')) return 'tls';
  if (code === 'ABORT_ERR') return 'aborted';
  return 'protocol';
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Caches HTTP/2 sessions by origin (scheme://host:port). */
export class H2Pool {
  private readonly entries = new Map<string, Entry>();
  private readonly pingsInFlight = new WeakMap<ClientHttp2Session, Promise<boolean>>();
  private readonly h1Origins = new Set<string>();
  private closed = false;

  constructor(private readonly opts: { idleMs?: number } = {}) {}

  /** Number of origins with an open or opening session. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The session for url's origin, dialling when needed. `http:` dials h2c (prior knowledge); `https:` offers
   * `h2` (plus `http/1.1` when allowHttp1) and reports `h1` if the server picks HTTP/1.1.
   */
  connect(url: URL, opts: { dialTimeoutMs: number; signal?: AbortSignal; allowHttp1?: boolean }): Promise<H2Connection> {
    if (this.closed) return Promise.reject(new TransportError('connection pool is closed', 'dial', 'aborted'));
    const origin = url.origin;
    if (url.protocol === 'https:' && this.h1Origins.has(origin)) return Promise.resolve({ kind: 'h1' });
    const entry = this.entries.get(origin);
    if (entry?.session && !entry.session.destroyed && !entry.session.closed) return Promise.resolve({ kind: 'h2', session: entry.session });
    let pending = entry?.connecting;
    if (!pending) {
      if (entry) this.evict(origin);
      const e: Entry = { active: 0 };
      this.entries.set(origin, e);
      pending = this.dial(url, opts.dialTimeoutMs, opts.allowHttp1 ?? false).then(
        (conn) => {
          e.connecting = undefined;
          if (conn.kind === 'h1') {
            this.entries.delete(origin);
            this.h1Origins.add(origin);
            return conn;
          }
          if (this.closed) {
            conn.session.destroy();
            throw new TransportError('connection pool is closed', 'dial', 'aborted');
          }
          this.adopt(origin, e, conn.session);
          return conn;
        },
        (err: unknown) => {
          if (this.entries.get(origin) === e) this.entries.delete(origin);
          throw err;
        },
      );
      e.connecting = pending;
    }
    return waitFor(pending, opts.signal);
  }

  /** Opens a stream on url's origin; the session stays referenced (keeps the process alive) while streams are open. */
  async request(
    url: URL,
    headers: OutgoingHttpHeaders,
    opts: { dialTimeoutMs: number; signal?: AbortSignal; endStream?: boolean; allowHttp1?: boolean },
  ): Promise<ClientHttp2Stream | 'h1'> {
    let conn = await this.connect(url, opts);
    if (conn.kind === 'h1') return 'h1';
    let stream: ClientHttp2Stream;
    try {
      stream = conn.session.request(headers, { endStream: opts.endStream ?? false });
    } catch (err) {
      // The session went away (GOAWAY, close) between lookup and use: dial once more.
      if (!conn.session.closed && !conn.session.destroyed) throw err;
      this.evictSession(url.origin, conn.session);
      conn = await this.connect(url, opts);
      if (conn.kind === 'h1') return 'h1';
      stream = conn.session.request(headers, { endStream: opts.endStream ?? false });
    }
    const entry = this.entries.get(url.origin);
    if (entry && entry.session === conn.session) {
      this.retain(entry);
      stream.once('close', () => this.releaseStream(url.origin, entry));
    } else {
      // A session already dropped from the cache (GOAWAY) still serves this stream: keep the process alive for it.
      const session = conn.session;
      session.ref();
      stream.once('close', () => {
        if (!session.destroyed) session.unref();
      });
    }
    return stream;
  }

  /** Drops a session (e.g. after it stopped answering); open streams on it are cancelled. */
  evict(origin: string): void {
    const entry = this.entries.get(origin);
    if (!entry) return;
    this.entries.delete(origin);
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.session?.destroy();
  }

  /**
   * Checks a session with an HTTP/2 PING after a timeout. A late answer retires the session gracefully (new
   * requests get a fresh connection, streams in flight finish); only a PING error destroys it. Destroying on a
   * slow PING under load would cancel every upload and download on that orchestrator at once.
   */
  probe(origin: string, timeoutMs = 1000): void {
    const session = this.entries.get(origin)?.session;
    if (!session || session.destroyed) return;
    const timer = setTimeout(() => this.retire(origin, session), timeoutMs).unref();
    void this.ping(session).then((answered) => {
      clearTimeout(timer);
      if (!answered) this.evictSession(origin, session);
    });
  }

  /**
   * PINGs a session, one PING at a time per session whoever asks: 32 segments waiting on one orchestrator send one
   * PING, not 32 (Node refuses more than 10 outstanding). True when answered; false when it could not be sent or
   * failed (the session is gone or closing).
   */
  ping(session: ClientHttp2Session): Promise<boolean> {
    let ping = this.pingsInFlight.get(session);
    if (!ping) {
      ping = new Promise<boolean>((resolve) => {
        try {
          if (!session.ping((err) => resolve(!err))) resolve(false);
        } catch {
          resolve(false); // a closing session takes no PINGs
        }
      });
      this.pingsInFlight.set(session, ping);
      void ping.then(() => this.pingsInFlight.delete(session));
    }
    return ping;
  }

  /** Stops handing out a session and closes it once its streams are done (streams in flight finish). */
  retire(origin: string, session: ClientHttp2Session): void {
    const entry = this.entries.get(origin);
    if (entry?.session === session) {
      this.entries.delete(origin);
      if (entry.idleTimer) clearTimeout(entry.idleTimer);
    }
    if (!session.closed && !session.destroyed) session.close();
  }

  /** Closes every session; in-flight streams are allowed to finish. */
  async close(): Promise<void> {
    this.closed = true;
    const sessions: ClientHttp2Session[] = [];
    for (const e of this.entries.values()) {
      if (e.idleTimer) clearTimeout(e.idleTimer);
      if (e.session && !e.session.destroyed) sessions.push(e.session);
    }
    this.entries.clear();
    await Promise.all(sessions.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private evictSession(origin: string, session: ClientHttp2Session): void {
    const entry = this.entries.get(origin);
    if (entry?.session === session) this.evict(origin);
    else session.destroy();
  }

  private adopt(origin: string, entry: Entry, session: ClientHttp2Session): void {
    entry.session = session;
    const drop = (): void => {
      if (this.entries.get(origin) === entry && entry.session === session) {
        this.entries.delete(origin);
        if (entry.idleTimer) clearTimeout(entry.idleTimer);
      }
    };
    session.once('goaway', () => {
      drop();
      // Let streams in flight finish, then end the session (a GOAWAY'd session takes no new streams).
      if (!session.closed) session.close();
    });
    session.once('close', drop);
    session.once('error', drop);
    if (session.destroyed || session.closed) drop();
    else this.scheduleIdle(origin, entry);
  }

  private retain(entry: Entry): void {
    entry.active++;
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = undefined;
    }
    entry.session?.ref();
  }

  private releaseStream(origin: string, entry: Entry): void {
    entry.active--;
    if (entry.active === 0 && this.entries.get(origin) === entry) this.scheduleIdle(origin, entry);
  }

  private scheduleIdle(origin: string, entry: Entry): void {
    const session = entry.session;
    if (!session || session.destroyed) return;
    session.unref();
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined;
      if (entry.active > 0) return;
      if (this.entries.get(origin) === entry) this.entries.delete(origin);
      session.close();
    }, this.opts.idleMs ?? H2_IDLE_MS).unref();
  }

  private dial(url: URL, timeoutMs: number, allowHttp1: boolean): Promise<H2Connection> {
    return new Promise<H2Connection>((resolve, reject) => {
      const host = hostOf(url);
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        reject(new TransportError(`unsupported scheme ${url.protocol}`, 'dial', 'protocol'));
        return;
      }
      const port = Number(url.port) || (secure ? 443 : 80);
      let done = false;
      const socket: net.Socket = secure
        ? tls.connect({
            host,
            port,
            ...(net.isIP(host) ? {} : { servername: host }),
            ALPNProtocols: allowHttp1 ? ['h2', 'http/1.1'] : ['h2'],
            rejectUnauthorized: false,
          })
        : net.connect({ host, port });
      const fail = (err: TransportError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new TransportError(`dial ${url.host}: timeout after ${timeoutMs} ms`, 'dial', 'timeout')), timeoutMs);
      socket.once('error', (err) => fail(new TransportError(`dial ${url.host}: ${err.message}`, 'dial', socketErrorReason(err), { cause: err })));
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        if (done) return;
        if (secure && (socket as tls.TLSSocket).alpnProtocol !== 'h2') {
          if (allowHttp1) {
            done = true;
            clearTimeout(timer);
            socket.destroy();
            resolve({ kind: 'h1' });
          } else {
            fail(new TransportError(`dial ${url.host}: server does not offer HTTP/2`, 'dial', 'protocol'));
          }
          return;
        }
        done = true;
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const session = http2.connect(url.origin, {
          createConnection: () => socket,
          settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
          // Node's 10 MB default makes nghttp2 refuse streams (ENHANCE_YOUR_CALM) with many segments in flight.
          maxSessionMemory: 512,
          // Livepeer-Payment headers grow with the ticket count; Go servers accept up to 1 MB of headers.
          maxSendHeaderBlockLength: MAX_HEADER_BLOCK,
        });
        // Attached before any event can fire: an unhandled session 'error' would crash the process.
        session.on('error', () => session.destroy());
        session.once('connect', () => {
          try {
            session.setLocalWindowSize(SESSION_WINDOW);
          } catch {
            // Window tuning is an optimisation only.
          }
        });
        resolve({ kind: 'h2', session });
      });
    });
  }
}

function waitFor<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new TransportError('request aborted', 'dial', 'aborted', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new TransportError('request aborted', 'dial', 'aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** The process-wide pool used when callers do not pass their own. */
export const defaultH2Pool = new H2Pool();
