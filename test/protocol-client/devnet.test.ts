// The wire clients against the devnet orchestrator over real TLS/HTTP-2 on 127.0.0.1: GetOrchestrator, a paid and
// transcoded segment with its renditions checked by ffprobe, go-livepeer's error replies and their classes,
// latency faults, a dead orchestrator, teardown, and `gw orchestrators ping` (service and command class).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { fromBinary } from '@bufbuild/protobuf';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type OrchestratorInfo,
  Capability,
  DEFAULT_PROFILE_LIST,
  TranscodeResultSchema,
  capabilityName,
  encodeSegDataHeader,
  buildOrchestratorRequest,
  buildPayment,
  buildSegData,
  encodePaymentHeader,
  estimateFee,
  localSigner,
  orchestratorRequestSig,
  parseProfileList,
  pricePerPixel,
  segmentHash,
  signSegData,
  ticketParamsEV,
  ticketsNeeded,
  toChecksumAddress,
  toNetProfile,
  transcodingJobCapabilities,
} from '../../src/lib/protocol/index.js';
import { OrchestratorError, SegmentError, TransportError, classifySegmentError } from '../../src/lib/protocol/errors.js';
import { H2Pool } from '../../src/lib/protocol/h2Pool.js';
import { endTranscodingSession, getOrchestrator, pingOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';
import { downloadRenditions, submitSegment } from '../../src/lib/protocol/segmentClient.js';
import { pingOrchestrators } from '../../src/cli/services/orchestratorPing.js';
import OrchestratorsPing from '../../src/commands/orchestrators/ping.js';
import { type DevnetOrchestrator, startDevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';

const HARDHAT0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('wire clients against the devnet orchestrator', () => {
  const signer = localSigner(HARDHAT0);
  const profiles = parseProfileList(DEFAULT_PROFILE_LIST).map(toNetProfile);
  const capabilities = transcodingJobCapabilities({ profiles });
  const pool = new H2Pool();
  const dir = mkdtempSync(join(tmpdir(), 'gw-protocol-client-'));
  let segment: Uint8Array;
  let orch: DevnetOrchestrator;
  let small: DevnetOrchestrator;
  let fast: DevnetOrchestrator;
  let deadUri = '';
  let request: ReturnType<typeof buildOrchestratorRequest>;
  let seq = 0;

  beforeAll(async () => {
    const ts = join(dir, 'in.ts');
    await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-f', 'mpegts', ts]);
    segment = new Uint8Array(readFileSync(ts));
    request = buildOrchestratorRequest({ signer, sig: await orchestratorRequestSig(signer), capabilities });
    [orch, small, fast] = await Promise.all([
      startDevnetOrchestrator({ pricePerUnit: 1200n, pixelsPerUnit: 1n }),
      startDevnetOrchestrator({ pricePerUnit: 1n, pixelsPerUnit: 1n, capacity: 1, passthrough: true }),
      startDevnetOrchestrator({ pricePerUnit: 1n, pixelsPerUnit: 1n, passthrough: true }),
    ]);
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    deadUri = `https://127.0.0.1:${(dead.address() as net.AddressInfo).port}`;
    await new Promise<void>((r) => dead.close(() => r()));
  });

  afterAll(async () => {
    await pool.close();
    await Promise.all([orch?.close(), small?.close(), fast?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Signs and pays one segment against `info` (fresh PM session: nonces from 1). */
  async function prepare(info: OrchestratorInfo, opts: { tickets?: number } = {}) {
    const hash = segmentHash(segment);
    const seg = await signSegData(signer, buildSegData({ manifestId: 'mid', seq: seq++, hash, durationMs: 2000, profiles, capabilities, authToken: info.authToken }));
    const fee = estimateFee(profiles, 2, pricePerPixel(info.priceInfo));
    const need = ticketsNeeded({ fee, ev: ticketParamsEV(info.ticketParams!), existingBalance: 0n });
    const payment = await buildPayment({ info, signer, numTickets: opts.tickets ?? need.numTickets, firstNonce: 1 });
    return { info, segData: seg, payment: encodePaymentHeader(payment), body: segment, durationMs: 2000, pool };
  }

  it('GetOrchestrator over TLS with a self-signed certificate', async () => {
    const { info, latencyMs } = await getOrchestrator(orch.serviceUri, request, { pool });
    expect(info.transcoder).toBe(orch.serviceUri);
    expect(toChecksumAddress(info.address)).toBe(orch.address);
    expect(info.priceInfo?.pricePerUnit).toBe(1200n);
    expect(info.ticketParams?.recipient.length).toBe(20);
    expect(info.authToken?.sessionId).not.toBe('');
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) warm.push((await getOrchestrator(orch.serviceUri, request, { pool })).latencyMs);
    warm.sort((a, b) => a - b);
    console.log(`GetOrchestrator: first ${latencyMs.toFixed(2)} ms (incl. TLS dial), warm median ${warm[10]!.toFixed(2)} ms, p90 ${warm[18]!.toFixed(2)} ms`);
    expect(warm[10]).toBeGreaterThan(0);
    const pong = await pingOrchestrator(orch.serviceUri, new Uint8Array([1, 2, 3]), { pool });
    expect(pong.value.length).toBe(65);
  });

  it('a paid segment is transcoded and its renditions downloaded (ffprobe checks the sizes)', async () => {
    const { info } = await getOrchestrator(orch.serviceUri, request, { pool });
    const reply = await submitSegment(await prepare(info));
    expect(reply.renditions).toHaveLength(2);
    expect(reply.renditions.every((r) => r.url.startsWith(`${orch.serviceUri}/stream/${info.authToken!.sessionId}/`))).toBe(true);
    expect(reply.renditions.every((r) => r.pixels > 0n)).toBe(true);
    expect(reply.info?.ticketParams?.recipientRandHash).not.toEqual(info.ticketParams?.recipientRandHash);
    const files = await downloadRenditions(reply.renditions.map((r) => r.url), { pool });
    const sizes: string[] = [];
    for (const [i, f] of files.entries()) {
      const p = join(dir, `out${i}.ts`);
      writeFileSync(p, f);
      const probe = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', p]);
      sizes.push(probe.stdout.trim().split('\n')[0]!);
    }
    expect(sizes).toEqual(['426,240', '640,360']);
    console.log(`/segment transcode round trip ${reply.latencyMs.toFixed(1)} ms (upload+checks ${reply.uploadMs.toFixed(1)} ms, score ${reply.latencyScore.toFixed(3)})`);
    expect(orch.stats().segments).toBeGreaterThanOrEqual(1);
  });

  it("surfaces go-livepeer's error texts with the right classes", async () => {
    // Unpaid (no tickets) on a priced session → 400 Insufficient balance.
    const a = await getOrchestrator(orch.serviceUri, request, { pool });
    const insufficient = await submitSegment(await prepare(a.info, { tickets: 0 })).catch((e: unknown) => e);
    expect(insufficient).toBeInstanceOf(SegmentError);
    expect((insufficient as SegmentError).message).toBe('Insufficient balance');
    expect((insufficient as SegmentError).details.status).toBe(400);
    expect(classifySegmentError(insufficient)).toBe('retryable');

    // A busy transcoder answers 200 with TranscodeResult.error.
    orch.faults.failNext(1);
    const b = await getOrchestrator(orch.serviceUri, request, { pool });
    const busy = await submitSegment(await prepare(b.info)).catch((e: unknown) => e);
    expect((busy as SegmentError).message).toBe('OrchestratorBusy');
    expect((busy as SegmentError).details.info?.transcoder).toBe(orch.serviceUri);
    expect(classifySegmentError(busy)).toBe('retryable');

    // Capacity 1: once one session holds the slot, both GetOrchestrator and a new session's segment are refused.
    const s1 = await getOrchestrator(small.serviceUri, request, { pool });
    const s2 = await getOrchestrator(small.serviceUri, request, { pool });
    await submitSegment(await prepare(s1.info));
    const cappedRpc = await getOrchestrator(small.serviceUri, request, { pool }).catch((e: unknown) => e);
    expect(cappedRpc).toBeInstanceOf(OrchestratorError);
    expect((cappedRpc as OrchestratorError).message).toMatch(/OrchestratorCapped$/);
    expect(classifySegmentError(cappedRpc)).toBe('orchestrator-capped');
    const cappedSeg = await submitSegment(await prepare(s2.info)).catch((e: unknown) => e);
    expect((cappedSeg as SegmentError).message).toBe('OrchestratorCapped');
    expect((cappedSeg as SegmentError).details.status).toBe(403);
    expect(classifySegmentError(cappedSeg)).toBe('orchestrator-capped');

    // Teardown frees the slot; a forged token is refused with O's text.
    expect(await endTranscodingSession(s1.info.transcoder, s1.info.authToken!, { pool })).toMatchObject({ ok: true });
    const forged = await endTranscodingSession(small.serviceUri, { ...s1.info.authToken!, token: new Uint8Array(32) }, { pool });
    expect(forged.ok).toBe(false);
    expect(!forged.ok && forged.error.message).toBe('Invalid auth token');
    const again = await getOrchestrator(small.serviceUri, request, { pool });
    expect(again.info.authToken?.sessionId).toBeTruthy();
    await endTranscodingSession(again.info.transcoder, again.info.authToken!, { pool });
  });

  it('injected latency: a GetOrchestrator deadline expires waiting for headers; a slow transcode stays in the body phase', async () => {
    orch.faults.setLatency(800);
    try {
      const t0 = performance.now();
      const slow = await getOrchestrator(orch.serviceUri, request, { pool, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(slow).toBeInstanceOf(TransportError);
      expect((slow as TransportError).phase).toBe('headers');
      expect((slow as TransportError).reason).toBe('timeout');
      expect(performance.now() - t0).toBeLessThan(700);
      orch.faults.setLatency(undefined);
      const { info } = await getOrchestrator(orch.serviceUri, request, { pool });
      orch.faults.setLatency(600);
      const reply = await submitSegment(await prepare(info));
      // O flushes 200 before transcoding: the latency is after the headers, within the whole-request deadline.
      expect(reply.uploadMs).toBeLessThan(reply.latencyMs - 500);
    } finally {
      orch.faults.setLatency(undefined);
    }
  });

  it('a dead orchestrator fails fast', async () => {
    const t0 = performance.now();
    const rpc = await getOrchestrator(deadUri, request, { pool }).catch((e: unknown) => e);
    expect((rpc as TransportError).reason).toBe('refused');
    const { info } = await getOrchestrator(orch.serviceUri, request, { pool });
    const seg = await submitSegment({ ...(await prepare(info)), info: { ...info, transcoder: deadUri } }).catch((e: unknown) => e);
    expect((seg as SegmentError).message).toMatch(/^header timeout: dial 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect((seg as SegmentError).paymentSpent).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('passthrough /segment round trip: our client vs a bare HTTP/2 request with the same bytes', async () => {
    const direct = http2.connect(fast.serviceUri, { rejectUnauthorized: false, servername: 'localhost' });
    direct.on('error', () => {});
    const bare = (args: Awaited<ReturnType<typeof prepare>>) =>
      new Promise<{ ms: number; info: OrchestratorInfo }>((resolve, reject) => {
        const t0 = performance.now();
        const st = direct.request({
          ':method': 'POST',
          ':path': '/segment',
          'livepeer-segment': encodeSegDataHeader(args.segData),
          'livepeer-payment': args.payment,
          'content-type': 'video/MP2T',
        });
        const chunks: Buffer[] = [];
        st.on('data', (c: Buffer) => chunks.push(c));
        st.on('end', () => {
          const tr = fromBinary(TranscodeResultSchema, Buffer.concat(chunks));
          if (tr.result.case !== 'data' || !tr.info) reject(new Error(`bare request failed: ${String(tr.result.value)}`));
          else resolve({ ms: performance.now() - t0, info: tr.info });
        });
        st.on('error', reject);
        st.end(args.body);
      });
    try {
      let { info } = await getOrchestrator(fast.serviceUri, request, { pool });
      const ours: number[] = [];
      const theirs: number[] = [];
      const runOurs = async (keep: boolean) => {
        const r = await submitSegment(await prepare(info));
        info = r.info!;
        if (keep) ours.push(r.latencyMs);
      };
      const runBare = async (keep: boolean) => {
        const r = await bare(await prepare(info));
        info = r.info;
        if (keep) theirs.push(r.ms);
      };
      // Alternate the order so neither side always runs right after the other's work.
      for (let i = 0; i < 16; i++) {
        if (i % 2) await runOurs(i >= 2).then(() => runBare(i >= 2));
        else await runBare(i >= 2).then(() => runOurs(i >= 2));
      }
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      console.log(`/segment passthrough (2 s 360p TS, ${segment.length} bytes): ours median ${median(ours).toFixed(2)} ms, bare http2 median ${median(theirs).toFixed(2)} ms, ratio ${(median(ours) / median(theirs)).toFixed(3)}`);
      expect(median(ours)).toBeLessThan(median(theirs) * 1.5 + 2);
    } finally {
      direct.close();
    }
  });

  it('gw orchestrators ping: service and command class', async () => {
    const results = await pingOrchestrators([orch.serviceUri, deadUri, 'bad://x'], { pool, ethKey: HARDHAT0 });
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    const ok = results[0]!;
    if (!ok.ok) throw new Error('unreachable');
    expect(ok.summary.address).toBe(orch.address);
    expect(ok.summary.price?.weiPerPixel).toBe('1200/1');
    expect(ok.summary.price?.cost720p30MinuteWei).toBe(1_990_656_000_000n);
    expect(ok.summary.capabilities).toContain(capabilityName(Capability.AuthToken));
    expect(ok.summary.ticket?.winOdds).toMatch(/^1 in [\d,]+$/);
    expect(ok.summary.authTokenExpiresInMin).toBeGreaterThan(29);
    const dead = results[1]!;
    expect(!dead.ok && dead.error.kind).toBe('refused');
    expect(!results[2]!.ok && results[2]!.error.kind).toBe('invalid-uri');

    const out: string[] = [];
    // oclif prints through console.log: capture it to check the JSON on stdout and keep the test output clean.
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      out.push(args.map(String).join(' '));
    });
    try {
      const json = (await OrchestratorsPing.run([orch.serviceUri.replace('https://', ''), deadUri, '--eth-key', HARDHAT0, '--json'], ROOT)) as Array<{ ok: boolean; summary?: { address: string; price: { cost720p30MinuteWei: string } } }>;
      expect(json[0], JSON.stringify(json)).toMatchObject({ ok: true });
      expect(json[0]?.summary?.address).toBe(orch.address);
      expect(json[0]?.summary?.price.cost720p30MinuteWei).toBe('1990656000000');
      expect(json[1]?.ok).toBe(false);
      expect(JSON.parse(out.join(''))).toEqual(json);
      out.length = 0;
      expect(process.exitCode ?? 0).toBe(0);
      // Unsigned: an on-chain orchestrator refuses, with its text; every orchestrator failed → exit code 1.
      const unsigned = (await OrchestratorsPing.run([orch.serviceUri, deadUri, '--unsigned', '--json'], ROOT)) as Array<{ error?: { kind: string; message: string } }>;
      expect(unsigned[0]?.error).toEqual({ kind: 'orchestrator', message: 'Invalid orchestrator request: orchestrator req sig check failed' });
      expect(process.exitCode).toBe(1);
    } finally {
      spy.mockRestore();
      process.exitCode = undefined;
    }
  });
});
