/**
 * bench/ai-overhead: request latency of text-to-image and llm through gw divided by the same request sent directly
 * to the devnet orchestrator (empty-segment credentials built by the same protocol code), in one run, at 1 and 16
 * concurrent requests. Target ratio ≤ 1.10. The orchestrator runs in a child process (devnet runners, off-chain).
 */
import { request } from 'node:http';
import { AiTestClient } from '../test/devnet-ai/helpers/aiClient.js';
import { killOnExit, loadAverage, spawnOrchestrator, startGateway, type OrchestratorChild } from './lib/harness.js';
import { median, percentile, report } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

const CASES = [
  { pipeline: 'text-to-image', model: 'devnet/sd-tiny', body: { prompt: 'a lighthouse at dawn', model_id: 'devnet/sd-tiny', width: 256, height: 256 } },
  { pipeline: 'llm', model: 'devnet/llm-tiny', body: { model: 'devnet/llm-tiny', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 8 } },
] as const;

function postJson(url: string, body: unknown): Promise<number> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
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
    const viaDirect = async () => {
      const h = await direct.aiHeaders(info, c.pipeline, c.model);
      const r = await direct.post(c.pipeline, { json: c.body }, h);
      if (r.status !== 200) throw new Error(`direct ${c.pipeline}: ${r.status} ${r.text}`);
    };
    const viaGw = async () => {
      const status = await postJson(`${gw.state.httpUrl}/${c.pipeline}`, c.body);
      if (status !== 200) throw new Error(`gw ${c.pipeline}: ${status}`);
    };
    await timed(5, 1, viaDirect);
    await timed(5, 1, viaGw);
    for (const conc of [1, 16]) {
      // Alternate blocks so drift in machine load hits both sides alike.
      const d: number[] = [];
      const g: number[] = [];
      for (let b = 0; b < 4; b++) {
        d.push(...(await timed(ROUNDS / 4, conc, viaDirect)));
        g.push(...(await timed(ROUNDS / 4, conc, viaGw)));
      }
      const ratio = median(g) / median(d);
      worst = Math.max(worst, ratio);
      results[`${c.pipeline}_c${conc}_direct_median_ms`] = median(d);
      results[`${c.pipeline}_c${conc}_gw_median_ms`] = median(g);
      results[`${c.pipeline}_c${conc}_gw_p95_ms`] = percentile(g, 95);
      results[`${c.pipeline}_c${conc}_ratio`] = ratio;
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
