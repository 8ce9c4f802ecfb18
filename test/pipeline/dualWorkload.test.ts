import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDevnetAi } from '../../src/devnet/orchestrator/ai/config.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { httpRequest, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { makeTsSegment } from '../helpers/media.js';

describe('video streams and AI jobs side by side on one gateway', () => {
  const orchestrators: DevnetOrchestrator[] = [];
  let gw: TestGateway;
  let segments: Buffer[];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) orchestrators.push(await startDevnetOrchestrator({ pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true, ai: defaultDevnetAi() }));
    gw = await startTestGateway({ orchAddr: orchestrators.map((o) => o.serviceUri) });
    segments = [0, 2, 4, 6, 8].map((offset) => makeTsSegment({ seconds: 2, offsetSeconds: offset }));
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all(orchestrators.map((o) => o.close()));
  });

  it('keeps video real-time while a burst of AI requests runs, and serves every AI request', async () => {
    const video = (async () => {
      const latencies: number[] = [];
      for (let seq = 0; seq < segments.length; seq++) {
        const t0 = performance.now();
        const r = await httpRequest(`${gw.state.httpUrl}/live/dual/${seq}.ts`, { method: 'POST', headers: { 'Content-Duration': '2000' }, body: segments[seq]! });
        expect(r.status, r.body.toString()).toBe(200);
        latencies.push(performance.now() - t0);
      }
      return latencies;
    })();
    const ai = Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const t0 = performance.now();
        const body =
          i % 2 === 0
            ? { path: '/text-to-image', json: { prompt: `cat ${i}`, model_id: 'devnet/sd-tiny', width: 256, height: 256 } }
            : { path: '/llm', json: { model: 'devnet/llm-tiny', messages: [{ role: 'user', content: `hello ${i}` }], max_tokens: 16 } };
        const r = await httpRequest(`${gw.state.httpUrl}${body.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body.json)) });
        return { status: r.status, ms: performance.now() - t0, body: r.body.toString() };
      }),
    );
    const [videoLatencies, aiResults] = await Promise.all([video, ai]);
    // Video: every segment transcoded within its own duration despite the AI burst (real-time).
    expect(Math.max(...videoLatencies)).toBeLessThan(2000);
    // AI: every request answered, none starved behind the video work.
    expect(aiResults.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    expect(Math.max(...aiResults.map((r) => r.ms))).toBeLessThan(10_000);
    const { sessions } = await gw.client.sessions();
    expect(sessions.find((s) => s.id === 'dual')?.segmentsOk).toBe(5);
    expect(sessions.filter((s) => s.kind === 'ai')).toHaveLength(24);
  });
});
