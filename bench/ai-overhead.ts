/**
 * bench/ai-overhead: latency of text-to-image and llm through gw divided by the same work done directly against the
 * devnet orchestrator (empty-segment credentials built by the same protocol code), in one run, at 1 and 16
 * concurrent requests. Target ratio ≤ 1.10. The orchestrator runs in a child process (devnet runners, off-chain).
 *
 * Two measures per case:
 * - result: the request plus fetching every media URL in its reply, i.e. the image in the client's hands. An
 *   orchestrator answers text-to-image with URLs on itself, so a direct client downloads from O and a gw client from
 *   gw (which downloaded and re-hosted it inside the request). This is the verdict's measure.
 * - request: the POST alone. It charges gw for the download that the direct path leaves to its client; printed so
 *   that cost stays visible.
 */
import { request } from 'node:http';
import { mediaRefs } from '../src/core/ai/results.js';
import { AiTestClient } from '../test/devnet-ai/helpers/aiClient.js';
import { killOnExit, loadAverage, spawnOrchestrator, startGateway, type OrchestratorChild } from './lib/harness.js';
import { median, percentile, report } from './stats.js';

// Enough rounds that the medians hold still from run to run (1 concurrent llm is a 1 ms job: noise dominates).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 480);
// Direct and gw alternate in this many blocks per cell, so that drift in machine load hits both alike.
const BLOCKS = 8;

// Requests as an app sends them, leaving sizes and lengths at the API's defaults (text-to-image 512×512).
const CASES = [
  { pipeline: 'text-to-image', model: 'devnet/sd-tiny', body: { prompt: 'a lighthouse at dawn', model_id: 'devnet/sd-tiny' } },
  { pipeline: 'llm', model: 'devnet/llm-tiny', body: { model: 'devnet/llm-tiny', messages: [{ role: 'user', content: 'hello there' }] } },
] as const;

function httpCall(url: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {};
  return new Promise((resolve, reject) => {
    const req = request(url, { method: payload ? 'POST' : 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The media URLs of an AI reply that a client has to fetch (data URLs carry their bytes already). */
function mediaUrls(text: string): string[] {
  return mediaRefs(JSON.parse(text))
    .map((r) => r.url)
    .filter((u) => !u.startsWith('data:'));
}

async function timed(n: number, concurrency: number, one: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const t0 = performance.now();
        await one();
        out.push(performance.now() - t0);
      }
    }),
  );
  return out;
}

const children: OrchestratorChild[] = [];
killOnExit(() => children);
// Capacity high enough that 16 concurrent requests never wait for a slot on the orchestrator.
const orch = await spawnOrchestrator(['--offchain', '--ai', '--ai-models', 'text-to-image=warm:devnet/sd-tiny*32;llm=warm:devnet/llm-tiny*32']);
children.push(orch);
const gw = await startGateway({ orchAddr: [orch.uri] });
const direct = new AiTestClient(orch.uri);
const results: Record<string, number | string> = { load_average_at_start: loadAverage() };
let worst = 0;
try {
  for (const c of CASES) {
    const info = await direct.discover(c.pipeline, c.model);
    const direct1 = async (fetchMedia: boolean) => {
      const h = await direct.aiHeaders(info, c.pipeline, c.model);
      const r = await direct.post(c.pipeline, { json: c.body }, h);
      if (r.status !== 200) throw new Error(`direct ${c.pipeline}: ${r.status} ${r.text}`);
      if (fetchMedia)
        for (const u of mediaUrls(r.text)) {
          const m = await direct.get(u);
          if (m.status !== 200 || m.body.length === 0) throw new Error(`direct ${u}: ${m.status}`);
        }
    };
    const gw1 = async (fetchMedia: boolean) => {
      const r = await httpCall(`${gw.state.httpUrl}/${c.pipeline}`, c.body);
      if (r.status !== 200) throw new Error(`gw ${c.pipeline}: ${r.status}`);
      if (fetchMedia)
        for (const u of mediaUrls(r.text)) {
          const m = await httpCall(new URL(u, gw.state.httpUrl).href);
          if (m.status !== 200 || m.text.length === 0) throw new Error(`gw ${u}: ${m.status}`);
        }
    };
    const hasMedia = mediaUrls((await httpCall(`${gw.state.httpUrl}/${c.pipeline}`, c.body)).text).length > 0;
    await timed(5, 1, () => direct1(true));
    await timed(5, 1, () => gw1(true));
    for (const conc of [1, 16]) {
      for (const measure of hasMedia ? (['result', 'request'] as const) : (['result'] as const)) {
        const fetchMedia = measure === 'result';
        const d: number[] = [];
        const g: number[] = [];
        for (let b = 0; b < BLOCKS; b++) {
          d.push(...(await timed(ROUNDS / BLOCKS, conc, () => direct1(fetchMedia))));
          g.push(...(await timed(ROUNDS / BLOCKS, conc, () => gw1(fetchMedia))));
        }
        const ratio = median(g) / median(d);
        const key = `${c.pipeline}_c${conc}${measure === 'request' ? '_request_only' : ''}`;
        if (measure === 'result') worst = Math.max(worst, ratio);
        results[`${key}_direct_median_ms`] = median(d);
        results[`${key}_gw_median_ms`] = median(g);
        results[`${key}_gw_p95_ms`] = percentile(g, 95);
        results[`${key}_ratio`] = ratio;
      }
    }
  }
  results.worst_ratio = worst;
  results.target_ratio = 1.1;
  results.verdict = worst <= 1.1 ? 'PASS' : 'FAIL';
  results.load_average_at_end = loadAverage();
  report('ai-overhead', results);
} finally {
  direct.close();
  await gw.stop();
  await orch.stop();
}
