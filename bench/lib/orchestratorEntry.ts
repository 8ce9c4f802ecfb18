/**
 * Process entry for benchmark orchestrators: src/devnet/orchestrator/main.ts with its HTTP/2 server tuned the way a
 * go-livepeer orchestrator behaves (Go's HTTP/2 server: 1 MB upload window per stream and per connection, no small
 * session-memory cap). Node's defaults are a 64 KB receive window per connection (uploads of 1 MB segments from one
 * gateway share it: one event-loop round trip per 64 KB) and maxSessionMemory 10 MB (new streams are refused with
 * NGHTTP2_ENHANCE_YOUR_CALM once ~10 one-megabyte segments are in flight). With those defaults the benchmarks would
 * measure the devnet orchestrator, not gw. BENCH_STOCK_ORCH=1 makes the harness spawn the unmodified entry.
 */
import http2 from 'node:http2';
import { syncBuiltinESMExports } from 'node:module';

const SESSION_MEMORY_MB = Number(process.env.BENCH_ORCH_SESSION_MB ?? 512);
const STREAM_WINDOW = 1024 * 1024;
const CONNECTION_WINDOW = Number(process.env.BENCH_ORCH_CONN_WINDOW_MB ?? 16) * 1024 * 1024;

const original = http2.createSecureServer.bind(http2) as (...args: unknown[]) => http2.Http2SecureServer;
const patched = (options: http2.SecureServerOptions, ...rest: unknown[]) => {
  const server = original({ ...options, maxSessionMemory: SESSION_MEMORY_MB, settings: { ...options.settings, initialWindowSize: STREAM_WINDOW } }, ...rest);
  server.on('session', (session: http2.ServerHttp2Session) => {
    const widen = () => {
      try {
        session.setLocalWindowSize(CONNECTION_WINDOW);
      } catch {
        // closed already
      }
    };
    if (session.connecting) session.once('connect', widen);
    else widen();
  });
  return server;
};
(http2 as unknown as { createSecureServer: typeof patched }).createSecureServer = patched;
// The orchestrator imports the named export: refresh the ESM view of node:http2 before it is loaded.
syncBuiltinESMExports();
await import('../../src/devnet/orchestrator/main.js');
