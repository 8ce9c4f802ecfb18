// The orchestrator process entry (what `gw devnet up` spawns): ready line, --live, SIGTERM, and dieAfter → process exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrchestratorRequest } from '../../src/lib/protocol/index.js';
import { OrchClient } from './helpers/orchClient.js';
import { segmentHeaders } from './helpers/payments.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/devnet/orchestrator/main.ts', import.meta.url));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startEntry(args: string[]): Promise<{ child: ChildProcess; ready: { serviceUri: string; address: string; port: number }; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--offchain', '--passthrough', ...args], {
    cwd: ROOT,
    env: { ...process.env, GW_DEVNET_CONTROL_TOKEN: 'entry-token' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, ready: JSON.parse(line), exit });
    });
    void exit.then((code) => reject(new Error(`entry exited with ${code}: ${err}`)));
  });
}

type Entry = Awaited<ReturnType<typeof startEntry>>;
let plain: Entry;
let dying: Entry;

// Both processes start in parallel: tsx start-up dominates.
beforeAll(async () => {
  [plain, dying] = await Promise.all([startEntry(['--live', '--live-capacity', '3', '--live-price', '58/1']), startEntry(['--die-after', '1'])]);
});

describe('orchestrator process entry', () => {
  it('prints one JSON ready line, serves --live, and exits 0 on SIGTERM', async () => {
    const { child, ready, exit } = plain;
    expect(ready).toMatchObject({ event: 'ready', serviceUri: `https://127.0.0.1:${ready.port}`, address: '0x0000000000000000000000000000000000000000' });
    const c = new OrchClient(ready.serviceUri);
    const stats = await c.get('/devnet/stats', { authorization: 'Bearer entry-token' });
    expect(stats.status).toBe(200);
    expect(JSON.parse(stats.body.toString('utf8'))).toMatchObject({ live: { streams: [], started: 0, rejected: 0 } });
    const info = (await c.getOrchestrator(buildOrchestratorRequest({}))).info!;
    expect(info.capabilities!.constraints!.PerCapability[35]!.models.noop).toMatchObject({ warm: true, capacity: 3 });
    c.close();
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('exits with code 1 after --die-after segments', async () => {
    const { ready, exit } = dying;
    const c = new OrchClient(ready.serviceUri);
    const r = await c.getOrchestrator(buildOrchestratorRequest({}));
    const body = new Uint8Array(188).fill(0x47);
    const h = await segmentHeaders({ info: r.info!, data: body });
    const seg = await c.postSegment(h.seg, h.pay, body);
    expect(seg.status).toBe(200);
    expect(await exit).toBe(1);
    c.close();
  });
});
