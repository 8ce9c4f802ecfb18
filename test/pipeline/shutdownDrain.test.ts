// Shutdown drains every intake, not only video: a real daemon process in front of an in-process devnet orchestrator
// (deterministic CPU runners, injected latency). AI and BYOC requests in flight when the stop begins complete with
// 200, including a streamed llm reply to its last frame; requests (and pushed segments) arriving after get 503
// `draining`; and the daemon exits as soon as the in-flight work is done, far inside the drain timeout.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/api/daemonState.js';
import { stopDaemon } from '../../src/cli/services/daemonProcess.js';
import { defaultDevnetAi } from '../../src/devnet/orchestrator/ai/config.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { httpRequest, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { makeTsSegment } from '../helpers/media.js';

/** Far longer than the test's work: a daemon that exits well before it did not wait for the timeout. */
const DRAIN_TIMEOUT_MS = 30_000;
/** How long the orchestrator holds each AI/BYOC request once latency is on: the in-flight window. */
const HOLD_MS = 1500;
const IMAGE = { model_id: 'devnet/sd-tiny', prompt: 'drain', width: 16, height: 16 };
const LLM = { model: 'devnet/llm-tiny', messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten' }], max_tokens: 64, stream: true };

let orch: DevnetOrchestrator;
let segment: Buffer;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  orch = await startDevnetOrchestrator({
    pricePerUnit: 0n,
    pixelsPerUnit: 1n,
    offchain: true,
    ai: { ...defaultDevnetAi(), llmTokenDelayMs: 40 },
    byoc: [{ name: 'devnet-sleep', pricePerSecond: { pricePerUnit: 0n, pixelsPerUnit: 1n }, capacity: 4, handler: 'sleep' }],
  });
  segment = makeTsSegment({ seconds: 1 });
});

afterAll(async () => {
  for (const gw of gateways) await gw.stop().catch(() => undefined);
  await orch?.close();
});

async function gateway(): Promise<TestGateway> {
  const gw = await startTestGateway({ orchAddr: [orch.serviceUri], drainTimeout: DRAIN_TIMEOUT_MS });
  gateways.push(gw);
  return gw;
}

const postJson = (gw: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}) =>
  httpRequest(`${gw.state.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)) });

const byocHeader = (id: string) => Buffer.from(JSON.stringify({ id, capability: 'devnet-sleep', timeout_seconds: 10, request: '{}', parameters: '{}' })).toString('base64');
const byocJob = (gw: TestGateway, id: string, ms: number) => postJson(gw, '/process/request/run', { ms }, { livepeer: byocHeader(id) });

/** A streamed llm request: resolves `started` at its first body chunk and `done` with the whole body. */
function streamLlm(gw: TestGateway): { started: Promise<void>; done: Promise<{ status: number; text: string }> } {
  let onStart!: () => void;
  const started = new Promise<void>((r) => (onStart = r));
  const done = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${gw.state.httpUrl}/llm`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        onStart();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(LLM));
  });
  return { started, done };
}

/** Polls a condition every 10 ms: the signals here are counters and process state, which have no events to await. */
async function until(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function expectDraining(r: { status: number; body: Buffer }, shape: 'json' | 'text'): void {
  expect(r.status, r.body.toString()).toBe(503);
  if (shape === 'json') {
    const body = JSON.parse(r.body.toString()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('draining');
    expect(body.error.message).toMatch(/shutting down/);
  } else {
    expect(r.body.toString()).toMatch(/^draining: .*shutting down/);
  }
}

describe('gw stop drains AI and BYOC requests', () => {
  it('POST /v1/shutdown: AI requests in flight (one streamed) finish with 200, new AI, BYOC and pushes get 503 draining, the daemon exits right after', async () => {
    const gw = await gateway();
    // warm sessions with no latency, so the requests under test do not wait for discovery
    expect((await postJson(gw, '/text-to-image', IMAGE)).status).toBe(200);
    const warm = streamLlm(gw);
    expect((await warm.done).status).toBe(200);

    orch.faults.setLatency(HOLD_MS);
    try {
      const image = postJson(gw, '/text-to-image', IMAGE);
      const llm = streamLlm(gw);
      await until(() => orch.stats().aiInUse['text-to-image/devnet/sd-tiny'] === 1, 'the image request to reach the orchestrator');
      // latency is served before the first token: once one arrives the stream is mid-body
      await llm.started;

      const t0 = performance.now();
      const shutdown = await gw.client.shutdown();
      expect(shutdown).toEqual({ draining: true, drainTimeoutMs: DRAIN_TIMEOUT_MS });
      expectDraining(await postJson(gw, '/text-to-image', IMAGE), 'json');
      expectDraining(await byocJob(gw, 'after-stop', 10), 'text');
      const push = await httpRequest(`${gw.state.httpUrl}/live/late/0.ts`, { method: 'POST', headers: { 'Content-Duration': '1000' }, body: segment });
      expect([push.status, push.body.toString()]).toEqual([503, expect.stringMatching(/shutting down/)]);

      const [img, stream] = await Promise.all([image, llm.done]);
      expect(img.status, img.body.toString()).toBe(200);
      expect((JSON.parse(img.body.toString()) as { images: unknown[] }).images).toHaveLength(1);
      expect(stream.status).toBe(200);
      expect(stream.text).toContain('"finish_reason":"stop"');

      await until(() => !isProcessAlive(gw.state.pid), 'the daemon to exit');
      const exitMs = performance.now() - t0;
      console.log(`shutdown → exit: ${exitMs.toFixed(0)} ms (drain timeout ${DRAIN_TIMEOUT_MS} ms)`);
      expect(exitMs).toBeLessThan(DRAIN_TIMEOUT_MS / 3);
      expect(gw.events.map((e) => e.type)).toContain('daemon.stopping');
    } finally {
      orch.faults.setLatency(undefined);
    }
  }, 40_000);

  it('gw stop (the CLI path): a BYOC job in flight finishes with 200, a new one gets 503 draining, stop returns graceful once it is done', async () => {
    const gw = await gateway();
    const id = 'drain-byoc';
    const job = byocJob(gw, id, HOLD_MS);
    // the gateway announces the job to the orchestrator as it sends it
    await until(() => gw.events.some((e) => e.type === 'segment.sent' && e.streamId === id), 'the BYOC job to be sent');

    const t0 = performance.now();
    const stopping = stopDaemon({ paths: gw.paths, timeoutMs: 5_000 });
    await until(() => gw.events.some((e) => e.type === 'daemon.stopping'), 'the daemon to start stopping');
    expectDraining(await byocJob(gw, 'after-stop', 10), 'text');

    const r = await job;
    expect(r.status, r.body.toString()).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ slept_ms: HOLD_MS });
    expect(await stopping).toBe('graceful');
    const exitMs = performance.now() - t0;
    console.log(`gw stop → exit: ${exitMs.toFixed(0)} ms (drain timeout ${DRAIN_TIMEOUT_MS} ms)`);
    expect(exitMs).toBeLessThan(DRAIN_TIMEOUT_MS / 3);
  }, 40_000);
});
