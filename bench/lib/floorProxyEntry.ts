/**
 * Process entry for the "floor proxy" of bench/segment-overhead: the least work any gateway that is a separate
 * process must do for an HTTP-pushed segment. It reads the push (hashing as it arrives, as gw does), sends it with
 * gw's own protocol client to an orchestrator (one per stream, opened once), downloads the renditions and answers
 * with the multipart reply in one write. No sessions, selection, retries, payments, HLS, events or metrics.
 *
 * Its round trip divided by the direct one is the part of the overhead ratio that the extra process and HTTP hop
 * cost on this machine, whatever the gateway does. Usage: floorProxyEntry.ts <orchestrator URI>...; prints
 * {"ready": "<http URL>"} on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildMultipart } from '../../src/core/gateway/multipart.js';
import { keccak256Stream } from '../../src/lib/protocol/hash.js';
import { readRequestBody } from '../../src/core/net/requestBody.js';
import { DirectStream, PROFILE_NAMES } from './direct.js';

const orchestrators = process.argv.slice(2);
if (orchestrators.length === 0) throw new Error('usage: floorProxyEntry.ts <orchestrator URI>...');
const streams = new Map<string, Promise<DirectStream>>();
let opened = 0;

const server = createServer((req, res) => {
  const m = /^\/live\/([^/]+)\/(\d+)\.ts$/.exec(req.url ?? '');
  if (!m) return void res.writeHead(404).end();
  const [, id, seq] = m as unknown as [string, string, string];
  const hasher = keccak256Stream();
  void (async () => {
    const data = await readRequestBody(req, 300_000_000, (c) => hasher.update(c));
    if (data === 'too-large') return void res.writeHead(413).end();
    let stream = streams.get(id);
    if (!stream) streams.set(id, (stream = DirectStream.open(id, orchestrators[opened++ % orchestrators.length]!)));
    const files = await (await stream).renditions(data, hasher.digest(), Number(req.headers['content-duration'] ?? 2000));
    const mp = buildMultipart(files.map((f, i) => ({ profile: PROFILE_NAMES[i]!, seq: Number(seq), data: f })));
    res.writeHead(200, { 'content-type': mp.contentType, 'content-length': mp.length });
    res.cork();
    for (const c of mp.chunks) res.write(c);
    res.uncork();
    res.end();
  })().catch((err: unknown) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`${(err as Error).message}\n`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
