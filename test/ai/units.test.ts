// Pure parts of the AI gateway and BYOC: session pools (warm before cold, in-flight markers, suspension, price cap),
// error classification, result hosting, BYOC job headers, job tokens and payment sizing.
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { classifyAiError } from '../../src/core/ai/aiProcess.js';
import { AiSession, AiSessionPool, AiSessionSelector, AI_PENALTY } from '../../src/core/ai/aiSessions.js';
import { ResultStore, mediaRefs, parseDataUrl, resultFileName } from '../../src/core/ai/results.js';
import { byocTicketCount, planByocPayment } from '../../src/core/byoc/byocPayment.js';
import { JobRequestError, parseJobRequest, passesFilter, senderHeader, signedJobHeader } from '../../src/core/byoc/jobRequest.js';
import { parseJobToken } from '../../src/core/byoc/jobToken.js';
import { StaticPool } from '../../src/core/discovery/pools.js';
import { bigintToBytes } from '../../src/lib/protocol/encoding.js';
import { OrchestratorInfoSchema } from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../src/lib/protocol/hash.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { localSigner, verifySig } from '../../src/lib/protocol/signer.js';
import { utf8, hexToBytes } from '../../src/lib/protocol/encoding.js';
import { GATEWAY_KEY } from '../payments/helpers.js';

function session(uri: string, opts: { warm?: boolean; price?: bigint } = {}): AiSession {
  const info = create(OrchestratorInfoSchema, {
    transcoder: uri,
    ...(opts.price !== undefined ? { priceInfo: { pricePerUnit: opts.price, pixelsPerUnit: 1n } } : {}),
    authToken: { token: new Uint8Array([1]), sessionId: 's', expiration: BigInt(Math.floor(Date.now() / 1000) + 1800) },
  });
  return new AiSession({ key: '33_m', uri, info, warm: opts.warm ?? true, latencyMs: 1 });
}

describe('AI session pools', () => {
  it('hands out unused sessions first, shares busy ones, and returns them when the last request completes', () => {
    const pool = new AiSessionPool((u) => (u.length ? 0 : undefined), () => 0);
    const a = session('https://a');
    const b = session('https://b');
    pool.add([a, b]);
    expect(pool.select()).toBe(a);
    expect(pool.select()).toBe(b);
    // Both in use and the selector empty: a random in-use session is shared (rng 0 → the first marker).
    expect(pool.select()).toBe(a);
    expect([a.inFlight, b.inFlight, pool.inUseCount]).toEqual([2, 1, 2]);
    pool.complete(a);
    expect(pool.selector.has(a)).toBe(false);
    pool.complete(a);
    expect(pool.selector.has(a)).toBe(true);
    pool.remove(b);
    expect(pool.size).toBe(1);
    expect(b.inFlight).toBe(0);
  });

  it('prefers the better latency score among returned sessions', () => {
    const pool = new AiSessionPool((u) => (u.length ? 0 : undefined), () => 0);
    const a = session('https://a');
    const b = session('https://b');
    pool.add([a, b]);
    pool.select();
    pool.select();
    a.latencyScore = 0.5;
    b.latencyScore = 0.001;
    pool.complete(a);
    pool.complete(b);
    expect(pool.select()).toBe(b);
  });

  it('selector: warm before cold, suspension on failure, and the price cap', async () => {
    let cap: Rational | null = null;
    const sel = new AiSessionSelector(
      { pool: () => new StaticPool([]), getOrchestrator: () => Promise.reject(new Error('no network here')), identity: async () => undefined, version: 'test', onChain: false, maxPrice: () => cap },
      'llm',
      'm',
    );
    const warm = session('https://warm', { price: 100n });
    const cold = session('https://cold', { price: 10n, warm: false });
    sel.warm.add([warm]);
    sel.cold.add([cold]);
    const first = await sel.select();
    expect(first).toBe(warm);
    // Shared while busy: the warm one again, before the cold pool.
    expect(await sel.select()).toBe(warm);
    sel.complete(warm);
    sel.complete(warm);
    sel.remove(warm, 'OrchestratorBusy');
    expect(sel.sus.penalty('https://warm')).toBe(AI_PENALTY);
    expect(await sel.select()).toBe(cold);
    sel.complete(cold);
    cap = Rational.of(5);
    expect(await sel.select()).toBeUndefined();
    expect(sel.rejections.get('https://cold')).toMatch(/price too high/);
  });
});

describe('AI error classification (go-livepeer substrings)', () => {
  it('maps O answers to retry, another O, client error or removal', () => {
    expect(classifyAiError(400, 'TicketParams expired')).toBe('retry-same');
    expect(classifyAiError(400, 'invalid ticket senderNonce: already seen')).toBe('other-o');
    expect(classifyAiError(503, 'insufficient capacity')).toBe('other-o');
    expect(classifyAiError(400, '{"detail":{"msg":"prompt: field required"}}')).toBe('client');
    expect(classifyAiError(422, 'Unprocessable')).toBe('client');
    expect(classifyAiError(400, 'Insufficient balance')).toBe('remove');
    expect(classifyAiError(402, 'Could not parse payment')).toBe('remove');
    expect(classifyAiError(500, 'OrchestratorBusy')).toBe('remove');
    expect(classifyAiError(undefined, 'connect ECONNREFUSED')).toBe('remove');
  });
});

describe('result hosting', () => {
  it('decodes data URLs, finds media URLs and names files', () => {
    expect(parseDataUrl('data:image/png;base64,iVBORw0K')).toEqual({ mime: 'image/png', data: Buffer.from('iVBORw0K', 'base64') });
    expect(parseDataUrl('https://o/stream/x.png')).toBeUndefined();
    const body = { images: [{ url: 'a', seed: 1 }, { url: 'b' }], audio: { url: 'c' } };
    const refs = mediaRefs(body);
    expect(refs.map((r) => r.url)).toEqual(['a', 'b', 'c']);
    refs[0]!.set('/stream/1/a.png');
    expect(body.images[0]!.url).toBe('/stream/1/a.png');
    expect(resultFileName('https://o:8935/stream/abc/out-1.mp4', undefined, '.png')).toBe('out-1.mp4');
    expect(resultFileName('https://o/stream/abc/../../etc', 'image/png', '.png')).toMatch(/^[0-9a-f]{16}\.png$/);
  });

  it('keeps files and async jobs for the TTL and within the byte bound', () => {
    let now = 0;
    const store = new ResultStore({ ttlMs: 1000, maxBytes: 10, now: () => now });
    expect(store.put('r1', 'a.png', Buffer.alloc(6), 'image/png')).toBe('/stream/r1/a.png');
    store.put('r2', 'b.png', Buffer.alloc(6), 'image/png');
    expect(store.get('r1', 'a.png')).toBeUndefined();
    expect(store.get('r2', 'b.png')?.contentType).toBe('image/png');
    store.startJob('j');
    expect(store.job('j')).toEqual({ state: 'processing' });
    store.finishJob('j', 200, { images: [] });
    now = 1001;
    expect(store.get('r2', 'b.png')).toBeUndefined();
    expect(store.job('j')).toBeUndefined();
  });
});

describe('BYOC job requests and tokens', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

  it('parses the Livepeer header with its orchestrator filter', () => {
    const { job, filter } = parseJobRequest(b64({ request: '{"stream_id":"s"}', parameters: '{"orchestrators":{"include":["https://a"],"exclude":["https://b"]}}', capability: 'echo', timeout_seconds: 30 }));
    expect(job).toEqual({ id: '', request: '{"stream_id":"s"}', parameters: '{"orchestrators":{"include":["https://a"],"exclude":["https://b"]}}', capability: 'echo', timeoutSeconds: 30 });
    expect([passesFilter('https://a', filter), passesFilter('https://b', filter), passesFilter('https://c', filter)]).toEqual([true, false, false]);
    expect(passesFilter('https://c', { include: [], exclude: [] })).toBe(true);
    expect(() => parseJobRequest(undefined)).toThrow(JobRequestError);
    expect(() => parseJobRequest('!!!')).toThrow(/base64/);
    expect(() => parseJobRequest(b64({ capability: 'echo' }))).toThrow(/timeout_seconds is required/);
    expect(() => parseJobRequest(b64({ capability: 'echo', timeout_seconds: 5, parameters: '{' }))).toThrow(/job parameters/);
    expect(() => parseJobRequest(b64({ capability: 'echo', timeout_seconds: 5, parameters: '{"orchestrators":{"include":"x"}}' }))).toThrow(/include/);
  });

  it('signs the job over request + parameters and the sender over its address', async () => {
    const signer = localSigner(GATEWAY_KEY);
    const job = { id: 'j1', request: '{"a":1}', parameters: '{}', capability: 'echo', timeoutSeconds: 5 };
    const signed = JSON.parse(Buffer.from(await signedJobHeader(signer, job), 'base64').toString()) as { sender: string; sig: string; timeout_seconds: number };
    expect(signed.sender).toBe(signer.address);
    expect(signed.timeout_seconds).toBe(5);
    expect(verifySig(signer.address, keccak256(utf8('{"a":1}{}')), hexToBytes(signed.sig)).ok).toBe(true);
    const s = await senderHeader(signer);
    const parsed = JSON.parse(Buffer.from(s.header, 'base64').toString()) as { addr: string; sig: string };
    expect(verifySig(parsed.addr as `0x${string}`, keccak256(utf8(signer.address)), hexToBytes(parsed.sig)).ok).toBe(true);
  });

  it('reads a JobToken exactly and sizes payments like go-livepeer createPayment', () => {
    const fv = 800_000_000_000n;
    const wp = ((1n << 256n) - 1n) / 100n;
    const token = parseJobToken(
      JSON.stringify({
        sender_address: { addr: '0xabc', sig: '0x01' },
        ticket_params: {
          recipient: Buffer.alloc(20, 1).toString('base64'),
          face_value: Buffer.from(bigintToBytes(fv)).toString('base64'),
          win_prob: Buffer.from(bigintToBytes(wp)).toString('base64'),
          recipient_rand_hash: Buffer.alloc(32, 2).toString('base64'),
          seed: Buffer.alloc(32, 3).toString('base64'),
          expiration_block: Buffer.from(bigintToBytes(5000n)).toString('base64'),
          expiration_params: { creation_round: 7, creation_round_block_hash: Buffer.alloc(32, 4).toString('base64') },
        },
        price: { pricePerUnit: 100000000, pixelsPerUnit: 1 },
        service_addr: 'https://127.0.0.1:8935/',
        available_capacity: 2,
        LastNonce: 12,
      }),
    );
    expect(token.serviceAddr).toBe('https://127.0.0.1:8935');
    expect([token.availableCapacity, token.lastNonce, token.balance]).toEqual([2, 12, 0n]);
    expect(token.ticketParams!.expirationParams!.creationRound).toBe(7n);
    // cost = 1e8 × 30 s = 3e9; EV = 8e11 × wp/(2^256−1) ≈ 8e9 → 1 ticket.
    const plan = planByocPayment(token, 30);
    expect(plan.numTickets).toBe(1);
    expect(plan.cost.eq(Rational.of(3_000_000_000n))).toBe(true);
    // 120 s of price in O's balance: no tickets.
    expect(planByocPayment({ ...token, balance: 12_000_000_000n }, 30).numTickets).toBe(0);
    expect(planByocPayment({ ...token, balance: 11_999_999_999n }, 30).numTickets).toBe(1);
    expect(byocTicketCount(Rational.of(10n ** 15n), Rational.of(1n), 30)).toBe(600);
    expect(byocTicketCount(Rational.of(5n), Rational.ZERO, 30)).toBe(30);
    expect(() => parseJobToken('{"price":{}}')).toThrow(/service_addr/);
    expect(parseJobToken('{"service_addr":"https://o","balance":123456789012345678901}').balance).toBe(123456789012345678901n);
  });
});
