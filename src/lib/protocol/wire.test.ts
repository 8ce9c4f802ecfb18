// Wire compatibility: field numbers/types against the protocol reference tables (§3), protobuf-es round trips,
// and interop with an independent protobuf implementation (protobufjs, as used by @grpc/proto-loader).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { type DescField, type DescMessage, ScalarType, create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import * as gen from './gen/net/lp_rpc_pb.js';
import { bigintToBytes, hexToBytes } from './encoding.js';
import { buildCapabilities, DEFAULT_CAPABILITIES } from './capabilities.js';

const PROTO = fileURLToPath(new URL('../../../proto/net/lp_rpc.proto', import.meta.url));

function typeOf(f: DescField): string {
  const scalar = (s: ScalarType) => ScalarType[s].toLowerCase();
  const msg = (m: DescMessage) => m.typeName.replace(/^net\./, '');
  switch (f.fieldKind) {
    case 'scalar':
      return scalar(f.scalar);
    case 'enum':
      return 'enum';
    case 'message':
      return msg(f.message);
    case 'list':
      return 'repeated ' + (f.listKind === 'scalar' ? scalar(f.scalar) : f.listKind === 'enum' ? 'enum' : msg(f.message));
    case 'map':
      return `map<${scalar(f.mapKey)},${f.mapKind === 'scalar' ? scalar(f.scalar) : f.mapKind === 'enum' ? 'enum' : msg(f.message)}>`;
  }
}

function fieldTable(schema: DescMessage): string[] {
  return schema.fields.map((f) => `${f.number} ${f.name} ${typeOf(f)}`);
}

// Transcribed from the protocol reference tables §3.1/§3.2 (not from the .proto).
const EXPECTED: [DescMessage, string[]][] = [
  [gen.OrchestratorInfoSchema, ['1 transcoder string', '2 ticket_params TicketParams', '3 price_info PriceInfo', '4 address bytes',
    '5 capabilities Capabilities', '6 auth_token AuthToken', '7 hardware repeated HardwareInformation', '32 storage repeated OSInfo',
    '33 capabilities_prices repeated PriceInfo', '34 nodes repeated string']],
  [gen.TicketParamsSchema, ['1 recipient bytes', '2 face_value bytes', '3 win_prob bytes', '4 recipient_rand_hash bytes', '5 seed bytes',
    '6 expiration_block bytes', '7 expiration_params TicketExpirationParams']],
  [gen.PaymentSchema, ['1 ticket_params TicketParams', '2 sender bytes', '3 expiration_params TicketExpirationParams',
    '4 ticket_sender_params repeated TicketSenderParams', '5 expected_price PriceInfo']],
  [gen.SegDataSchema, ['1 manifestId bytes', '2 seq int64', '3 hash bytes', '4 profiles bytes', '5 sig bytes', '6 duration int32',
    '7 capabilities Capabilities', '8 auth_token AuthToken', '10 calc_perceptual_hash bool', '32 storage repeated OSInfo',
    '33 fullProfiles repeated VideoProfile', '34 fullProfiles2 repeated VideoProfile', '35 fullProfiles3 repeated VideoProfile',
    '37 segment_parameters SegParameters', '38 ForceSessionReinit bool']],
  [gen.VideoProfileSchema, ['16 name string', '17 width int32', '18 height int32', '19 bitrate int32', '20 fps uint32', '21 format enum',
    '22 fpsDen uint32', '23 profile enum', '24 gop int32', '25 encoder enum', '26 colorDepth int32', '27 chromaFormat enum', '28 quality uint32']],
  [gen.OrchestratorRequestSchema, ['1 address bytes', '2 sig bytes', '3 capabilities Capabilities', '4 ignoreCapacityCheck bool']],
  [gen.PriceInfoSchema, ['1 pricePerUnit int64', '2 pixelsPerUnit int64', '3 capability uint32', '4 constraint string']],
  [gen.CapabilitiesSchema, ['1 bitstring repeated uint64', '2 mandatories repeated uint64', '3 capacities map<uint32,uint32>', '4 version string',
    '5 constraints Capabilities.Constraints']],
  [gen.Capabilities_ConstraintsSchema, ['1 minVersion string', '2 PerCapability map<uint32,Capabilities.CapabilityConstraints>']],
  [gen.Capabilities_CapabilityConstraintsSchema, ['1 models map<string,Capabilities.CapabilityConstraints.ModelConstraint>']],
  [gen.Capabilities_CapabilityConstraints_ModelConstraintSchema, ['1 warm bool', '2 capacity uint32', '3 runnerVersion string', '4 capacityInUse uint32']],
  [gen.AuthTokenSchema, ['1 token bytes', '2 session_id string', '3 expiration int64']],
  [gen.TicketExpirationParamsSchema, ['1 creation_round int64', '2 creation_round_block_hash bytes']],
  [gen.TicketSenderParamsSchema, ['1 sender_nonce uint32', '2 sig bytes']],
  [gen.SegParametersSchema, ['1 from uint64', '2 to uint64']],
  [gen.TranscodeResultSchema, ['1 seq int64', '2 error string', '3 data TranscodeData', '16 info OrchestratorInfo']],
  [gen.TranscodeDataSchema, ['1 segments repeated TranscodedSegmentData', '2 sig bytes']],
  [gen.TranscodedSegmentDataSchema, ['1 url string', '2 pixels int64', '3 perceptual_hash_url string']],
  [gen.PaymentResultSchema, ['16 info OrchestratorInfo']],
  [gen.EndTranscodingSessionRequestSchema, ['1 auth_token AuthToken']],
  [gen.EndTranscodingSessionResponseSchema, []],
  [gen.PingPongSchema, ['1 value bytes']],
  [gen.HardwareInformationSchema, ['1 pipeline string', '2 model_id string', '3 gpu_info map<string,GPUComputeInfo>']],
  [gen.GPUComputeInfoSchema, ['1 id string', '2 name string', '4 major uint32', '5 minor uint32', '6 memory_free int64', '7 memory_total int64']],
  [gen.OSInfoSchema, ['1 storageType enum', '16 s3info S3OSInfo']],
  [gen.S3OSInfoSchema, ['1 host string', '2 key string', '3 policy string', '4 signature string', '5 credential string', '6 xAmzDate string']],
];

describe('field numbers and types match the protocol tables', () => {
  it.each(EXPECTED.map(([s, f]) => [s.typeName, s, f] as const))('%s', (_name, schema, fields) => {
    expect(fieldTable(schema)).toEqual(fields);
  });
  it('enums', () => {
    expect(gen.VideoProfile_Format.MP4).toBe(1);
    expect(gen.VideoProfile_Profile.H264_CONSTRAINED_HIGH).toBe(4);
    expect(gen.VideoProfile_VideoCodec.VP9).toBe(3);
    expect(gen.VideoProfile_ChromaSubsampling.CHROMA_444).toBe(2);
    expect(gen.OSInfo_StorageType.GOOGLE).toBe(2);
    expect(gen.TranscodeResultSchema.oneofs.map((o) => o.name)).toEqual(['result']);
  });
  it('service methods', () => {
    expect(gen.Orchestrator.typeName).toBe('net.Orchestrator');
    expect(gen.Orchestrator.methods.map((m) => `${m.name}(${m.input.typeName}) ${m.output.typeName}`)).toEqual([
      'GetOrchestrator(net.OrchestratorRequest) net.OrchestratorInfo',
      'EndTranscodingSession(net.EndTranscodingSessionRequest) net.EndTranscodingSessionResponse',
      'Ping(net.PingPong) net.PingPong',
    ]);
  });
});

function sampleInfo(): gen.OrchestratorInfo {
  return create(gen.OrchestratorInfoSchema, {
    transcoder: 'https://127.0.0.1:8935',
    ticketParams: {
      recipient: hexToBytes('70997970C51812dc3A010C7d01b50e0d17dc79C8'),
      faceValue: bigintToBytes(10n ** 15n),
      winProb: bigintToBytes(926336713898529563388567880069503262826159877325124512315660680000000000n),
      recipientRandHash: new Uint8Array(32).fill(7),
      seed: new Uint8Array(32).fill(9),
      expirationBlock: bigintToBytes(123456n),
      expirationParams: { creationRound: 3500n, creationRoundBlockHash: new Uint8Array(32).fill(1) },
    },
    priceInfo: { pricePerUnit: 1200n, pixelsPerUnit: 1n },
    address: new Uint8Array(20).fill(2),
    capabilities: buildCapabilities({
      ids: [...DEFAULT_CAPABILITIES, 27, 70],
      mandatories: [12],
      capacities: new Map([[27, 2]]),
      version: '0.9.1',
      minVersion: '0.8.0',
      perCapability: new Map([[27, { 'stabilityai/sdxl-turbo': { warm: true, capacity: 2, runnerVersion: '0.1.0', capacityInUse: 1 } }]]),
    }),
    authToken: { token: new Uint8Array([1, 2, 3]), sessionId: 'abcdef01', expiration: 1_900_000_000n },
    hardware: [{ pipeline: 'text-to-image', modelId: 'm', gpuInfo: { '0': { id: 'GPU-0', name: 'RTX', major: 8, minor: 6, memoryFree: 1n << 33n, memoryTotal: 1n << 34n } } }],
    storage: [{ storageType: gen.OSInfo_StorageType.S3, s3info: { host: 'h', key: 'k', policy: 'p', signature: 's', credential: 'c', xAmzDate: 'd' } }],
    capabilitiesPrices: [{ pricePerUnit: 5n, pixelsPerUnit: 1n, capability: 27, constraint: 'stabilityai/sdxl-turbo' }],
    nodes: ['https://127.0.0.1:8936'],
  });
}

function sampleSegData(): gen.SegData {
  return create(gen.SegDataSchema, {
    manifestId: new TextEncoder().encode('abcd1234'),
    seq: 7n,
    hash: new Uint8Array(32).fill(3),
    profiles: new TextEncoder().encode('invalid'),
    sig: new Uint8Array(65).fill(4),
    duration: 2000,
    capabilities: buildCapabilities({ ids: [0, 1, 12, 26] }),
    authToken: { token: new Uint8Array([9]), sessionId: 's', expiration: 5n },
    calcPerceptualHash: true,
    fullProfiles3: [{ name: 'P240p30fps16x9', width: 426, height: 240, bitrate: 600000, fps: 30000, fpsDen: 1001, gop: -1, profile: gen.VideoProfile_Profile.H264_MAIN, quality: 23 }],
    segmentParameters: { from: 100n, to: 1900n },
    ForceSessionReinit: true,
  });
}

function samplePayment(): gen.Payment {
  const info = sampleInfo();
  const tp = info.ticketParams as gen.TicketParams;
  return create(gen.PaymentSchema, {
    ticketParams: { ...tp, expirationParams: undefined },
    sender: new Uint8Array(20).fill(5),
    expirationParams: tp.expirationParams,
    ticketSenderParams: [{ senderNonce: 1, sig: new Uint8Array(65).fill(6) }, { senderNonce: 2, sig: new Uint8Array(65).fill(7) }],
    expectedPrice: info.priceInfo,
  });
}

describe('protobuf-es round trips', () => {
  it.each([
    ['OrchestratorInfo', gen.OrchestratorInfoSchema, sampleInfo],
    ['SegData', gen.SegDataSchema, sampleSegData],
    ['Payment', gen.PaymentSchema, samplePayment],
  ] as const)('%s', (_n, schema, make) => {
    const msg = make();
    const bytes = toBinary(schema as DescMessage, msg);
    expect(fromBinary(schema as DescMessage, bytes)).toEqual(msg);
  });
  it('TranscodeResult oneof branches and PaymentResult', () => {
    const ok = create(gen.TranscodeResultSchema, {
      seq: 7n,
      result: { case: 'data', value: { segments: [{ url: 'https://o/stream/x/P240p30fps16x9/7.ts', pixels: 6_134_400n }], sig: new Uint8Array(65) } },
      info: sampleInfo(),
    });
    const okBack = fromBinary(gen.TranscodeResultSchema, toBinary(gen.TranscodeResultSchema, ok));
    expect(okBack).toEqual(ok);
    expect(okBack.result.case).toBe('data');
    const err = create(gen.TranscodeResultSchema, { seq: 7n, result: { case: 'error', value: 'OrchestratorBusy' } });
    const errBack = fromBinary(gen.TranscodeResultSchema, toBinary(gen.TranscodeResultSchema, err));
    expect(errBack.result).toEqual({ case: 'error', value: 'OrchestratorBusy' });
    const pr = create(gen.PaymentResultSchema, { info: sampleInfo() });
    expect(fromBinary(gen.PaymentResultSchema, toBinary(gen.PaymentResultSchema, pr))).toEqual(pr);
  });
  it('zero big integers are omitted (empty bytes)', () => {
    const tp = create(gen.TicketParamsSchema, { faceValue: bigintToBytes(0n), winProb: bigintToBytes(0n) });
    expect(toBinary(gen.TicketParamsSchema, tp).length).toBe(0);
  });
});

describe('interop with protobufjs (independent implementation)', () => {
  const root = protobuf.loadSync(PROTO);
  const pjs = (name: string) => root.lookupType(`net.${name}`);
  const toObj = (name: string, bytes: Uint8Array) =>
    pjs(name).toObject(pjs(name).decode(bytes), { longs: String, bytes: Array, defaults: false, oneofs: true }) as Record<string, unknown>;

  it('OrchestratorInfo encoded by protobuf-es decodes in protobufjs', () => {
    const o = toObj('OrchestratorInfo', toBinary(gen.OrchestratorInfoSchema, sampleInfo()));
    expect(o.transcoder).toBe('https://127.0.0.1:8935');
    expect(o.nodes).toEqual(['https://127.0.0.1:8936']);
    const caps = o.capabilities as { bitstring: string[]; capacities: Record<string, number>; constraints: { PerCapability: Record<string, { models: Record<string, { capacityInUse: number }> }> } };
    expect(caps.bitstring).toEqual([String(buildCapabilities({ ids: [...DEFAULT_CAPABILITIES, 27] }).bitstring[0]), '64']);
    expect(caps.capacities['27']).toBe(2);
    expect(caps.constraints.PerCapability['27']?.models['stabilityai/sdxl-turbo']?.capacityInUse).toBe(1);
    expect((o.priceInfo as { pricePerUnit: string }).pricePerUnit).toBe('1200');
    expect((o.capabilitiesPrices as { constraint: string }[])[0]?.constraint).toBe('stabilityai/sdxl-turbo');
    expect(((o.hardware as { gpuInfo: Record<string, { memoryTotal: string }> }[])[0]?.gpuInfo['0']?.memoryTotal)).toBe(String(1n << 34n));
    expect((o.authToken as { expiration: string }).expiration).toBe('1900000000');
  });

  it('SegData and Payment encoded by protobuf-es decode in protobufjs', () => {
    const s = toObj('SegData', toBinary(gen.SegDataSchema, sampleSegData()));
    expect(s.seq).toBe('7');
    expect(s.duration).toBe(2000);
    expect(s.ForceSessionReinit).toBe(true);
    expect(s.calcPerceptualHash).toBe(true);
    expect((s.segmentParameters as { to: string }).to).toBe('1900');
    const p0 = (s.fullProfiles3 as Record<string, unknown>[])[0];
    expect(p0).toMatchObject({ name: 'P240p30fps16x9', fps: 30000, fpsDen: 1001, gop: -1, profile: 2, quality: 23 });
    const p = toObj('Payment', toBinary(gen.PaymentSchema, samplePayment()));
    expect((p.ticketSenderParams as { senderNonce: number }[]).map((x) => x.senderNonce)).toEqual([1, 2]);
    expect((p.expirationParams as { creationRound: string }).creationRound).toBe('3500');
    expect((p.ticketParams as Record<string, unknown>).expirationParams).toBeUndefined();
  });

  it('messages encoded by protobufjs decode in protobuf-es', () => {
    const T = pjs('TranscodeResult');
    const bytes = T.encode(T.fromObject({ seq: 9, error: 'OrchestratorCapped', info: { transcoder: 'https://x', priceInfo: { pricePerUnit: 1, pixelsPerUnit: 1000 } } })).finish();
    const r = fromBinary(gen.TranscodeResultSchema, bytes);
    expect(r.seq).toBe(9n);
    expect(r.result).toEqual({ case: 'error', value: 'OrchestratorCapped' });
    expect(r.info?.priceInfo?.pixelsPerUnit).toBe(1000n);
  });

  it('grpc proto-loader service definition serializes compatibly', () => {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, bytes: Buffer, defaults: false });
    const svc = def['net.Orchestrator'] as protoLoader.ServiceDefinition;
    const get = svc.GetOrchestrator;
    if (!get) throw new Error('no GetOrchestrator');
    const info = get.responseDeserialize(Buffer.from(toBinary(gen.OrchestratorInfoSchema, sampleInfo()))) as { transcoder: string; ticket_params: { face_value: Buffer } };
    expect(info.transcoder).toBe('https://127.0.0.1:8935');
    expect(Buffer.from(info.ticket_params.face_value).toString('hex')).toBe('038d7ea4c68000');
    const reqBytes = get.requestSerialize({ address: Buffer.alloc(20, 1), sig: Buffer.alloc(65, 2), ignoreCapacityCheck: true });
    const req = fromBinary(gen.OrchestratorRequestSchema, reqBytes);
    expect(req.ignoreCapacityCheck).toBe(true);
    expect(req.sig.length).toBe(65);
    expect(Object.keys(svc).sort()).toEqual(['EndTranscodingSession', 'GetOrchestrator', 'Ping']);
  });
});
