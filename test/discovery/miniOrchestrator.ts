// A tiny real orchestrator for discovery/session tests: unary gRPC (GetOrchestrator, EndTranscodingSession) over
// h2c on 127.0.0.1, with per-server delay, price, capabilities, address and failure knobs, and call counters.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import http2, { type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { buildCapabilities, DEFAULT_CAPABILITIES } from '../../src/lib/protocol/capabilities.js';
import {
  type Capabilities,
  EndTranscodingSessionRequestSchema,
  EndTranscodingSessionResponseSchema,
  OrchestratorInfoSchema,
  OrchestratorRequestSchema,
  type OrchestratorRequest,
} from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { GRPC_CONTENT_TYPE, decodeGrpcFrames, encodeGrpcFrame, encodeGrpcMessage } from '../../src/lib/protocol/grpcFraming.js';

export interface MiniConfig {
  pricePerUnit: bigint;
  pixelsPerUnit: bigint;
  /** Delay before answering GetOrchestrator. */
  delayMs: number;
  /** Capabilities to advertise; null = none (legacy O). */
  capabilities: Capabilities | null;
  /** 20-byte node address. */
  address: Uint8Array;
  /** Answer GetOrchestrator with this gRPC error text. */
  error?: string;
  /** Override the advertised transcoder ('' = none). */
  transcoder?: string;
  /** Include ticket params (recipient = address, expiration block given). */
  ticketParams?: { expirationBlock: bigint };
  /** Auth token lifetime (s). */
  authTtlSec: number;
}

export interface MiniOrchestrator {
  uri: string;
  config: MiniConfig;
  getOrchestratorCalls: number;
  endSessionCalls: number;
  /** Auth session ids ended by the gateway. */
  ended: string[];
  lastRequest: OrchestratorRequest | undefined;
  close(): Promise<void>;
}

function bigintBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0);
  const hex = n.toString(16);
  return Uint8Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
}

/** Starts one mini orchestrator on 127.0.0.1 (h2c: the URI is http://). */
export async function startMiniOrchestrator(cfg: Partial<MiniConfig> = {}): Promise<MiniOrchestrator> {
  const config: MiniConfig = {
    pricePerUnit: 1n,
    pixelsPerUnit: 1n,
    delayMs: 0,
    capabilities: buildCapabilities({ ids: DEFAULT_CAPABILITIES, mandatories: [12], version: '0.9.0' }),
    address: Uint8Array.from(randomBytes(20)),
    authTtlSec: 1800,
    ...cfg,
  };
  const server = http2.createServer();
  const streams = new Set<ServerHttp2Stream>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const mini: MiniOrchestrator = {
    uri: '',
    config,
    getOrchestratorCalls: 0,
    endSessionCalls: 0,
    ended: [],
    lastRequest: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.close(http2.constants.NGHTTP2_CANCEL);
        // Pooled client connections stay open for a minute: drop them so close() does not wait.
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };

  const reply = (stream: ServerHttp2Stream, body: Uint8Array) => {
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': GRPC_CONTENT_TYPE }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(encodeGrpcFrame(body));
  };
  const fail = (stream: ServerHttp2Stream, message: string) => {
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': GRPC_CONTENT_TYPE, 'grpc-status': '2', 'grpc-message': encodeGrpcMessage(message) }, { endStream: true });
  };

  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    streams.add(stream);
    stream.on('close', () => streams.delete(stream));
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      void (async () => {
        const frames = decodeGrpcFrames(Buffer.concat(chunks));
        const path = String(headers[':path']);
        if (path === '/net.Orchestrator/GetOrchestrator') {
          mini.getOrchestratorCalls++;
          mini.lastRequest = fromBinary(OrchestratorRequestSchema, frames[0]!);
          if (config.delayMs > 0) await new Promise((r) => setTimeout(r, config.delayMs));
          if (config.error) return fail(stream, config.error);
          const info = create(OrchestratorInfoSchema, {
            transcoder: config.transcoder ?? mini.uri,
            address: config.address,
            priceInfo: { pricePerUnit: config.pricePerUnit, pixelsPerUnit: config.pixelsPerUnit },
            authToken: { token: randomBytes(32), sessionId: randomBytes(8).toString('hex'), expiration: BigInt(Math.floor(Date.now() / 1000) + config.authTtlSec) },
            ...(config.capabilities ? { capabilities: config.capabilities } : {}),
            ...(config.ticketParams
              ? {
                  ticketParams: {
                    recipient: config.address,
                    faceValue: bigintBytes(1000n),
                    winProb: bigintBytes(1n << 200n),
                    recipientRandHash: randomBytes(32),
                    seed: randomBytes(16),
                    expirationBlock: bigintBytes(config.ticketParams.expirationBlock),
                  },
                }
              : {}),
          });
          return reply(stream, toBinary(OrchestratorInfoSchema, info));
        }
        if (path === '/net.Orchestrator/EndTranscodingSession') {
          mini.endSessionCalls++;
          const req = fromBinary(EndTranscodingSessionRequestSchema, frames[0]!);
          if (req.authToken) mini.ended.push(req.authToken.sessionId);
          return reply(stream, toBinary(EndTranscodingSessionResponseSchema, create(EndTranscodingSessionResponseSchema)));
        }
        return fail(stream, `unknown method ${path}`);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mini.uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return mini;
}
