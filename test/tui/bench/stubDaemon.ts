/**
 * A load generator for the dashboard benchmark: a control API (status + SSE events, 404 elsewhere) on
 * 127.0.0.1 whose N active streams each send a segment every 2 s (sent, transcoded, a ticket batch and a log
 * line), i.e. 2 × N events/s. Prints its port on stdout. Run: node --import tsx test/tui/bench/stubDaemon.ts [N]
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GwEventInput } from '../../../src/api/events.js';

const SESSIONS = Number(process.argv[2] ?? 100);
const WIN_PROB = ((2n ** 256n - 1n) / 1000n).toString();
let seq = 0;
const clients = new Set<ServerResponse>();
const startedAt = new Date().toISOString();

function send(e: GwEventInput): void {
  const ev = { ...e, seq: ++seq, ts: Date.now() };
  const line = `event: ${ev.type}\nid: ${ev.seq}\ndata: ${JSON.stringify(ev)}\n\n`;
  for (const c of clients) c.write(line);
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/v1/status') {
    const status = {
      version: '0.0.0-bench', pid: process.pid, startedAt, uptimeMs: Math.round(process.uptime() * 1000), mode: 'on-chain', network: 'bench', dataDir: '/bench',
      endpoints: { control: 'http://127.0.0.1:0', http: 'http://127.0.0.1:0', rtmp: 'rtmp://127.0.0.1:0/live', metrics: 'http://127.0.0.1:0/metrics' },
      orchestrators: { known: 10, usable: 10, rejected: 0 }, sessions: { active: SESSIONS, streams: SESSIONS, aiJobs: 0 }, draining: false,
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    return;
  }
  if (path === '/v1/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"not in the benchmark stub"}}');
});

server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));

for (let s = 0; s < SESSIONS; s++) {
  const streamId = `stream-${s}`;
  const orchestrator = `https://orch-${s % 10}.bench:8935`;
  const recipient = `0x${String(s % 10).repeat(40)}`;
  setTimeout(() => {
    send({ type: 'stream.started', streamId, ingest: 'rtmp', profiles: ['720p30fps', '360p30fps'] });
    send({ type: 'orchestrator.selected', streamId, orchestrator, address: recipient, pricePerPixel: '1200/1000' });
    let n = 0;
    setInterval(() => {
      const segment = n++;
      send({ type: 'segment.sent', streamId, segment, orchestrator, attempt: 1, bytes: 1_000_000 });
      setTimeout(() => {
        send({ type: 'segment.transcoded', streamId, segment, orchestrator, latencyMs: 600 + Math.round(Math.random() * 600), renditions: 2, feeWei: '1800000000000' });
        send({ type: 'tickets.sent', streamId, recipient, count: 2, faceValueWei: '1000000000000000', winProb: WIN_PROB, evWei: '2000000000000', firstNonce: segment * 2 });
        send({ type: 'log', level: 'debug', module: 'transcode', msg: `${streamId} segment ${segment} ok` });
      }, 700);
    }, 2000);
  }, Math.random() * 2000);
}
