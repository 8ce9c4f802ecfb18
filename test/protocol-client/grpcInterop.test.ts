// Our hand-framed gRPC client against @grpc/grpc-js (a standard implementation): proves the framing, headers and
// trailer handling are interoperable, over TLS with a self-signed certificate and over h2c.
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSignedCert } from '../../src/devnet/orchestrator/cert.js';
import {
  type OrchestratorRequest,
  OrchestratorInfoSchema,
  OrchestratorRequestSchema,
  EndTranscodingSessionRequestSchema,
  EndTranscodingSessionResponseSchema,
  PingPongSchema,
} from '../../src/lib/protocol/index.js';
import { OrchestratorError } from '../../src/lib/protocol/errors.js';
import { H2Pool } from '../../src/lib/protocol/h2Pool.js';
import { endTranscodingSession, getOrchestrator, pingOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';

function method<I, O>(path: string, reqSchema: Parameters<typeof toBinary>[0], resSchema: Parameters<typeof toBinary>[0]) {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: I) => Buffer.from(toBinary(reqSchema, m as never)),
    requestDeserialize: (b: Buffer) => fromBinary(reqSchema, b) as I,
    responseSerialize: (m: O) => Buffer.from(toBinary(resSchema, m as never)),
    responseDeserialize: (b: Buffer) => fromBinary(resSchema, b) as O,
  };
}

const service = {
  GetOrchestrator: method('/net.Orchestrator/GetOrchestrator', OrchestratorRequestSchema, OrchestratorInfoSchema),
  EndTranscodingSession: method('/net.Orchestrator/EndTranscodingSession', EndTranscodingSessionRequestSchema, EndTranscodingSessionResponseSchema),
  Ping: method('/net.Orchestrator/Ping', PingPongSchema, PingPongSchema),
};

describe('gRPC interop with @grpc/grpc-js', () => {
  const server = new grpc.Server();
  const pool = new H2Pool();
  const seen: { address: Uint8Array; caps: bigint[] }[] = [];
  const ended: string[] = [];
  let tlsPort = 0;
  let h2cPort = 0;

  beforeAll(async () => {
    server.addService(service as unknown as grpc.ServiceDefinition, {
      GetOrchestrator: (call: grpc.ServerUnaryCall<OrchestratorRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        seen.push({ address: call.request.address, caps: call.request.capabilities?.bitstring ?? [] });
        if (call.request.address.length === 20 && call.request.address[0] === 0xff) {
          cb({ code: grpc.status.UNKNOWN, details: 'OrchestratorCapped' });
          return;
        }
        if (call.request.address.length === 20 && call.request.address[0] === 0xee) {
          cb({ code: grpc.status.UNKNOWN, details: 'Invalid orchestrator request: 100% wrong ✗' });
          return;
        }
        cb(null, create(OrchestratorInfoSchema, { transcoder: 'https://127.0.0.1:1', priceInfo: { pricePerUnit: 1200n, pixelsPerUnit: 1n } }));
      },
      EndTranscodingSession: (call: grpc.ServerUnaryCall<{ authToken?: { sessionId: string } }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        ended.push(call.request.authToken?.sessionId ?? '');
        cb(null, create(EndTranscodingSessionResponseSchema, {}));
      },
      Ping: (call: grpc.ServerUnaryCall<{ value: Uint8Array }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        cb(null, create(PingPongSchema, { value: new Uint8Array([...call.request.value].reverse()) }));
      },
    });
    const cert = generateSelfSignedCert(['127.0.0.1']);
    const tlsCreds = grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }], false);
    tlsPort = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', tlsCreds, (e, p) => (e ? rej(e) : res(p))));
    h2cPort = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  });

  afterAll(async () => {
    await pool.close();
    await new Promise<void>((res) => server.tryShutdown(() => res()));
  });

  const request = (first = 0x01) =>
    create(OrchestratorRequestSchema, { address: new Uint8Array(20).fill(first), sig: new Uint8Array(65), capabilities: { bitstring: [0b1011n] } });

  it('GetOrchestrator over TLS (self-signed, not verified) and over h2c', async () => {
    for (const uri of [`https://127.0.0.1:${tlsPort}`, `http://127.0.0.1:${h2cPort}`]) {
      const { info, latencyMs } = await getOrchestrator(uri, request(), { pool });
      expect(info.transcoder).toBe('https://127.0.0.1:1');
      expect(info.priceInfo?.pricePerUnit).toBe(1200n);
      expect(latencyMs).toBeGreaterThan(0);
    }
    expect(seen.at(-1)?.caps).toEqual([0b1011n]);
    expect([...(seen.at(-1)?.address ?? [])]).toEqual(Array(20).fill(1));
  });

  it('surfaces status UNKNOWN with the Go text, percent-decoded', async () => {
    const capped = await getOrchestrator(`https://127.0.0.1:${tlsPort}`, request(0xff), { pool }).catch((e: unknown) => e);
    expect(capped).toBeInstanceOf(OrchestratorError);
    expect((capped as OrchestratorError).message).toBe('OrchestratorCapped');
    expect((capped as OrchestratorError).grpcStatus).toBe(2);
    const odd = await getOrchestrator(`http://127.0.0.1:${h2cPort}`, request(0xee), { pool }).catch((e: unknown) => e);
    expect((odd as Error).message).toBe('Invalid orchestrator request: 100% wrong ✗');
  });

  it('EndTranscodingSession and Ping', async () => {
    const out = await endTranscodingSession(`https://127.0.0.1:${tlsPort}`, { $typeName: 'net.AuthToken', token: new Uint8Array([1]), sessionId: 'abc', expiration: 1n }, { pool });
    expect(out.ok).toBe(true);
    expect(ended).toEqual(['abc']);
    const pong = await pingOrchestrator(`http://127.0.0.1:${h2cPort}`, new Uint8Array([1, 2, 3]), { pool });
    expect([...pong.value]).toEqual([3, 2, 1]);
  });

  it('reuses one HTTP/2 session per origin', async () => {
    const before = pool.size;
    await Promise.all(Array.from({ length: 20 }, () => getOrchestrator(`https://127.0.0.1:${tlsPort}`, request(), { pool })));
    expect(pool.size).toBe(before);
    expect(pool.size).toBe(2);
  });
});
