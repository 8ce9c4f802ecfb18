// Live AI payments over many cycles against a paid devnet orchestrator that debits every second and closes a stream
// whose balance runs out: one stream paid by a local key, one by the devnet remote signer (lv2v), both for 70 s with
// a 1 s payment interval. The orchestrator's balance for each stream must stay positive throughout (go-livepeer's
// signer-paid sessions pay once and are then cut, #4077), and the tickets it counted must match what gw sent.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GwEvent } from '../../src/api/events.js';
import { HlsStore } from '../../src/core/hls/streamStore.js';
import { LiveGateway } from '../../src/core/live/liveGateway.js';
import { parseJsonStart } from '../../src/core/live/liveRequest.js';
import { resolveFfmpeg } from '../../src/lib/media/ffmpeg.js';
import { fixedSenderState } from '../../src/lib/payments/senderMonitor.js';
import { Rational } from '../../src/lib/protocol/rational.js';
import { localSigner } from '../../src/lib/protocol/signer.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { startSignerServer, type SignerServer } from '../../src/devnet/signer/server.js';
import { startAiGateway, type TestAiGateway } from '../ai/harness.js';
import { fundedChain } from '../payments/helpers.js';
import { emitTickets } from '../../src/core/ai/aiProcess.js';
import { publishColor, stopProcess } from './helpers.js';

const SIGNER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const STREAM_MS = 70_000;

let o: DevnetOrchestrator;
let signer: SignerServer;
const gateways: Array<{ gw: TestAiGateway; live: LiveGateway; events: GwEvent[] }> = [];

async function liveOver(gw: TestAiGateway, ffmpeg: string) {
  const events: GwEvent[] = [];
  gw.bus.subscribe((e) => events.push(e));
  const live = new LiveGateway({
    config: gw.config,
    select: {
      sessions: gw.ai.sessions,
      payments: gw.paymentSource,
      segmentSigner: undefined,
      retryTimeoutMs: () => 2000,
      servedPipelines: async () => [],
    },
    hls: new HlsStore(),
    ffmpeg,
    bus: gw.bus,
    log: pino({ level: 'silent' }),
    metrics: null,
    httpBase: () => gw.url,
    onTickets: (streamId, batch) => emitTickets(gw.bus, streamId, batch),
  });
  gateways.push({ gw, live, events });
  return { live, events };
}

beforeAll(async () => {
  const ffmpeg = (await resolveFfmpeg()).path;
  o = await startDevnetOrchestrator({
    pricePerUnit: 1200n,
    pixelsPerUnit: 1n,
    ethKey: `0x${randomBytes(32).toString('hex')}`,
    live: { capacity: 4, statusIntervalMs: 1000, debitIntervalMs: 1000 },
  });
  signer = await startSignerServer({ signer: localSigner(SIGNER_KEY), chain: fixedSenderState(fundedChain()) });
  await liveOver(await startAiGateway([o.serviceUri], { paid: true, settings: { livePaymentInterval: 1000 } }), ffmpeg);
  await liveOver(await startAiGateway([o.serviceUri], { remoteSignerUrl: signer.url, settings: { livePaymentInterval: 1000 } }), ffmpeg);
}, 60_000);

afterAll(async () => {
  for (const g of gateways) {
    await g.live.close();
    await g.gw.close();
  }
  await signer?.close();
  await o?.close();
});

describe('live AI payments over time', () => {
  it('70 s streams paid by a local key and by the devnet signer keep the orchestrator balance positive; tickets match', async () => {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const names = ['paid-local', 'paid-signer'];
    const sources = names.map((n, i) => publishColor(`rtmp://127.0.0.1:${base + i}/live/${n}`, '808080', { listen: true, seconds: STREAM_MS / 1000 + 10 }));
    try {
      const views = await Promise.all(
        gateways.map((g, i) => g.live.start(parseJsonStart(names[i]!, { rtmpUrl: `rtmp://127.0.0.1:${base + i}/live/${names[i]}`, pipeline: 'noop', streamId: `${names[i]}-id` }))),
      );
      const mids = views.map((v) => v.orchestrator!.manifestId);
      const minBalance = mids.map(() => Rational.of(10n ** 30n));
      const until = Date.now() + STREAM_MS;
      while (Date.now() < until) {
        const streams = o.stats().live!.streams;
        mids.forEach((mid, i) => {
          const s = streams.find((x) => x.manifestId === mid);
          expect(s, `stream ${names[i]} on the orchestrator`).toBeDefined();
          expect(s!.closedReason, `${names[i]} closed by the orchestrator; gw: ${JSON.stringify(gateways[i]!.live.get(names[i]!))}`).toBeUndefined();
          const b = Rational.parse(s!.balanceWei);
          if (b.lt(minBalance[i]!)) minBalance[i] = b;
        });
        await new Promise((r) => setTimeout(r, 500));
      }
      const streams = o.stats().live!.streams;
      for (const [i, mid] of mids.entries()) {
        const s = streams.find((x) => x.manifestId === mid)!;
        expect(minBalance[i]!.sign(), `${names[i]}: lowest balance ${minBalance[i]!.toDecimalString(0)}`).toBeGreaterThan(0);
        // Debited for about the whole stream: ~70 s × 27,648,000 units/s × 58 wei.
        expect(Rational.parse(s.debitedWei).gt(Rational.of(60n * 27_648_000n * 58n))).toBe(true);
        const v = gateways[i]!.live.get(names[i]!)!;
        expect(v.state).toBe('running');
        expect(v.outputSegments).toBeGreaterThan(25);
      }
      // Payments are cycles, not one initial payment: many batches over the stream.
      for (const g of gateways) expect(g.events.filter((e) => e.type === 'tickets.sent').length).toBeGreaterThan(5);
      // A payment may be at the orchestrator before gw has its reply: stop the streams, then compare once settled.
      await Promise.all(gateways.map((g, i) => g.live.stop(names[i]!)));
      const sent = () => gateways.reduce((n, g) => n + g.events.reduce((m, e) => (e.type === 'tickets.sent' ? m + e.count : m), 0), 0);
      const settleBy = Date.now() + 10_000;
      while (o.stats().ticketsReceived !== sent() && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 100));
      expect(o.stats().ticketsReceived).toBe(sent());
      expect(signer.stats().requests).toBeGreaterThan(10);
    } finally {
      await Promise.all(sources.map(stopProcess));
    }
  }, 150_000);
});
