// Test-only client for the devnet orchestrator over real TLS + HTTP/2: hand-framed gRPC and POST /segment, built
// from the protocol modules only (independent of the gateway's production clients).
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  type AuthToken,
  EndTranscodingSessionRequestSchema,
  type OrchestratorInfo,
  OrchestratorInfoSchema,
  type OrchestratorRequest,
  OrchestratorRequestSchema,
  type TranscodeResult,
  TranscodeResultSchema,
} from '../../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { decodeGrpcFrames, decodeGrpcMessage, encodeGrpcFrame } from '../../../src/lib/protocol/grpcFraming.js';

export interface GrpcReply {
  status: number;
  message: string;
  body?: Uint8Array;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** ms from request start until response headers. */
  headersMs: number;
  totalMs: number;
}

/** One HTTP/2 connection to an orchestrator, TLS verification off (as go-livepeer's gateway). */
export class OrchClient {
  private readonly session: ClientHttp2Session;

  constructor(readonly uri: string) {
    // Large send limit: tests push oversized headers to see the server answer them.
    this.session = connect(uri, { rejectUnauthorized: false, maxSendHeaderBlockLength: 1 << 20 });
    this.session.on('error', () => {});
  }

  close(): void {
    this.session.close();
  }

  /** Raw request; resolves with status, headers, body and trailers. */
  request(headers: Record<string, string | number>, body?: Uint8Array | string): Promise<HttpReply & { trailers: IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      let headersMs = 0;
      const req = this.session.request(headers);
      let status = 0;
      let resHeaders: IncomingHttpHeaders = {};
      let trailers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      req.on('response', (h) => {
        headersMs = performance.now() - start;
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        resHeaders = h;
      });
      req.on('trailers', (t) => (trailers = t));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve({ status, headers: resHeaders, trailers, body: Buffer.concat(chunks), headersMs, totalMs: performance.now() - start }));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Unary gRPC call with hand framing. */
  async grpc(method: string, message: Uint8Array): Promise<GrpcReply> {
    const r = await this.request(
      { ':method': 'POST', ':path': `/net.Orchestrator/${method}`, 'content-type': 'application/grpc', te: 'trailers' },
      encodeGrpcFrame(message),
    );
    // Trailers-only replies carry the status in the headers.
    const st = r.trailers['grpc-status'] ?? r.headers['grpc-status'];
    const msg = r.trailers['grpc-message'] ?? r.headers['grpc-message'];
    const frames = r.body.length > 0 ? decodeGrpcFrames(new Uint8Array(r.body)) : [];
    return { status: Number(st), message: decodeGrpcMessage(String(msg ?? '')), ...(frames[0] ? { body: frames[0] } : {}) };
  }

  async getOrchestrator(req: OrchestratorRequest): Promise<{ status: number; message: string; info?: OrchestratorInfo }> {
    const r = await this.grpc('GetOrchestrator', toBinary(OrchestratorRequestSchema, req));
    return { status: r.status, message: r.message, ...(r.body ? { info: fromBinary(OrchestratorInfoSchema, r.body) } : {}) };
  }

  endTranscodingSession(token: AuthToken): Promise<GrpcReply> {
    return this.grpc('EndTranscodingSession', toBinary(EndTranscodingSessionRequestSchema, create(EndTranscodingSessionRequestSchema, { authToken: token })));
  }

  /** POST /segment; `result` is set for 200 answers. */
  async postSegment(segHeader: string, payHeader: string, body: Uint8Array, extra: Record<string, string> = {}): Promise<HttpReply & { text: string; result?: TranscodeResult }> {
    const r = await this.request(
      { ':method': 'POST', ':path': '/segment', 'content-type': 'video/MP2T', 'livepeer-segment': segHeader, 'livepeer-payment': payHeader, ...extra },
      body,
    );
    const text = r.status === 200 ? '' : r.body.toString('utf8');
    return { ...r, text, ...(r.status === 200 ? { result: fromBinary(TranscodeResultSchema, new Uint8Array(r.body)) } : {}) };
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    return this.request({ ':method': 'GET', ':path': path, ...headers });
  }

  /** GET an absolute URL on this connection (renditions live on the same origin). */
  async download(url: string): Promise<HttpReply> {
    const u = new URL(url);
    return this.get(u.pathname);
  }
}
