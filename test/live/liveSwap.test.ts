// Live AI swaps with real processes: the orchestrator in use is killed with SIGKILL, the stream moves to another one
// (output resumes, with an HLS discontinuity, and the swap names both and the reason), and a third quick swap ends the
// stream with go-livepeer's "Too many swaps".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveStreamView } from '../../src/api/contract.js';
import { httpRequest, spawnOrchestrator, startTestGateway, waitFor, type OrchestratorProcess, type TestGateway } from '../helpers/gateway.js';
import { frameColor, hlsSegments, publishColor, stopProcess } from './helpers.js';

let os: OrchestratorProcess[] = [];
let gw: TestGateway;

beforeAll(async () => {
  os = await Promise.all([0, 1, 2, 3].map(() => spawnOrchestrator(['--offchain', '--live', '--live-status-interval', '1s'])));
  gw = await startTestGateway({ orchAddr: os.map((o) => o.uri) });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await Promise.all(os.map((o) => o.stop()));
});

async function view(): Promise<LiveStreamView> {
  return gw.client.liveStream('swap');
}

describe('live AI swaps', () => {
  it('kill -9 of the orchestrator in use: the stream swaps and the output resumes; the third quick swap ends it', async () => {
    const pub = publishColor(`rtmp://127.0.0.1:${gw.rtmpPort}/ai/swap?pipeline=devnet%2Fnegate&streamId=swap-id`, '404040');
    const master = `${gw.state.httpUrl}/stream/swap-out.m3u8`;
    try {
      await waitFor(async () => (await hlsSegments(master)).urls.length >= 2, 'first output segments', 30_000);
      const gaps: number[] = [];
      for (let swap = 1; swap <= 2; swap++) {
        const before = await view();
        const victim = os.find((o) => o.uri === before.orchestrator?.url);
        expect(victim).toBeDefined();
        const outputsBefore = before.outputSegments;
        const killedAt = Date.now();
        victim!.child.kill('SIGKILL');
        await waitFor(async () => {
          const v = await view();
          return v.swaps.length === swap && v.outputSegments > outputsBefore;
        }, `swap ${swap} and output after it`, 30_000);
        gaps.push(Date.now() - killedAt);
        const after = await view();
        const s = after.swaps[swap - 1]!;
        expect(s.from).toBe(victim!.uri);
        expect(s.to).toBe(after.orchestrator?.url);
        expect(s.to).not.toBe(victim!.uri);
        expect(s.reason).toMatch(/output|input|closed|events|control/);
        const failover = gw.events.find((e) => e.type === 'failover' && e.streamId === 'swap-id' && e.from === victim!.uri);
        expect(failover).toBeDefined();
        const trace = gw.events.find((e) => e.type === 'live.event' && e.queue === 'stream_trace' && e.data.type === 'orchestrator_swap' && (e.data.orchestrator_info as { url: string }).url === victim!.uri);
        expect(trace).toBeDefined();
      }
      const { urls, discontinuities } = await hlsSegments(master);
      expect(discontinuities).toBeGreaterThanOrEqual(1);
      // The output after the swaps is still the runner's transform of the input.
      const last = await httpRequest(urls[urls.length - 1]!);
      expect((await frameColor(last.body)).y).toBeGreaterThan(170);
      // Output within a few seconds of the kill (go-livepeer: 30 s watchdogs, ~13 s in its own demo).
      for (const g of gaps) expect(g).toBeLessThan(8000);

      const inUse = (await view()).orchestrator?.url;
      const third = os.find((o) => o.uri === inUse)!;
      third.child.kill('SIGKILL');
      await waitFor(async () => (await view()).state === 'ended', 'stream ended after the third swap', 30_000);
      expect((await view()).endReason).toBe('Too many swaps');
    } finally {
      await stopProcess(pub);
    }
  }, 150_000);
});
