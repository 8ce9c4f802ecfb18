// LLM streaming arrives token by token (timestamps), capacity per (pipeline, model) gives 503 while a stream holds the
// only slot, and the injected faults (failNext, latency, errorRate, dieAfter) apply to AI routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rational } from '../../src/lib/protocol/index.js';
import { defaultDevnetAi, startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { AiTestClient, ORCH_KEY } from './helpers/aiClient.js';

const TOKEN_DELAY_MS = 30;
let orch: DevnetOrchestrator;
let client: AiTestClient;

beforeAll(async () => {
  orch = await startDevnetOrchestrator({ pricePerUnit: 1200n, pixelsPerUnit: 1n, ethKey: ORCH_KEY, ai: { ...defaultDevnetAi(), llmTokenDelayMs: TOKEN_DELAY_MS } });
  client = new AiTestClient(orch.serviceUri);
});

afterAll(async () => {
  client?.close();
  await orch?.close();
});

const LLM = 'devnet/llm-tiny';
const words = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty';

interface Frame {
  choices: Array<{ delta?: { content: string }; finish_reason?: string }>;
  usage: { completion_tokens: number };
}

function frames(text: string): Frame[] {
  const parts = text.split('\n\n').filter((p) => p !== '');
  for (const p of parts) expect(p.startsWith('data: ')).toBe(true);
  return parts.map((p) => JSON.parse(p.slice('data: '.length)) as Frame);
}

describe('LLM streaming and capacity', () => {
  it('streams SSE frames incrementally, holds the model slot (503 for a second request) and frees it at the end', async () => {
    const messages = [{ role: 'user', content: words }];
    const info = await client.discover('llm', LLM);
    const h = await client.aiHeaders(info, 'llm', LLM, { units: 256n });
    let second: Promise<Awaited<ReturnType<AiTestClient['call']>>> | undefined;
    let inUse: Promise<number | undefined> | undefined;
    const r = await client.post('llm', { json: { model: LLM, messages, max_tokens: 256, stream: true } }, h, true, () => {
      if (second) return;
      second = client.call('llm', LLM, { json: { model: LLM, messages, max_tokens: 8 } }, 8n);
      inUse = client.discover('llm', LLM).then((i) => i.capabilities?.constraints?.PerCapability[33]?.models[LLM]?.capacityInUse);
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/event-stream');
    const all = frames(r.text);
    expect(all).toHaveLength(24); // 23 word tokens + the final frame
    expect(all.map((f) => f.choices[0]!.delta!.content).join('')).toBe(`Devnet reply to: ${words}`);
    expect(all.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(all.slice(0, -1).every((f) => f.choices[0]!.finish_reason === undefined)).toBe(true);
    expect(all.at(-1)!.usage.completion_tokens).toBe(23);
    expect(r.text).not.toContain('[DONE]');

    // Incremental: the first frame arrived long before the last one was produced.
    const first = r.chunks[0]!.at;
    const last = r.chunks.at(-1)!.at;
    expect(r.chunks.length).toBeGreaterThan(10);
    expect(last - first).toBeGreaterThan(0.6 * 23 * TOKEN_DELAY_MS);
    console.log(`llm stream: ${r.chunks.length} DATA chunks, first at ${first.toFixed(0)} ms, last at ${last.toFixed(0)} ms`);

    const busy = await second!;
    expect([busy.status, busy.text]).toEqual([503, 'insufficient capacity\n']);
    expect(await inUse).toBe(1);
    const after = await client.call('llm', LLM, { json: { model: LLM, messages, max_tokens: 8 } }, 8n);
    expect(after.status).toBe(200);
    expect(orch.stats().aiInUse[`llm/${LLM}`]).toBe(0);
  });
});

describe('faults on AI routes', () => {
  const body = { json: { model_id: 'devnet/sd-tiny', prompt: 'fault', width: 16, height: 16 } };
  const key = () => `${client.signer.address}/27_devnet/sd-tiny`;
  const balance = () => Rational.parse(orch.stats().balanceBySession[key()] ?? '0');

  it('failNext answers 500 OrchestratorBusy without debiting, then serves again', async () => {
    orch.faults.failNext(1);
    const before = balance();
    const r = await client.call('text-to-image', 'devnet/sd-tiny', body, 256n, { numTickets: 1 });
    expect([r.status, r.text]).toEqual([500, 'OrchestratorBusy\n']);
    // The ticket was credited, nothing debited.
    expect(balance().gt(before)).toBe(true);
    expect(orch.stats().aiInUse['text-to-image/devnet/sd-tiny']).toBe(0);
    expect((await client.call('text-to-image', 'devnet/sd-tiny', body, 256n)).status).toBe(200);
  });

  it('latency delays and errorRate fails AI requests', async () => {
    orch.faults.setLatency(200);
    const t0 = performance.now();
    expect((await client.call('text-to-image', 'devnet/sd-tiny', body, 256n)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    orch.faults.reset();
    orch.faults.setErrorRate(1);
    const r = await client.call('text-to-image', 'devnet/sd-tiny', body, 256n);
    expect([r.status, r.text]).toEqual([500, 'devnet injected transcode error\n']);
    orch.faults.reset();
  });

  it('dieAfter counts AI answers', async () => {
    const dying = await startDevnetOrchestrator({ pricePerUnit: 1200n, pixelsPerUnit: 1n, ethKey: ORCH_KEY, ai: defaultDevnetAi(), faults: { dieAfter: 1 } });
    const c = new AiTestClient(dying.serviceUri);
    try {
      expect((await c.call('text-to-image', 'devnet/sd-tiny', body, 256n)).status).toBe(200);
      const fresh = new AiTestClient(dying.serviceUri);
      await expect(fresh.discover('text-to-image', 'devnet/sd-tiny')).rejects.toThrow();
      fresh.close();
    } finally {
      c.close();
      await dying.close();
    }
  });
});
