// Live AI watchdogs with devnet faults: an orchestrator whose runner stops publishing output (while input flows) or
// stops publishing events is left for another one, with go-livepeer's reasons, and the stream goes on there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';
import { publishColor, stopProcess } from './helpers.js';

let a: DevnetOrchestrator;
let b: DevnetOrchestrator;
let gw: TestGateway;

beforeAll(async () => {
  const live = { capacity: 2, statusIntervalMs: 500 };
  const start = () => startDevnetOrchestrator({ port: 0, pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, live });
  [a, b] = await Promise.all([start(), start()]);
  gw = await startTestGateway({ orchAddr: [a.serviceUri, b.serviceUri], liveOutSegmentTimeout: 5000, liveEventsTimeout: 4000 });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await Promise.all([a?.close(), b?.close()]);
});

async function watch(stream: string, fault: 'liveStallOutput' | 'liveStopEvents', reason: string): Promise<void> {
  const pub = publishColor(`rtmp://127.0.0.1:${gw.rtmpPort}/ai/${stream}?pipeline=noop&streamId=${stream}-id`, '606060');
  try {
    await waitFor(async () => (await gw.client.liveStream(stream).catch(() => undefined))?.outputSegments !== undefined, `${stream} running`, 30_000);
    await waitFor(async () => (await gw.client.liveStream(stream)).outputSegments >= 1, `${stream} output`, 30_000);
    const first = (await gw.client.liveStream(stream)).orchestrator!.url;
    const faulty = first === a.serviceUri ? a : b;
    faulty.faults.setLive(fault === 'liveStallOutput' ? { stallOutput: true } : { stopEvents: true });
    const at = Date.now();
    await waitFor(async () => (await gw.client.liveStream(stream)).swaps.length === 1, `${stream}: swap after ${fault}`, 30_000);
    const v = await gw.client.liveStream(stream);
    expect(v.swaps[0]).toMatchObject({ from: first, reason });
    expect(v.orchestrator!.url).not.toBe(first);
    // The stall is noticed within the timeout plus a tick, not a 10 s check later.
    expect(Date.now() - at).toBeLessThan(12_000);
    const outputs = v.outputSegments;
    await waitFor(async () => (await gw.client.liveStream(stream)).outputSegments > outputs, `${stream}: output from the new orchestrator`, 20_000);
    faulty.faults.reset();
    await gw.client.liveStop(stream);
  } finally {
    await stopProcess(pub);
  }
}

describe('live AI watchdogs', () => {
  it('output stalls while input flows → timeout waiting for segments, swapped', () => watch('stall', 'liveStallOutput', 'timeout waiting for segments'), 90_000);
  it('events stop → timeout waiting for events, swapped', () => watch('quiet', 'liveStopEvents', 'timeout waiting for events'), 90_000);
});
