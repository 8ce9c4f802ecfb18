// gRPC calls to an orchestrator (net.Orchestrator service), hand-framed over HTTP/2 (§2, §6):
// GetOrchestrator for discovery/refresh, EndTranscodingSession for teardown, Ping for a liveness check.
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { TransportError, OrchestratorError, type WireError } from './errors.js';
import {
  type AuthToken,
  EndTranscodingSessionRequestSchema,
  EndTranscodingSessionResponseSchema,
  type OrchestratorInfo,
  OrchestratorInfoSchema,
  type OrchestratorRequest,
  OrchestratorRequestSchema,
  PingPongSchema,
} from './gen/net/lp_rpc_pb.js';
import { GRPC_CONTENT_TYPE, GrpcStatus, decodeGrpcFrames, decodeGrpcMessage, encodeGrpcFrame } from './grpcFraming.js';
import type { H2Pool } from './h2Pool.js';
import { wireRequest } from './httpTransport.js';

/** go-livepeer's GRPCConnectTimeout. */
export const GRPC_DIAL_TIMEOUT_MS = 3000;
/** Default deadline of a GetOrchestrator call (dial included). */
export const GET_ORCHESTRATOR_TIMEOUT_MS = 3000;
/** Refresh deadline before a submission (§8.6). */
export const REFRESH_TIMEOUT_MS = 2500;
/** Deadline of the fire-and-forget EndTranscodingSession. */
export const END_SESSION_TIMEOUT_MS = 3000;

/** Options shared by the gRPC calls. */
export interface GrpcCallOptions {
  /** Whole-call deadline including the dial. */
  timeoutMs?: number;
  signal?: AbortSignal;
  pool?: H2Pool;
}

const SERVICE_PATH = '/net.Orchestrator/';

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** One unary call: POST /net.Orchestrator/<method>; status ≠ OK becomes an OrchestratorError with O's text. */
async function grpcUnary<I extends DescMessage, O extends DescMessage>(
  uri: string,
  method: string,
  input: I,
  request: MessageShape<I>,
  output: O,
  opts: GrpcCallOptions,
): Promise<{ message: MessageShape<O>; latencyMs: number }> {
  const base = new URL(uri);
  // gRPC dials host:port only; the URI path is ignored (§2).
  const url = new URL(SERVICE_PATH + method, base.origin);
  const timeoutMs = opts.timeoutMs ?? GET_ORCHESTRATOR_TIMEOUT_MS;
  const start = performance.now();
  const res = await wireRequest(url, {
    method: 'POST',
    h2c: true,
    headers: {
      'content-type': GRPC_CONTENT_TYPE,
      te: 'trailers',
      'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m`,
      'grpc-accept-encoding': 'identity',
    },
    body: encodeGrpcFrame(toBinary(input, request)),
    dialTimeoutMs: Math.min(GRPC_DIAL_TIMEOUT_MS, timeoutMs),
    headersTimeoutMs: timeoutMs,
    totalTimeoutMs: timeoutMs,
    maxBytes: 4 * 1024 * 1024 + 5,
    signal: opts.signal,
    pool: opts.pool,
  });
  const latencyMs = performance.now() - start;
  if (res.status !== 200) throw new TransportError(`${url.host}: gRPC call answered with HTTP ${res.status}`, 'headers', 'protocol');
  const contentType = firstHeader(res.headers['content-type']) ?? '';
  if (!contentType.startsWith(GRPC_CONTENT_TYPE)) {
    throw new TransportError(`${url.host}: not a gRPC reply (content-type ${JSON.stringify(contentType)})`, 'headers', 'protocol');
  }
  // A trailers-only reply carries the status in the headers.
  const statusText = firstHeader(res.trailers['grpc-status']) ?? firstHeader(res.headers['grpc-status']);
  if (statusText === undefined) throw new TransportError(`${url.host}: gRPC reply without grpc-status`, 'body', 'protocol');
  const status = Number(statusText);
  if (status !== GrpcStatus.OK) {
    const msg = firstHeader(res.trailers['grpc-message']) ?? firstHeader(res.headers['grpc-message']) ?? '';
    throw new OrchestratorError(decodeGrpcMessage(msg) || `gRPC status ${status}`, status);
  }
  let frames: Uint8Array[];
  try {
    frames = decodeGrpcFrames(res.body);
  } catch (err) {
    throw new TransportError(`${url.host}: ${(err as Error).message}`, 'body', 'protocol', { cause: err });
  }
  if (frames.length !== 1) throw new TransportError(`${url.host}: expected one gRPC message, got ${frames.length}`, 'body', 'protocol');
  try {
    return { message: fromBinary(output, frames[0]!), latencyMs };
  } catch (err) {
    throw new TransportError(`${url.host}: bad ${output.typeName} message: ${(err as Error).message}`, 'body', 'protocol', { cause: err });
  }
}

/** GetOrchestrator: price, ticket params, auth token and work URL; O's refusals throw OrchestratorError (e.g. `OrchestratorCapped`). */
export async function getOrchestrator(
  uri: string,
  request: OrchestratorRequest,
  opts: GrpcCallOptions = {},
): Promise<{ info: OrchestratorInfo; latencyMs: number }> {
  const { message, latencyMs } = await grpcUnary(uri, 'GetOrchestrator', OrchestratorRequestSchema, request, OrchestratorInfoSchema, opts);
  return { info: message, latencyMs };
}

/** Outcome of a teardown; never thrown. */
export type EndSessionOutcome = { ok: true; latencyMs: number } | { ok: false; error: WireError | Error };

/** EndTranscodingSession to the session's transcoder URI; fire-and-forget: the promise never rejects. */
export async function endTranscodingSession(uri: string, authToken: AuthToken, opts: GrpcCallOptions = {}): Promise<EndSessionOutcome> {
  try {
    const req = create(EndTranscodingSessionRequestSchema, { authToken });
    const { latencyMs } = await grpcUnary(uri, 'EndTranscodingSession', EndTranscodingSessionRequestSchema, req, EndTranscodingSessionResponseSchema, {
      ...opts,
      timeoutMs: opts.timeoutMs ?? END_SESSION_TIMEOUT_MS,
    });
    return { ok: true, latencyMs };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/** net.Orchestrator/Ping: O answers with its signature over the value. */
export async function pingOrchestrator(uri: string, value: Uint8Array, opts: GrpcCallOptions = {}): Promise<{ value: Uint8Array; latencyMs: number }> {
  const { message, latencyMs } = await grpcUnary(uri, 'Ping', PingPongSchema, create(PingPongSchema, { value }), PingPongSchema, opts);
  return { value: message.value, latencyMs };
}
