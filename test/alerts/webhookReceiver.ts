import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: unknown;
  readonly at: number;
}

/** A webhook receiver on 127.0.0.1 that records requests; `respond` decides each answer (default 200). */
export async function startReceiver(respond?: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      received.push({ method: req.method ?? '', contentType: req.headers['content-type'], userAgent: req.headers['user-agent'], body, at: Date.now() });
      const i = ++n;
      if (respond) respond(i, req, res);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
