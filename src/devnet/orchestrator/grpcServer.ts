// Unary gRPC over node:http2, hand-framed: enough of grpc-go's server behaviour for net.Orchestrator. Errors go out as
// "trailers-only" responses (status and message in the only HEADERS frame), as grpc-go sends them.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { GRPC_CONTENT_TYPE, GrpcStatus, MAX_GRPC_MESSAGE, decodeGrpcFrames, encodeGrpcFrame, encodeGrpcMessage } from '../../lib/protocol/grpcFraming.js';

/** An error with an explicit gRPC status; any other thrown Error becomes UNKNOWN with its message (Go's behaviour). */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** gRPC status 8 (not in the shared GrpcStatus table). */
const RESOURCE_EXHAUSTED = 8;

/** A unary method: request message bytes in, response message bytes out. */
export type UnaryHandler = (request: Uint8Array) => Promise<Uint8Array>;

/** True when go-livepeer would route the request to gRPC: HTTP/2 and a content type starting with application/grpc. */
export function isGrpcRequest(req: Http2ServerRequest): boolean {
  return req.httpVersionMajor === 2 && (req.headers['content-type'] ?? '').startsWith(GRPC_CONTENT_TYPE);
}

async function readBody(req: Http2ServerRequest, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new GrpcError(RESOURCE_EXHAUSTED, `grpc: received message larger than max (${size} vs. ${limit})`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendError(res: Http2ServerResponse, code: number, message: string): void {
  const stream = res.stream;
  if (stream.destroyed || stream.headersSent) return;
  stream.respond(
    { ':status': 200, 'content-type': GRPC_CONTENT_TYPE, 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) },
    { endStream: true },
  );
}

function sendMessage(res: Http2ServerResponse, message: Uint8Array): void {
  if (res.stream.destroyed || res.headersSent) return;
  // The compat response sends its trailers itself once the body is written.
  res.writeHead(200, { 'content-type': GRPC_CONTENT_TYPE });
  res.addTrailers({ 'grpc-status': '0' });
  res.end(encodeGrpcFrame(message));
}

/** Serves one unary call against `service` ("net.Orchestrator") and its method table. */
export async function serveUnary(req: Http2ServerRequest, res: Http2ServerResponse, service: string, methods: Record<string, UnaryHandler>): Promise<void> {
  const path = req.url.split('?')[0] ?? '';
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  try {
    if (!m) throw new GrpcError(GrpcStatus.UNIMPLEMENTED, `malformed method name: ${JSON.stringify(path)}`);
    if (m[1] !== service) throw new GrpcError(GrpcStatus.UNIMPLEMENTED, `unknown service ${m[1]}`);
    const handler = methods[m[2] as string];
    if (!handler) throw new GrpcError(GrpcStatus.UNIMPLEMENTED, `unknown method ${m[2]} for service ${service}`);
    const body = await readBody(req, MAX_GRPC_MESSAGE + 5);
    let frames: Uint8Array[];
    try {
      frames = decodeGrpcFrames(body);
    } catch (err) {
      throw new GrpcError(GrpcStatus.INTERNAL, `grpc: error unmarshalling request: ${(err as Error).message}`);
    }
    if (frames.length !== 1) throw new GrpcError(GrpcStatus.INTERNAL, `grpc: expected 1 request message, got ${frames.length}`);
    sendMessage(res, await handler(frames[0] as Uint8Array));
  } catch (err) {
    if (err instanceof GrpcError) sendError(res, err.code, err.message);
    else sendError(res, GrpcStatus.UNKNOWN, (err as Error).message);
  }
}
